"""Database discipline: SQLite pragmas, immediate write transactions, migrations = models."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from surveyapp.extensions import db, sqlite_settings
from surveyapp.respond.models import Response
from surveyapp.respond.services import submit_response
from surveyapp.surveys.models import ImmutableVersionError, Question
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import PG_URL


def test_migrations_from_empty_reproduce_the_models(bare_app: Flask) -> None:
    with bare_app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_flask_db_check_is_clean(bare_app: Flask) -> None:
    result = bare_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_database_is_durable(bare_app: Flask) -> None:
    """SQLite: WAL, synchronous=FULL, busy timeout, foreign keys. PostgreSQL: synchronous commit."""
    with bare_app.app_context():
        if PG_URL:
            with db.engine.connect() as conn:
                assert conn.scalar(sa.text("SHOW synchronous_commit")) == "on"
                assert conn.scalar(sa.text("SHOW fsync")) == "on"
            return
        settings = sqlite_settings(db.engine)
    assert settings["journal_mode"] == "wal"
    assert settings["synchronous"] == 2
    assert settings["busy_timeout"] >= 5000
    assert settings["foreign_keys"] == 1


def test_concurrent_submissions_all_commit(app: Flask) -> None:
    """Eight writers at once: each waits its turn, none fails with 'database is locked'."""
    errors: list[BaseException] = []

    def submit(worker: int) -> None:
        try:
            with app.app_context():
                survey = get_survey("counter")
                version = survey.current_version
                assert version is not None
                for _ in range(5):
                    submit_response(defn=version_definition(version), version=version,
                                    link=survey.links[0], channel="counter",
                                    client_uuid=uuid.uuid4(),
                                    answers={"counter_satisfaction": "satisfied"})
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 40


def test_published_versions_cannot_be_changed(app: Flask) -> None:
    with app.app_context():
        question = db.session.scalar(sa.select(Question).limit(1))
        assert question is not None
        question.texts = {"ja": "書き換え"}
        with pytest.raises(ImmutableVersionError):
            db.session.flush()
        db.session.rollback()


def test_duplicate_client_uuid_is_refused_by_the_database(app: Flask) -> None:
    with app.app_context():
        survey = get_survey("counter")
        version = survey.current_version
        assert version is not None
        same = uuid.uuid4()
        for _ in range(2):
            db.session.add(Response(client_uuid=same, survey_id=survey.id,
                                    survey_version_id=version.id, channel="web",
                                    fiscal_year=2026, body_hash="x" * 64))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_responses_have_no_column_for_personal_data(bare_app: Flask) -> None:
    columns = {c.name for c in Response.__table__.columns}
    assert not columns & {"ip", "ip_address", "user_agent", "name", "email", "address"}


def test_instance_readme_is_the_only_tracked_instance_file() -> None:
    root = Path(__file__).resolve().parents[2]
    ignore = (root / ".gitignore").read_text()
    assert "instance/*" in ignore and "!instance/README.md" in ignore
