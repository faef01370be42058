"""The rate-limit, screening and response-time settings: documented defaults, strict parsing."""

from __future__ import annotations

from pathlib import Path

import pytest

from surveyapp.config import SETTINGS, ConfigError, environment_config, load_config

NAMES = ("RATE_LIMIT_ENABLED", "RATE_LIMIT_STORAGE_URI", "RATE_LIMIT_START", "RATE_LIMIT_ANSWER",
         "RATE_LIMIT_KIOSK", "FLAG_MIN_SECONDS_PER_QUESTION", "FLAG_BURST", "FLAG_SESSION_MAX",
         "RESPONSE_TIME_MINUTES")


def test_defaults_are_generous_and_documented_in_the_readme(tmp_path: Path) -> None:
    config = load_config(str(tmp_path), {})
    assert config["RATE_LIMIT_STORAGE_URI"] == "memory://"
    assert config["RESPONSE_TIME_MINUTES"] == 1
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    table = {line.split("|")[1].strip(): line.split("|")[2].strip()
             for line in readme.splitlines() if line.startswith("| `")}
    for name in NAMES:
        default = SETTINGS[name].default
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        assert table.get(f"`{name}`") == f"`{shown}`", name


@pytest.mark.parametrize(("name", "value"), [
    ("RATE_LIMIT_START", "lots"),
    ("RATE_LIMIT_KIOSK", "10 per fortnight"),
    ("RATE_LIMIT_STORAGE_URI", "mysql://x"),
    ("FLAG_BURST", "5 per 2 days"),
    ("FLAG_MIN_SECONDS_PER_QUESTION", "-1"),
    ("FLAG_SESSION_MAX", "0"),
    ("RESPONSE_TIME_MINUTES", "7"),
    ("RESPONSE_TIME_MINUTES", "0"),
])
def test_bad_values_name_the_setting(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"SURVEYAPP_{name} is malformed"):
        environment_config({f"SURVEYAPP_{name}": value})


def test_good_values_are_taken(tmp_path: Path) -> None:
    config = environment_config({
        "SURVEYAPP_RATE_LIMIT_STORAGE_URI": "redis://cache.internal:6379/2",
        "SURVEYAPP_FLAG_BURST": "8 per 15 minutes; 40 per day",
        "SURVEYAPP_FLAG_MIN_SECONDS_PER_QUESTION": "0",
        "SURVEYAPP_RESPONSE_TIME_MINUTES": "15",
        "SURVEYAPP_RATE_LIMIT_ENABLED": "off",
    })
    assert config == {"RATE_LIMIT_STORAGE_URI": "redis://cache.internal:6379/2",
                      "FLAG_BURST": "8 per 15 minutes; 40 per day",
                      "FLAG_MIN_SECONDS_PER_QUESTION": 0.0, "RESPONSE_TIME_MINUTES": 15,
                      "RATE_LIMIT_ENABLED": False}


def test_numbers_in_the_instance_file_are_checked_too(tmp_path: Path) -> None:
    (tmp_path / "config.py").write_text("RESPONSE_TIME_MINUTES = 7\n")
    with pytest.raises(ConfigError, match="RESPONSE_TIME_MINUTES is malformed"):
        load_config(str(tmp_path), {})
    (tmp_path / "config.py").write_text("RESPONSE_TIME_MINUTES = 30\nRATE_LIMIT_ENABLED = False\n")
    config = load_config(str(tmp_path), {})
    assert (config["RESPONSE_TIME_MINUTES"], config["RATE_LIMIT_ENABLED"]) == (30, False)
