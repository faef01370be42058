"""Kiosk timings: production defaults (what PRODUCT.md §5 promises) and strict parsing."""

from __future__ import annotations

import pytest
from flask import Flask

from surveyapp.config import SETTINGS, ConfigError, environment_config
from tests.kiosk.conftest import Kiosk, device_client


def test_production_defaults_follow_the_kiosk_timing_rules() -> None:
    assert SETTINGS["KIOSK_IDLE_SECONDS"].default == 60
    assert SETTINGS["KIOSK_COUNTDOWN_SECONDS"].default >= 20
    assert SETTINGS["KIOSK_THANKS_SECONDS"].default <= 15
    assert SETTINGS["KIOSK_RETRY_MAX_SECONDS"].default == 300


@pytest.mark.parametrize("name, value", [
    ("SURVEYAPP_KIOSK_COUNTDOWN_SECONDS", "19"),
    ("SURVEYAPP_KIOSK_THANKS_SECONDS", "16"),
    ("SURVEYAPP_KIOSK_IDLE_SECONDS", "0"),
    ("SURVEYAPP_KIOSK_IDLE_SECONDS", "soon"),
])
def test_timings_outside_the_rules_stop_the_start(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        environment_config({name: value})


def test_environment_can_set_the_timings() -> None:
    assert environment_config({"SURVEYAPP_KIOSK_IDLE_SECONDS": "90",
                               "SURVEYAPP_KIOSK_COUNTDOWN_SECONDS": "20",
                               "SURVEYAPP_KIOSK_THANKS_SECONDS": "15"}) == {
        "KIOSK_IDLE_SECONDS": 90, "KIOSK_COUNTDOWN_SECONDS": 20, "KIOSK_THANKS_SECONDS": 15}


def test_the_kiosk_page_carries_the_configured_timings(app: Flask, kiosk: Kiosk) -> None:
    html = device_client(app, kiosk.credential).get("/kiosk/").get_data(as_text=True)
    assert 'data-idle="60"' in html and 'data-countdown="30"' in html and 'data-thanks="10"' in html
    assert 'data-idle-seconds>30<' in html  # the visible countdown starts at 30 s
