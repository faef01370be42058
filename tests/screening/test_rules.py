"""Each screening rule, through the public pages; people at a person's pace are not flagged."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.respond.models import Response
from surveyapp.screening.models import SourceEvent
from tests.conftest import link_code
from tests.screening.helpers import flags_of, from_address, respond


def test_people_answering_at_their_own_pace_are_not_flagged(app: Flask) -> None:
    for number in range(3):
        assert respond(from_address(app, f"198.51.100.{number + 1}"), app) == 303
    assert flags_of(app) == [[], [], []]


def test_the_honeypot_is_hidden_from_people_and_flags_a_script_that_fills_it(app: Flask) -> None:
    client = from_address(app, "198.51.100.1")
    code = link_code(app, "digital-services")
    client.post(f"/s/{code}")
    html = client.get(f"/s/{code}/p/1").get_data(as_text=True)
    assert '<div hidden><label for="Website">' in html
    assert 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert respond(client, app, extra={"Website": "https://spam.example"}) == 303
    assert flags_of(app) == [["honeypot"]]
    filled_on_one_page_only = from_address(app, "198.51.100.2")
    assert respond(filled_on_one_page_only, app) == 303  # an empty honeypot is not a flag
    assert flags_of(app) == [[], ["honeypot"]]


def test_a_survey_finished_too_fast_for_its_questions_is_flagged(app: Flask) -> None:
    # digital-services has 6 questions: under 6 seconds is faster than anyone can read them.
    assert respond(from_address(app, "198.51.100.1"), app, took=timedelta(seconds=4)) == 303
    assert respond(from_address(app, "198.51.100.2"), app, took=timedelta(seconds=40)) == 303
    assert flags_of(app) == [[], ["fast"]]
    with app.app_context():
        reasons = db.session.scalar(sa.select(Response.flag_reasons).where(Response.flagged))
    assert reasons == [{"code": "fast", "limit_seconds": 6.0, "questions": 6}]


def test_a_fourth_response_from_one_browser_session_is_flagged(app: Flask) -> None:
    family_phone = from_address(app, "198.51.100.1")
    for _ in range(4):
        assert respond(family_phone, app) == 303
    assert flags_of(app) == [[], [], [], ["session"]]


def test_a_burst_from_one_address_is_flagged_even_with_fresh_cookies(app: Flask) -> None:
    for _ in range(6):  # a script that drops its cookies every time
        assert respond(from_address(app, "203.0.113.9"), app) == 303
    assert respond(from_address(app, "198.51.100.7"), app) == 303  # someone elsewhere meanwhile
    assert flags_of(app) == [[], [], [], [], [], [], ["burst"]]
    with app.app_context():
        reasons = db.session.scalar(sa.select(Response.flag_reasons).where(Response.flagged))
    assert reasons == [{"code": "burst", "count": 6, "max": 5, "window_seconds": 600}]


def test_thresholds_are_settings(app_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import load_builtin_surveys

    app = load_builtin_surveys(app_factory(FLAG_SESSION_MAX=10, FLAG_BURST="10 per hour",
                                           FLAG_MIN_SECONDS_PER_QUESTION=0))
    phone = from_address(app, "198.51.100.1")
    for _ in range(5):
        assert respond(phone, app, took=timedelta(seconds=1)) == 303
    assert flags_of(app) == [[]] * 5


def test_sources_live_one_day_apart_from_responses(app: Flask) -> None:
    """The table has no response number, survey or link, and rows older than a day go."""
    from surveyapp.timeutil import utcnow

    with app.app_context():
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("submission_sources")}
        foreign = sa.inspect(db.engine).get_foreign_keys("submission_sources")
    assert columns == {"id", "source_hash", "session_hash", "created_at"}
    assert foreign == []
    assert respond(from_address(app, "198.51.100.1"), app) == 303
    with app.app_context():
        stored = db.session.scalars(sa.select(SourceEvent)).all()
        assert len(stored) == 1 and "198.51.100.1" not in stored[0].source_hash
        db.session.add(SourceEvent(source_hash="x" * 32, created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-flows"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 submission sources older than one day" in result.output
    with app.app_context():
        db.session.add(SourceEvent(source_hash="y" * 32, created_at=utcnow() - timedelta(hours=25)))
        db.session.commit()
    assert respond(from_address(app, "198.51.100.2"), app) == 303  # a submission purges as well
    with app.app_context():
        oldest = db.session.scalar(sa.select(sa.func.min(SourceEvent.created_at)))
        assert oldest is not None and oldest > utcnow() - timedelta(days=1)


def test_flags_are_decided_from_the_database_across_workers(app_factory) -> None:  # type: ignore[no-untyped-def]
    """Two app instances (two workers) on one database count the same burst."""
    from tests.conftest import load_builtin_surveys

    first = load_builtin_surveys(app_factory())
    second = app_factory(DATABASE_URL=first.config["SQLALCHEMY_DATABASE_URI"])
    for number in range(6):
        worker = first if number % 2 else second
        assert respond(from_address(worker, "203.0.113.9"), worker) == 303
    assert flags_of(first) == [[], [], [], [], [], ["burst"]]


def test_submissions_screened_at_given_times(app: Flask) -> None:
    """The service level: windows are measured from the submission time."""
    import uuid

    from surveyapp.respond.services import submit_response
    from surveyapp.screening.services import Signals
    from surveyapp.surveys.services import get_survey, version_definition

    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        start = datetime(2026, 6, 1, 1, 0)
        flagged = []
        for minute in (0, 1, 2, 3, 4, 5, 30):  # six within ten minutes, then a pause
            receipt = submit_response(
                defn=defn, version=version, link=survey.links[0], channel="web",
                client_uuid=uuid.uuid4(), answers={"digital_satisfaction": "satisfied"},
                now=start + timedelta(minutes=minute),
                signals=Signals(source="s" * 32, started_at=start - timedelta(minutes=5)))
            response = db.session.get(Response, receipt.response_id)
            assert response is not None
            flagged.append(response.flagged)
    assert flagged == [False] * 5 + [True, False]
