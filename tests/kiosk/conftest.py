"""Kiosk fixtures: a course session with its kiosk link and an enrolled device (personas and
factories in the style of tests/conftest.py)."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.kiosk.views import CREDENTIAL_COOKIE
from surveyapp.respond.models import RespondentFlow, Response

COURSE_SURVEY = "digital-divide-course"
HOST = "survey.test"
PIN = "2468"
SATISFIED = {"course_satisfaction": "satisfied", "understanding": "understood_well",
             "attend_again": "yes", "age_band": "70_over", "comment": "とても分かりやすかったです。"}


@dataclass(frozen=True)
class Kiosk:
    """An enrolled device showing one course session's kiosk link."""

    session_id: int
    link_id: int
    code: str
    version_id: int
    device_id: int
    credential: str


def make_session(app: Flask, *, title: str = "スマートフォン入門", venue: str = "川島会館",
                 attendees: int = 40, held_on: date = date(2026, 11, 20)) -> tuple[int, int, str]:
    """A course session (creating the course title if needed): (session id, link id, code)."""
    from surveyapp.kiosk.courses import SessionInput, add_course, course_surveys, create_session, list_courses

    with app.app_context():
        course = next((c for c in list_courses() if c.title == title), None) or add_course(title, user_id=None)
        survey = course_surveys()[0]
        session = create_session(course, survey, SessionInput(held_on, venue, "各務 花子", attendees),
                                 user_id=None)
        return session.id, session.link_id, session.link.code


def make_kiosk(app: Flask, *, name: str = "川島会場タブレット2", link_id: int | None = None) -> Kiosk:
    """A course session and a device enrolled for it."""
    from surveyapp.kiosk.services import create_device, enroll_device
    from surveyapp.surveys.models import Link

    if link_id is None:
        session_id, link_id, _code = make_session(app)
    else:
        session_id = 0
    with app.app_context():
        link = db.session.get(Link, link_id)
        assert link is not None
        enrollment = create_device(name, PIN, link, user_id=None)
        device, credential = enroll_device(enrollment.code)
        version = link.survey.current_version
        assert version is not None
        return Kiosk(session_id, link.id, link.code, version.id, device.id, credential)


@pytest.fixture
def kiosk_log(monkeypatch: pytest.MonkeyPatch) -> None:
    """Alembic's logging set-up (run by the migration fixture) disables loggers that existed
    before it; switch ours back on so that tests can read what the kiosk logs."""
    for name in ("surveyapp", "surveyapp.kiosk", "surveyapp.kiosk.services"):
        monkeypatch.setattr(logging.getLogger(name), "disabled", False)


@pytest.fixture
def kiosk(app: Flask) -> Kiosk:
    return make_kiosk(app)


def device_client(app: Flask, credential: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie(CREDENTIAL_COOKIE, credential, domain=HOST, path="/kiosk")
    return client


def post_response(client: FlaskClient, kiosk: Kiosk, answers: dict[str, Any] | None = None, *,
                  client_uuid: str | None = None, **extra: Any) -> Any:
    payload = {"client_uuid": client_uuid or str(uuid.uuid4()), "link": kiosk.code,
               "version": kiosk.version_id, "answers": SATISFIED if answers is None else answers,
               "pending": 1, **extra}
    return client.post("/kiosk/api/responses", data=json.dumps(payload),
                       headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})


def count_rows(app: Flask, model: Any = Response) -> int:
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)


def no_partial_state(app: Flask) -> bool:
    return count_rows(app, RespondentFlow) == 0

