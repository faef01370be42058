"""Response times are kept no finer than the minute, and nothing else tells the finer time or order."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow, Response
from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import answer_survey, load_builtin_surveys

FULL = {"digital_satisfaction": "satisfied", "services_used": ["website"], "age_band": "40_49",
        "gender": "female", "area": "naka"}


def test_a_web_response_is_stored_to_the_minute(client: FlaskClient, app: Flask) -> None:
    client_uuid = answer_survey(client, app, "digital-services", FULL)
    with app.app_context():
        response = db.session.scalar(sa.select(Response))
        assert response is not None and str(response.client_uuid) == client_uuid
        assert (response.submitted_at.second, response.submitted_at.microsecond) == (0, 0)
        flow = db.session.scalar(sa.select(RespondentFlow))
        assert flow is not None and flow.submitted_at == response.submitted_at
        for moment in (flow.created_at, flow.updated_at):
            assert (moment.second, moment.microsecond) == (0, 0), "the flow keeps no finer time either"


def _submit(app: Flask, when: datetime) -> Response:
    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        receipt = submit_response(defn=version_definition(version), version=version,
                                  link=survey.links[0], channel="web", client_uuid=uuid.uuid4(),
                                  answers=FULL, now=when)
        response = db.session.get(Response, receipt.response_id)
        assert response is not None
        assert receipt.submitted_at == response.submitted_at
        db.session.expunge(response)
        return response


def test_a_coarser_setting_rounds_down_and_keeps_the_fiscal_year(app_factory) -> None:  # type: ignore[no-untyped-def]
    app = load_builtin_surveys(app_factory(RESPONSE_TIME_MINUTES=15))
    stored = _submit(app, datetime(2027, 3, 31, 14, 59, 59, 999999))  # 23:59 in Japan, 31 March
    assert stored.submitted_at == datetime(2027, 3, 31, 14, 45)
    assert stored.fiscal_year == 2026
    later = _submit(app, datetime(2027, 3, 31, 15, 7, 1))  # 00:07 in Japan, 1 April
    assert later.submitted_at == datetime(2027, 3, 31, 15, 0)
    assert later.fiscal_year == 2027


def test_response_numbers_do_not_follow_the_order_of_submission(app: Flask) -> None:
    ids = [_submit(app, datetime(2026, 6, 1, 1, 0, second)).id for second in range(30)]
    assert len(set(ids)) == 30
    assert ids != sorted(ids), "the k-th number must not be the k-th request of an access log"
    assert max(ids) - min(ids) > 1000
