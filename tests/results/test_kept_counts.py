"""The counts kept with the responses always agree with the raw answers, and every result read
from them equals the result of the raw GROUP BY, whatever happens to the responses."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask

from surveyapp.demo import delete_demo_responses, demo_answers
from surveyapp.extensions import db
from surveyapp.kiosk.models import KioskDevice
from surveyapp.kiosk.services import deliver_response
from surveyapp.respond.counts import differences
from surveyapp.respond.models import Response, ResponseCount
from surveyapp.respond.services import submit_response
from surveyapp.results import BY_CHANNEL, ResultFilter, counted, find_declaration, kpi_breakdown, kpi_year_results
from surveyapp.results.demo import demo_status
from surveyapp.results.overview import fiscal_years
from surveyapp.screening.services import Signals, set_flag
from surveyapp.surveys.models import SurveyVersion
from surveyapp.surveys.services import get_survey, version_definition
from surveyapp.timeutil import from_japan
from tests.kiosk.conftest import make_kiosk
from tests.paper.helpers import key, keyer, new_batch

SURVEY = "digital-services"
KPI = "digital_satisfaction_rate"


def _filters(link_id: int) -> list[ResultFilter]:
    base = [ResultFilter(), ResultFilter(include_demo=False), ResultFilter(include_demo=True),
            ResultFilter(include_flagged=True), ResultFilter(channel="web"),
            ResultFilter(channel="demo"), ResultFilter(channel="paper"), ResultFilter(link_id=link_id),
            ResultFilter(group_question="age_band", group_option="70_over"),
            ResultFilter(group_question="services_used", group_option="website", include_flagged=True),
            ResultFilter(date_from=date(2026, 4, 1)),
            ResultFilter(date_from=date(2025, 6, 2), date_to=date(2026, 6, 1), channel="web"),
            ResultFilter(group_question="gender", group_option="female", date_to=date(2026, 5, 1)),
            ResultFilter(invited_only=True)]
    return base + [replace(f, include_flagged=not f.include_flagged) for f in base[:4]]


def _results(app: Flask, link_id: int) -> list[Any]:
    declaration = find_declaration(SURVEY, KPI)
    survey_id = get_survey(SURVEY).id
    seen: list[Any] = [demo_status(), fiscal_years(survey_id)]
    for selection in _filters(link_id):
        years = kpi_year_results(declaration, selection=selection)
        seen.append(years)
        for result in years:
            seen.append(kpi_breakdown(declaration, result.fiscal_year, BY_CHANNEL, selection=selection))
            for group in declaration.groups:
                seen.append(kpi_breakdown(declaration, result.fiscal_year, group.key, selection=selection))
    return seen


def _check(app: Flask, link_id: int) -> None:
    with app.app_context():
        assert differences() == []
        assert counted.kpi_counts(get_survey(SURVEY).id, "digital_satisfaction", ResultFilter()) \
            is not None, "the default results are read from the kept counts"
        kept = _results(app, link_id)
        app.config["RESULTS_FROM_COUNTS"] = False
        try:
            raw = _results(app, link_id)
        finally:
            app.config["RESULTS_FROM_COUNTS"] = True
        db.session.rollback()
    assert kept == raw


def _submit_web(app: Flask, rng: random.Random) -> None:
    with app.app_context():
        survey = get_survey(SURVEY)
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        answers = demo_answers(defn, rng)
        if rng.random() < 0.2:
            answers.pop("digital_satisfaction", None)
        when = datetime(2025, 5, 1, 23, 30) + timedelta(days=rng.randrange(500), minutes=rng.randrange(60))
        signals = Signals(source=f"source-{rng.randrange(10**9)}", honeypot=rng.random() < 0.3)
        submit_response(defn=defn, version=version, link=survey.links[0], channel="web",
                        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4), answers=answers,
                        now=from_japan(when), signals=signals, check_open=False,
                        enforce_required=False)


def _toggle_flag(app: Flask, rng: random.Random) -> None:
    with app.app_context():
        flagged = [(response_id, state) for response_id, state, reasons in db.session.execute(
            sa.select(Response.id, Response.flagged, Response.flag_reasons).order_by(Response.id))
            if reasons]
        if flagged:
            response_id, state = rng.choice(flagged)
            set_flag(response_id, flagged=not state, user_id=None)


def test_random_submissions_paper_kiosk_flags_and_demo_data_keep_every_count_exact(app: Flask) -> None:
    rng = random.Random(11)
    runner = app.test_cli_runner()
    first, second = keyer(app, "keyer-a"), keyer(app, "keyer-b")
    batch_id = new_batch(first, received_on="2026-06-03", expected=40)
    kiosk = make_kiosk(app)
    with app.app_context():
        link_id = get_survey(SURVEY).links[0].id
        version = get_survey(SURVEY).current_version
        assert version is not None
        defn = version_definition(version)
    serial = 0
    seed = 0
    _check(app, link_id)
    for step in range(36):
        action = rng.choice(["web", "web", "web", "flag", "paper", "kiosk", "demo", "demo_delete"])
        if action == "web":
            _submit_web(app, rng)
        elif action == "flag":
            _toggle_flag(app, rng)
        elif action == "paper":
            serial += 1
            drawn = demo_answers(defn, rng)
            answers = {q.key: drawn.get(q.key, [] if q.type == "multiple" else "-")
                       for q in defn.questions if q.type != "text"}
            assert key(first, batch_id, serial, answers).status_code == 303
            assert key(second, batch_id, serial, answers).status_code == 303
        elif action == "kiosk":
            with app.app_context():
                version = db.session.get(SurveyVersion, kiosk.version_id)
                assert version is not None
                device = db.session.get(KioskDevice, kiosk.device_id)
                deliver_response(device, link_code=kiosk.code, version_id=kiosk.version_id,
                                 client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                                 answers=demo_answers(version_definition(version), rng))
        elif action == "demo":
            seed += 1
            result = runner.invoke(args=["demo", "responses", "--survey", SURVEY, "--count",
                                         str(rng.randint(1, 6)), "--seed", str(seed)])
            assert result.exit_code == 0, result.output
        else:
            if rng.random() < 0.5:
                result = runner.invoke(args=["demo", "delete", "--survey", SURVEY])
                assert result.exit_code == 0, result.output
            else:
                with app.app_context():
                    delete_demo_responses(get_survey(SURVEY))
        if step % 4 == 3:
            _check(app, link_id)
    _check(app, link_id)
    with app.app_context():
        channels = set(db.session.scalars(sa.select(Response.channel).distinct()))
        assert {"web", "paper", "kiosk"} <= channels
        assert db.session.scalar(sa.select(sa.func.count()).where(Response.flagged.is_(True))), \
            "the sequence left some responses flagged"


def test_verify_finds_a_tampered_count_and_rebuild_repairs_it(app: Flask) -> None:
    rng = random.Random(5)
    for _ in range(6):
        _submit_web(app, rng)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["results", "verify"])
    assert result.exit_code == 0 and "every count agrees" in result.output
    with app.app_context():
        db.session.execute(sa.update(ResponseCount).where(
            ResponseCount.question_key == "age_band").values(n=ResponseCount.n + 1))
        db.session.commit()
    result = runner.invoke(args=["results", "verify"])
    assert result.exit_code == 1
    assert "response_counts" in result.output and "age_band" in result.output
    result = runner.invoke(args=["results", "rebuild"])
    assert result.exit_code == 0
    assert runner.invoke(args=["results", "verify"]).exit_code == 0
    with app.app_context():
        assert differences() == []
