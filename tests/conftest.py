"""Fixtures: an app on a freshly migrated database (SQLite by default, PostgreSQL when
``TEST_DATABASE_URL`` is set), test clients and named staff personas."""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp import create_app
from surveyapp.extensions import db

PG_URL = os.environ.get("TEST_DATABASE_URL")
PASSWORD = "correct horse battery staple"
PERSONAS = {
    "admin": "admin@city.example.jp",
    "analyst": "analyst@city.example.jp",
    "course-staff": "course@city.example.jp",
    "data-entry": "entry@city.example.jp",
    "author": "author@city.example.jp",
}


def pytest_report_header(config: Any) -> str:
    return f"database: {'PostgreSQL' if PG_URL else 'SQLite'}"


def _base_config(instance: Path, url: str) -> dict[str, Any]:
    return {
        "INSTANCE_PATH": str(instance),
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "survey.test",
    }


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the migrations once; tests get a copy (SQLite) or truncated tables (PostgreSQL)."""
    from flask_migrate import upgrade

    instance = tmp_path_factory.mktemp("template-instance")
    url = PG_URL or f"sqlite:///{instance / 'template.sqlite3'}"
    app = create_app(_base_config(instance, url))
    with app.app_context():
        if PG_URL:
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return url


def _fresh_url(template_url: str, tmp_path: Path) -> str:
    if PG_URL:
        return template_url
    source = Path(template_url.removeprefix("sqlite:///"))
    target = tmp_path / "surveyapp.sqlite3"
    shutil.copyfile(source, target)
    return f"sqlite:///{target}"


def _truncate_all() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


def make_app(migrated_database: str, tmp_path: Path, **overrides: Any) -> Flask:
    config = _base_config(tmp_path / "instance", _fresh_url(migrated_database, tmp_path))
    config.update(overrides)
    return create_app(config)


def load_builtin_surveys(app: Flask) -> Flask:
    """Load the built-in KPI surveys and open each with a web link."""
    result = app.test_cli_runner().invoke(args=["surveys", "load", "--builtin", "--open"])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def app_factory(migrated_database: str, tmp_path: Path) -> Iterator[Any]:
    """Build an app on an empty migrated database with setting overrides; cleaned up after."""
    made: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        app = make_app(migrated_database, tmp_path, **overrides)
        made.append(app)
        return app

    yield build
    for app in made:
        with app.app_context():
            db.session.remove()
            if PG_URL:
                _truncate_all()
            db.engine.dispose()


@pytest.fixture
def bare_app(app_factory: Any) -> Flask:
    """An app on an empty migrated database."""
    return app_factory()  # type: ignore[no-any-return]


@pytest.fixture
def app(bare_app: Flask) -> Flask:
    """An app with the built-in KPI surveys loaded and open, each with a web link."""
    return load_builtin_surveys(bare_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def make_staff(app: Flask, role: str) -> str:
    from surveyapp.auth.services import create_staff

    with app.app_context():
        create_staff(PERSONAS[role], PASSWORD, role)
    return PERSONAS[role]


def login(client: FlaskClient, app: Flask, role: str) -> None:
    """Create the persona for ``role`` (if needed) and log the client in."""
    from surveyapp.auth.models import StaffUser

    with app.app_context():
        exists = db.session.scalar(sa.select(StaffUser.id).where(
            StaffUser.email == PERSONAS[role])) is not None
    if not exists:
        make_staff(app, role)
    response = client.post("/staff/login", data={"email": PERSONAS[role], "password": PASSWORD})
    assert response.status_code == 303, response.data


def link_code(app: Flask, survey_key: str) -> str:
    from surveyapp.surveys.services import get_survey

    with app.app_context():
        return get_survey(survey_key).links[0].code


def start_flow(client: FlaskClient, code: str) -> None:
    """Open the start page: its GET makes the flow's client id (kept in the session)."""
    response = client.get(f"/s/{code}")
    assert response.status_code == 200, response.data


def post_with_errors(client: FlaskClient, url: str, data: dict[str, Any]) -> Any:
    """POST a page that does not validate: the answer is a 303 back to the same page (so the
    browser's history never holds the POST); returns the page that the redirect shows."""
    response = client.post(url, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    assert response.headers["Location"].endswith(url)
    page = client.get(url)
    assert page.status_code == 200
    return page


def response_id_on(html: str) -> str:
    match = re.search(r'name="response_id"[^>]*value="([0-9a-f-]+)"', html) or re.search(
        r'value="([0-9a-f-]{36})"[^>]*name="response_id"', html)
    assert match, "the final page carries the response id"
    return match.group(1)


def answer_survey(client: FlaskClient, app: Flask, survey_key: str,
                  answers: dict[str, Any]) -> str:
    """Walk every page of a survey with these answers; returns the response UUID used."""
    from surveyapp.surveys.services import get_survey, version_definition

    code = link_code(app, survey_key)
    with app.app_context():
        version = get_survey(survey_key).current_version
        assert version is not None
        pages = version_definition(version).pages()
    client_uuid = ""
    for number, questions in enumerate(pages, start=1):
        # The first page's questions are on the start page, after the introduction.
        url = f"/s/{code}" if number == 1 else f"/s/{code}/p/{number}"
        page = client.get(url)
        assert page.status_code == 200
        data: dict[str, Any] = {q.key: answers[q.key] for q in questions if q.key in answers}
        data["Website"] = ""  # the field nobody sees, sent empty as browsers do
        if number == len(pages):
            client_uuid = response_id_on(page.get_data(as_text=True))
            data["response_id"] = client_uuid
        result = client.post(url, data=data)
        assert result.status_code == 303, result.get_data(as_text=True)[:2000]
    return client_uuid


def new_uuid() -> str:
    return str(uuid.uuid4())
