"""Paper batches and entries for tests, through the staff pages (as keyers use them)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.auth.models import StaffUser
from surveyapp.auth.services import create_staff
from surveyapp.extensions import db
from surveyapp.paper.forms import field_name
from surveyapp.paper.models import PaperBatch
from tests.conftest import PASSWORD, login

SURVEY = "digital-services"
ANSWERS: dict[str, Any] = {"digital_satisfaction": "satisfied", "services_used": ["website", "line"],
                           "age_band": "70_over", "gender": "female", "area": "naka",
                           "comment": "紙でも答えられて助かります。"}


def keyer(app: Flask, name: str, role: str = "data-entry") -> FlaskClient:
    """A logged-in client of a staff member (``name`` makes the e-mail address)."""
    email = f"{name}@city.example.jp"
    with app.app_context():
        if db.session.scalar(sa.select(StaffUser.id).where(StaffUser.email == email)) is None:
            create_staff(email, PASSWORD, role)
    client = app.test_client()
    response = client.post("/staff/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303, response.data
    return client


def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, app, "admin")
    return client


def new_batch(client: FlaskClient, *, label: str = "6月3日受付分", expected: int = 2, wave: str = "",
              survey: str = SURVEY, received_on: str = "2026-06-03") -> int:
    response = client.post("/staff/paper/batches", data={
        "survey": survey, "label": label, "received_on": received_on, "expected": str(expected), "wave": wave})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def entry_data(serial: int, answers: dict[str, Any], code: str = "") -> dict[str, Any]:
    """Form data for one questionnaire: answers by question key (marks as "-" and "*")."""
    data: dict[str, Any] = {"serial": str(serial), "code": code}
    for key, value in answers.items():
        data[field_name(key)] = value
    return data


def key(client: FlaskClient, batch_id: int, serial: int, answers: dict[str, Any], code: str = "") -> Any:
    return client.post(f"/staff/paper/batches/{batch_id}/entry", data=entry_data(serial, answers, code))


def batch_row(app: Flask, batch_id: int) -> PaperBatch:
    with app.app_context():
        batch = db.session.get(PaperBatch, batch_id)
        assert batch is not None
        db.session.expunge(batch)
        return batch
