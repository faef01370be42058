"""The invitations migration adds a column with a foreign key to ``responses``; on SQLite that
recreates the table. No stored response or answer may be lost on the way up or down."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from surveyapp.extensions import db
from tests.results.factories import add_responses, digital_services_sample

INVITATIONS_REVISION = "b5bb3305c336"


def _counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {table: conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in ("responses", "answers")}


def _answers() -> set[tuple[str, str | None]]:
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT r.client_uuid, a.question_key, a.option_code FROM answers a "
            "JOIN responses r ON r.id = a.response_id")).all()
    return {(str(u), f"{q}={o}") for u, q, o in rows}


def test_responses_and_their_answers_survive_the_invitations_migration(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(successes=7, failures=5, not_used=3))
    with app.app_context():
        before, stored = _counts(), _answers()
        assert before["responses"] == 15 and before["answers"] > 15
        db.session.remove()
        downgrade(revision=f"{INVITATIONS_REVISION}-1")
        assert _counts() == before and _answers() == stored
        upgrade()
        assert _counts() == before and _answers() == stored
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("responses")}
            keys = sa.inspect(conn).get_foreign_keys("responses")
        assert "invitation_stratum_id" in columns
        assert any(k["referred_table"] == "invitation_strata" for k in keys)
