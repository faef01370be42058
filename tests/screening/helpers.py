"""Respondents at a person's pace, and bots, through the public pages."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow, Response
from tests.conftest import link_code, response_id_on

SURVEY = "digital-services"
PERSON = {"digital_satisfaction": "somewhat_satisfied", "services_used": ["website"],
          "age_band": "50_59", "gender": "female", "area": "naka"}


def respond(client: FlaskClient, app: Flask, answers: dict[str, Any] | None = None, *,
            took: timedelta = timedelta(minutes=3), extra: dict[str, Any] | None = None,
            survey: str = SURVEY) -> int:
    """Answer every page; the flow is made to have started ``took`` before the final page.

    ``extra`` is posted with every page (e.g. a filled-in honeypot). Returns the final status.
    """
    from surveyapp.surveys.services import get_survey, version_definition

    answers = PERSON if answers is None else answers
    code = link_code(app, survey)
    with app.app_context():
        version = get_survey(survey).current_version
        assert version is not None
        pages = version_definition(version).pages()
    started = client.post(f"/s/{code}")
    if started.status_code != 303:
        return started.status_code
    for number, questions in enumerate(pages, start=1):
        data: dict[str, Any] = {q.key: answers[q.key] for q in questions if q.key in answers}
        data.update(extra or {})
        if number == len(pages):
            page = client.get(f"/s/{code}/p/{number}")
            client_uuid = response_id_on(page.get_data(as_text=True))
            data["response_id"] = client_uuid
            with app.app_context():
                flow = db.session.scalar(sa.select(RespondentFlow).where(
                    RespondentFlow.client_uuid == uuid.UUID(client_uuid)))
                assert flow is not None
                flow.created_at -= took
                db.session.commit()
        posted = client.post(f"/s/{code}/p/{number}", data=data)
        if posted.status_code != 303:
            return posted.status_code
    return 303


def flags_of(app: Flask) -> list[list[str]]:
    """The flag reason codes of every stored response ([] when not flagged), sorted (stored
    responses keep no order of submission)."""
    with app.app_context():
        rows = db.session.execute(sa.select(Response.flagged, Response.flag_reasons)).all()
    return sorted([r["code"] for r in (reasons or [])] if flagged else [] for flagged, reasons in rows)


def from_address(app: Flask, address: str) -> FlaskClient:
    """A new browser (its own session) at this address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client
