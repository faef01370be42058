"""CSRF protection on every form."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow
from tests.conftest import link_code, make_app


@pytest.fixture
def csrf_app(migrated_database: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    app = make_app(migrated_database, tmp_path, WTF_CSRF_ENABLED=True)
    app.test_cli_runner().invoke(args=["surveys", "load", "--builtin", "--open"])
    yield app
    from tests.conftest import PG_URL, _truncate_all

    with app.app_context():
        db.session.remove()
        if PG_URL:
            _truncate_all()
        db.engine.dispose()


def test_posts_without_a_token_are_refused(csrf_app) -> None:  # type: ignore[no-untyped-def]
    client = csrf_app.test_client()
    code = link_code(csrf_app, "counter")
    response = client.post(f"/s/{code}")
    assert response.status_code == 400
    assert "有効期限が切れました" in response.get_data(as_text=True)
    with csrf_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(RespondentFlow.id))) == 0
    assert client.post("/staff/login", data={"email": "a@b.jp", "password": "x"}).status_code == 400


def test_the_token_from_the_page_is_accepted(csrf_app) -> None:  # type: ignore[no-untyped-def]
    import re

    client = csrf_app.test_client()
    code = link_code(csrf_app, "counter")
    html = client.get(f"/s/{code}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    assert client.post(f"/s/{code}", data={"csrf_token": token.group(1)}).status_code == 303
