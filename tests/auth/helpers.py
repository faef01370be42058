"""Shared steps for the account tests: a movable clock for sessions and logins."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.timeutil import utcnow
from tests.conftest import PASSWORD, PERSONAS


class Clock:
    """Moves the time seen by the session checks and by the login throttle together."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.offset = 0.0
        monkeypatch.setattr("surveyapp.auth.sessions._now", lambda: time.time() + self.offset)
        for module in ("surveyapp.auth.services", "surveyapp.auth.throttle"):
            monkeypatch.setattr(f"{module}.utcnow", self.utcnow)

    def utcnow(self) -> datetime:
        return utcnow() + timedelta(seconds=self.offset)

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta).total_seconds()


def post_login(client: FlaskClient, email: str, password: str = PASSWORD, **kwargs: Any) -> Any:
    return client.post("/staff/login", data={"email": email, "password": password}, **kwargs)


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("session", domain="survey.test")
    assert cookie is not None
    return cookie.value


def client_with_cookie(app: Flask, value: str) -> FlaskClient:
    other = app.test_client()
    other.set_cookie("session", value, domain="survey.test")
    return other


def persona(role: str) -> str:
    return PERSONAS[role]
