"""The systemd units (deploy/ and the README's copies) leave the working directory writable:
ProtectSystem=strict makes everything else read-only, and parkflow writes there (outbox-mail/
when SMTP is not set, a SQLite database and its WAL)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _units() -> list[tuple[str, str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    units = [(f"README.md unit {n}", text) for n, text in
             enumerate(re.findall(r"```ini\n(.*?)```", readme, re.S), 1) if "[Service]" in text]
    units += [(path.name, path.read_text(encoding="utf-8"))
              for path in sorted((ROOT / "deploy").glob("*.service"))]
    return units


@pytest.mark.parametrize(("name", "unit"), _units(), ids=lambda v: v if "\n" not in v else "")
def test_a_unit_with_a_read_only_system_may_write_its_working_directory(name: str,
                                                                        unit: str) -> None:
    settings = dict(re.findall(r"^(\w+)=(.*)$", unit, re.M))
    if settings.get("ProtectSystem") != "strict":
        return
    writable = settings.get("ReadWritePaths", "").split() + [
        f"/var/lib/{d}" for d in settings.get("StateDirectory", "").split()]
    assert settings["WorkingDirectory"] in writable, name
