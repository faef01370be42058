"""The migrations of the screening, kiosk assignments and response times keep every answer."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask_migrate import downgrade, upgrade

from surveyapp.extensions import db
from tests.kiosk.conftest import make_kiosk
from tests.results.factories import add_responses, digital_services_sample

BEFORE = "b5a2a299464d"  # the head before these migrations


def _count(table: str) -> int:
    return int(db.session.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def test_upgrading_existing_data_keeps_answers_rounds_times_and_binds_devices(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(3, 2, comment="よい"))
    kiosk = make_kiosk(app)
    with app.app_context():
        answers = _count("answers")
        db.session.remove()
        downgrade(revision=BEFORE)
        assert _count("answers") == answers, "going back keeps every answer"
        db.session.execute(sa.text("UPDATE responses SET submitted_at = :t"),
                           {"t": "2026-06-01 01:02:03.456789"})
        db.session.execute(sa.text("DELETE FROM kiosk_devices WHERE id <> :id"), {"id": kiosk.device_id})
        db.session.commit()
        db.session.remove()
        upgrade()
        assert _count("answers") == answers, "upgrading keeps every answer"
        times = db.session.execute(sa.text("SELECT DISTINCT submitted_at FROM responses")).scalars().all()
        assert [str(t)[:19] for t in times] == ["2026-06-01 01:02:00"]
        assert db.session.execute(sa.text("SELECT count(*) FROM responses WHERE flagged")).scalar_one() == 0
        bound = db.session.execute(sa.text("SELECT device_id, link_id FROM kiosk_assignments")).all()
        assert [tuple(row) for row in bound] == [(kiosk.device_id, kiosk.link_id)]
