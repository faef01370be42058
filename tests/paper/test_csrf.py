"""Every paper form carries a CSRF token and is refused without it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.auth.services import create_staff
from surveyapp.extensions import db
from surveyapp.paper.models import PaperBatch, PaperEntry
from tests.conftest import PASSWORD, load_builtin_surveys

from .helpers import ANSWERS, entry_data


@pytest.fixture
def csrf_app(app_factory: Any) -> Flask:
    return load_builtin_surveys(app_factory(WTF_CSRF_ENABLED=True))


def _token(page: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, "the page has a CSRF token"
    return match.group(1)


def _logged_in(app: Flask, email: str) -> FlaskClient:
    with app.app_context():
        create_staff(email, PASSWORD, "data-entry")
    client = app.test_client()
    token = _token(client.get("/staff/login").get_data(as_text=True))
    assert client.post("/staff/login", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token}).status_code == 303
    return client


def test_paper_forms_need_the_token_of_their_page(csrf_app: Flask) -> None:
    client = _logged_in(csrf_app, "a@city.example.jp")
    batch = {"survey": "digital-services", "label": "6月3日受付分", "received_on": "2026-06-03", "expected": "1"}
    refused = client.post("/staff/paper/batches", data=batch)
    assert refused.status_code == 400 and "有効期限が切れました" in refused.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperBatch.id))) == 0
    token = _token(client.get("/staff/paper").get_data(as_text=True))
    created = client.post("/staff/paper/batches", data={**batch, "csrf_token": token})
    assert created.status_code == 303
    entry_url = created.headers["Location"] + "/entry"
    assert client.post(entry_url, data=entry_data(1, ANSWERS)).status_code == 400
    with csrf_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id))) == 0
    token = _token(client.get(entry_url).get_data(as_text=True))
    assert client.post(entry_url, data={**entry_data(1, ANSWERS), "csrf_token": token}).status_code == 303
    for action in ("resolve", "decision", "withdraw"):
        response = client.post(f"/staff/paper/questionnaires/1/{action}", data={"decision": "keep_other"})
        assert response.status_code == 400, action
        assert "有効期限が切れました" in response.get_data(as_text=True), action
    with csrf_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(PaperEntry.id))) == 1
