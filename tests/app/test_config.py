"""Configuration: defaults → instance/config.py → SURVEYAPP_* environment; strict parsing."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from surveyapp import create_app
from surveyapp.config import ConfigError, environment_config, load_config


def test_defaults_put_sqlite_in_the_instance_folder(tmp_path: Path) -> None:
    config = load_config(str(tmp_path), {})
    assert config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'surveyapp.sqlite3'}"
    assert config["SECRET_KEY"] is None


def test_environment_overrides_instance_file(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('BASE_URL = "https://a.example"\nMAX_CONTENT_LENGTH = 1000\n')
    config = load_config(str(tmp_path), {"SURVEYAPP_BASE_URL": "https://b.example/"})
    assert config["BASE_URL"] == "https://b.example"
    assert config["MAX_CONTENT_LENGTH"] == 1000


@pytest.mark.parametrize(("name", "value", "words"), [
    ("SURVEYAPP_DATABSE_URL", "sqlite:///x", "unknown setting SURVEYAPP_DATABSE_URL"),
    ("SURVEYAPP_SESSION_COOKIE_SECURE", "maybe", "SURVEYAPP_SESSION_COOKIE_SECURE is malformed"),
    ("SURVEYAPP_MAX_CONTENT_LENGTH", "-5", "SURVEYAPP_MAX_CONTENT_LENGTH is malformed"),
    ("SURVEYAPP_DATABASE_URL", "mysql://x", "SURVEYAPP_DATABASE_URL is malformed"),
])
def test_bad_environment_settings_name_the_setting(name: str, value: str, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        environment_config({name: value})


def test_unknown_instance_setting_fails_at_start(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text('SECRET_KY = "typo"\n')
    with pytest.raises(ConfigError, match="unknown setting 'SECRET_KY'"):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_postgresql_urls_use_psycopg3() -> None:
    config = environment_config({"SURVEYAPP_DATABASE_URL": "postgresql://u@h/db"})
    assert config["DATABASE_URL"] == "postgresql+psycopg://u@h/db"


def test_secret_key_is_generated_once_with_mode_600(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    second = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": url})
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize(("name", "value"), [
    ("SURVEYAPP_CONTACT_PHONE", "call the city"),
    ("SURVEYAPP_CONTACT_EMAIL", "nobody"),
    ("SURVEYAPP_CONTACT_URL", "javascript:alert(1)"),
    ("SURVEYAPP_PRIVACY_POLICY_URL", "www.city.example.jp/privacy"),
    ("SURVEYAPP_CONTACT_NAME", "   "),
])
def test_contact_settings_are_checked(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name} is malformed"):
        environment_config({name: value})


def test_contact_settings_are_read() -> None:
    config = environment_config({"SURVEYAPP_CONTACT_NAME": "各務原市 デジタル戦略課",
                                 "SURVEYAPP_CONTACT_PHONE": "058-383-1111",
                                 "SURVEYAPP_PRIVACY_POLICY_URL": "https://www.city.example.jp/p/"})
    assert config == {"CONTACT_NAME": "各務原市 デジタル戦略課", "CONTACT_PHONE": "058-383-1111",
                      "PRIVACY_POLICY_URL": "https://www.city.example.jp/p/"}
