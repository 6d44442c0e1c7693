"""A private, throwaway PostgreSQL cluster for the stress and fault proofs.

Never the system cluster: its own data directory (a temporary one), its own port (5544 by
default) and its own socket directory, so it can be stopped and started during a load without
touching anyone else's database. initdb refuses to run as root, so as root the cluster runs as
the `postgres` system user (runuser). The binaries: PARKFLOW_PG_BIN, else the newest
/usr/lib/postgresql/*/bin.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

DEFAULT_PORT = 5544


def pg_bin() -> Path:
    named = os.environ.get("PARKFLOW_PG_BIN")
    if named:
        return Path(named)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"),
                      key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    if not versions:
        raise SystemExit("no PostgreSQL server binaries: install postgresql or set "
                         "PARKFLOW_PG_BIN to the folder holding initdb and pg_ctl")
    return versions[-1]


class PrivateCluster:
    """initdb + pg_ctl start/stop on a temporary directory; `url` for the `postgres` user."""

    def __init__(self, port: int = DEFAULT_PORT) -> None:
        self.port = port
        self.bin = pg_bin()
        self.root = Path(tempfile.mkdtemp(prefix="parkflow-pg-"))
        self.data = self.root / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, text=True,
                       cwd=self.root)

    def init(self) -> PrivateCluster:
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "-E", "UTF8", "--no-instructions")
        return self

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                   "-c max_connections=200 -c fsync=on")
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.root / "server.log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        """`fast` (sessions are told and rolled back) or `immediate` (a crash: recovery at the
        next start replays the WAL)."""
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PrivateCluster:
        self.init().start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.destroy()
