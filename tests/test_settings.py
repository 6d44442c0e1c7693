"""Settings come from PARKFLOW_* variables or a TOML config file; the environment wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from parkflow.settings import Settings, environment

CONFIG = """
smtp_url = "smtps://robot:secret@mail.park.example:465"
mail_from = "专班 <zhuanban@park.example>"
timezone = "Asia/Shanghai"

[chat_webhooks.project]
wecom = "https://qyapi.example/cgi-bin/webhook/send?key=k"
"""


def test_a_config_file_supplies_the_settings(tmp_path: Path) -> None:
    config = tmp_path / "parkflow.toml"
    config.write_text(CONFIG, encoding="utf-8")

    settings = Settings.from_env(environment({"PARKFLOW_CONFIG": str(config)}))

    assert settings.smtp_url == "smtps://robot:secret@mail.park.example:465"
    assert settings.mail_from == "专班 <zhuanban@park.example>"
    assert settings.chat_robots() == {"wecom:project": {
        "kind": "wecom", "url": "https://qyapi.example/cgi-bin/webhook/send?key=k",
        "secret": None}}


def test_the_environment_wins_over_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "parkflow.toml"
    config.write_text(CONFIG, encoding="utf-8")

    settings = Settings.from_env(environment({"PARKFLOW_CONFIG": str(config),
                                              "PARKFLOW_SMTP_URL": "smtp://localhost:25"}))

    assert settings.smtp_url == "smtp://localhost:25"


def test_a_named_config_file_that_is_missing_or_broken_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("smtp_url = ", encoding="utf-8")
    for path in (tmp_path / "missing.toml", broken):
        with pytest.raises(ValueError, match="PARKFLOW_CONFIG"):
            environment({"PARKFLOW_CONFIG": str(path)})


def test_without_a_config_file_the_defaults_hold(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no parkflow.toml here
    settings = Settings.from_env(environment({}))
    assert settings.database_url == "sqlite:///parkflow.db" and settings.smtp_url is None
