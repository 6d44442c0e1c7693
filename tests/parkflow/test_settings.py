"""Settings come from PARKFLOW_* variables or a TOML config file; the environment wins."""

from __future__ import annotations

from pathlib import Path

import pytest

from parkflow.settings import Settings, SettingsError
from tests.factories import SQLITE_ONLY
from tests.support.command import Cli, assert_error

CONFIG = """
smtp_url = "smtps://robot:secret@mail.park.example:465"
mail_from = "专班 <zhuanban@park.example>"
timezone = "Asia/Shanghai"
secret_key = "a-signing-key-from-the-file"

[chat_webhooks.project]
wecom = "https://qyapi.example/cgi-bin/webhook/send?key=k"
"""


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No PARKFLOW_* variable and no ./parkflow.toml: only what the test sets."""
    import os
    for name in [n for n in os.environ if n.startswith("PARKFLOW_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "elsewhere.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_a_config_file_supplies_the_settings(clean_env: pytest.MonkeyPatch, config: Path) -> None:
    clean_env.setenv("PARKFLOW_CONFIG", str(config))

    settings = Settings.from_env()

    assert settings.smtp() == "smtps://robot:secret@mail.park.example:465"
    assert settings.mail_from == "专班 <zhuanban@park.example>"
    assert settings.chat_robots() == {"wecom:project": {
        "kind": "wecom", "url": "https://qyapi.example/cgi-bin/webhook/send?key=k",
        "secret": None}}


def test_parkflow_toml_in_the_current_directory_is_read_without_being_named(
        clean_env: pytest.MonkeyPatch, config: Path, tmp_path: Path) -> None:
    (tmp_path / "parkflow.toml").write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    assert Settings.from_env().mail_from == "专班 <zhuanban@park.example>"


def test_the_environment_wins_over_the_config_file(clean_env: pytest.MonkeyPatch,
                                                   config: Path) -> None:
    clean_env.setenv("PARKFLOW_CONFIG", str(config))
    clean_env.setenv("PARKFLOW_SMTP_URL", "smtp://localhost:25")

    assert Settings.from_env().smtp() == "smtp://localhost:25"


def test_secrets_never_show_in_repr_or_str(clean_env: pytest.MonkeyPatch, config: Path) -> None:
    clean_env.setenv("PARKFLOW_CONFIG", str(config))
    clean_env.setenv("PARKFLOW_DATABASE_URL", "postgresql://parkflow:db-password@db/parkflow")

    settings = Settings.from_env()

    for shown in (repr(settings), str(settings)):
        for secret in ("robot:secret", "a-signing-key", "key=k", "db-password"):
            assert secret not in shown, shown
    assert settings.secret_key is not None
    assert settings.secret_key.get_secret_value() == "a-signing-key-from-the-file"


def test_a_named_config_file_that_is_missing_or_broken_is_an_error(
        clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("smtp_url = ", encoding="utf-8")
    for path in (tmp_path / "missing.toml", broken):
        clean_env.setenv("PARKFLOW_CONFIG", str(path))
        with pytest.raises(ValueError, match="PARKFLOW_CONFIG"):
            Settings.from_env()


@pytest.mark.parametrize(("name", "value"), [
    ("PARKFLOW_TIMEZONE", "Mars/Olympus"),
    ("PARKFLOW_SESSION_IDLE_SECONDS", "soon"),
    ("PARKFLOW_SESSION_MAX_SECONDS", "0"),
    ("PARKFLOW_CHAT_WEBHOOKS", '{"project": {"telegram": "https://x"}}'),
    ("PARKFLOW_TEST_NOW", "2026-11-20T10:00:00"),
    ("PARKFLOW_LANG", "fr"),
    ("PARKFLOW_DATABASE_URL", "foo"),  # it was SQLAlchemy's ArgumentError, exit 1
    ("PARKFLOW_DATABASE_URL", "mysql://parkflow:secret@db/parkflow"),
])
def test_a_bad_value_is_an_error_naming_the_variable(clean_env: pytest.MonkeyPatch, name: str,
                                                     value: str) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ValueError, match=name) as refused:
        Settings.from_env()
    assert "secret" not in str(refused.value)  # a URL's password is never quoted back


def test_without_a_config_file_the_defaults_hold(clean_env: pytest.MonkeyPatch) -> None:
    settings = Settings.from_env()
    assert settings.database_url == "sqlite:///parkflow.db" and settings.smtp_url is None
    assert settings.test_now is None and settings.secret_key is None


@SQLITE_ONLY
def test_the_command_says_which_setting_is_wrong_in_one_line(cli: Cli, tmp_path: Path) -> None:
    wrong_zone = cli("project", "show", "1", "--json", env={"PARKFLOW_TIMEZONE": "Mars/Olympus"})
    no_file = cli("project", "list", env={"PARKFLOW_CONFIG": str(tmp_path / "missing.toml"),
                                          "PARKFLOW_LANG": "en"})

    assert_error(wrong_zone, 2, "invalid", "PARKFLOW_TIMEZONE")
    assert wrong_zone.json()["error"]["message"] == (
        "设置 PARKFLOW_TIMEZONE 无法使用：unknown time zone 'Mars/Olympus'")
    assert no_file.code == 2 and no_file.err.startswith("error The setting PARKFLOW_CONFIG")
    assert "Error:" not in wrong_zone.err + no_file.err  # no exception's class name


def test_a_language_the_product_does_not_speak_is_refused_not_read_as_chinese(
        cli: Cli) -> None:
    french = cli("project", "show", "1", env={"PARKFLOW_LANG": "fr"})
    regional = cli("project", "show", "1", env={"PARKFLOW_LANG": "en-GB"})

    assert french.code == 2 and french.out == ""
    assert french.err == (
        "错误 设置 PARKFLOW_LANG 无法使用：unknown language 'fr'; write zh-CN or en\n")
    assert regional.code == 4 and regional.err == "error Project 1 not found\n"  # English


@pytest.mark.parametrize(("url", "wrong"), [
    ("postgresql://postgres:s3cretpw@127.0.0.1:notaport/DB", "端口"),  # was int()'s ValueError
    ("postgresql://postgres:s3cretpw@127.0.0.1:70000/DB", "端口"),
    ("postgresql://postgres:s3cret@pw@127.0.0.1:5432/DB", "%40"),  # an unencoded @
])
def test_a_database_url_sqlalchemy_would_misread_is_refused_naming_the_setting(
        clean_env: pytest.MonkeyPatch, url: str, wrong: str) -> None:
    clean_env.setenv("PARKFLOW_DATABASE_URL", url)
    with pytest.raises(SettingsError) as refused:
        Settings.from_env()
    [(name, why)] = refused.value.texts("zh-CN")
    assert name == "PARKFLOW_DATABASE_URL" and wrong in why, why
    for secret in ("s3cret", "pw@", "notaport"):
        assert secret not in str(refused.value) + why


def test_a_postgres_url_is_read_as_postgresql(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PARKFLOW_DATABASE_URL", "postgres://parkflow:pw@db.park:5433/parkflow")
    assert Settings.from_env().database_url == "postgresql://parkflow:pw@db.park:5433/parkflow"


def test_a_dump_of_the_settings_hides_the_database_password(
        clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("PARKFLOW_DATABASE_URL", "postgresql://parkflow:db-password@db/parkflow")
    settings = Settings.from_env()
    dumped = settings.model_dump()
    assert dumped["database_url"] == "postgresql://parkflow:***@db/parkflow"
    assert "db-password" not in settings.model_dump_json()
    assert settings.database_url.endswith(":db-password@db/parkflow")  # the value itself stays


@SQLITE_ONLY
def test_the_command_refuses_a_bad_database_url_in_the_readers_language(cli: Cli) -> None:
    bad_port = cli("project", "list", "--json", env={
        "PARKFLOW_DATABASE_URL": "postgresql://postgres:s3cretpw@127.0.0.1:notaport/DB"})
    wrong_scheme = cli("backup", "x.db", env={"PARKFLOW_DATABASE_URL": "mysql://a:s3cretpw@b/c"})

    assert_error(bad_port, 2, "invalid", "PARKFLOW_DATABASE_URL")
    assert bad_port.json()["error"]["message"] == (
        "设置 PARKFLOW_DATABASE_URL 无法使用：端口（主机名后的“:”之后）须为 1 至 65535 的数字")
    assert wrong_scheme.code == 2 and wrong_scheme.err == (
        "错误 设置 PARKFLOW_DATABASE_URL 无法使用：这不是数据库地址；请写成 sqlite:///文件 或 "
        "postgresql://用户@主机/数据库\n")
    assert "s3cretpw" not in bad_port.out + bad_port.err + wrong_scheme.err
