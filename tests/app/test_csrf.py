"""CSRF protection on every form."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow
from tests.conftest import link_code, load_builtin_surveys


@pytest.fixture
def csrf_app(app_factory: Any) -> Flask:
    return load_builtin_surveys(app_factory(WTF_CSRF_ENABLED=True))


def test_posts_without_a_token_are_refused(csrf_app: Flask) -> None:
    client = csrf_app.test_client()
    code = link_code(csrf_app, "counter")
    response = client.post(f"/s/{code}")
    assert response.status_code == 400
    assert "有効期限が切れました" in response.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RespondentFlow.id))) == 0
    assert client.post("/staff/login", data={"email": "a@b.jp", "password": "x"}).status_code == 400


def test_the_token_from_the_page_is_accepted(csrf_app: Flask) -> None:
    import re

    client = csrf_app.test_client()
    code = link_code(csrf_app, "counter")
    html = client.get(f"/s/{code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    assert client.post(f"/s/{code}", data={"csrf_token": token.group(1)}).status_code == 303
