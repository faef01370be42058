"""The counts kept with the responses always agree with the raw answers, and every result read
from them equals the result of the raw GROUP BY, whatever happens to the responses."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from surveyapp.demo import delete_demo_responses, demo_answers
from surveyapp.extensions import db
from surveyapp.kiosk.models import KioskDevice
from surveyapp.kiosk.services import deliver_response
from surveyapp.respond.counts import TABLES, _stored, differences
from surveyapp.respond.models import ProfileMonthCount, Response, ResponseCount
from surveyapp.respond.services import submit_response
from surveyapp.results import BY_CHANNEL, ResultFilter, counted, find_declaration, kpi_breakdown, kpi_year_results
from surveyapp.results.demo import demo_status
from surveyapp.results.overview import fiscal_years
from surveyapp.screening.services import Signals, set_flag
from surveyapp.surveys.definitions import builtin_paths, loads_definition
from surveyapp.surveys.models import SurveyVersion
from surveyapp.surveys.services import get_survey, load_survey, version_definition
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
            ResultFilter(invited_only=True),
            # A group filter on a demographic question with a date range (and a channel), and
            # alone: the breakdowns by the other demographic questions read the profile cells.
            ResultFilter(group_question="area", group_option="naka", date_from=date(2025, 9, 1),
                         date_to=date(2026, 8, 31)),
            ResultFilter(group_question="age_band", group_option="18_29", channel="web",
                         date_from=date(2026, 1, 1), include_flagged=True),
            ResultFilter(group_question="gender", group_option="male"),
            ResultFilter(group_question="gender", group_option="female", date_from=date(2025, 7, 3),
                         date_to=date(2025, 8, 20)),
            ResultFilter(date_from=date(2025, 5, 2), date_to=date(2025, 12, 31), include_demo=True)]
    return base + [replace(f, include_flagged=not f.include_flagged) for f in base[:4]]


PROFILE_FILTERS = (ResultFilter(group_question="gender", group_option="female", date_from=date(2025, 4, 1)),
                   ResultFilter(date_to=date(2027, 3, 31)),
                   ResultFilter(group_question="gender", group_option="female"))


def _from_profiles(by: str) -> bool:
    """Whether breakdowns by ``by`` under a date range and/or a demographic group filter are read
    from the kept counts (in every fiscal year)."""
    survey_id = get_survey(SURVEY).id
    return all(counted.breakdown_rows(survey_id, "digital_satisfaction", by, year, selection) is not None
               for year in (2025, 2026) for selection in PROFILE_FILTERS)


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


def _check(app: Flask, link_id: int, *, area_from_profiles: bool = True) -> None:
    with app.app_context():
        assert differences() == []
        assert counted.kpi_counts(get_survey(SURVEY).id, "digital_satisfaction", ResultFilter()) \
            is not None, "the default results are read from the kept counts"
        assert _from_profiles("age_band"), "filtered breakdowns are read from the kept counts"
        assert _from_profiles("area") is area_from_profiles
        kept = _results(app, link_id)
        app.config["RESULTS_FROM_COUNTS"] = False
        try:
            raw = _results(app, link_id)
        finally:
            app.config["RESULTS_FROM_COUNTS"] = True
        db.session.rollback()
    assert kept == raw


def _submit_web(app: Flask, rng: random.Random, survey_key: str = SURVEY) -> None:
    with app.app_context():
        survey = get_survey(survey_key)
        version = survey.current_version
        assert version is not None
        defn = version_definition(version)
        answers = demo_answers(defn, rng)
        if rng.random() < 0.2:
            answers.pop(defn.kpis[0].question, None)
        when = datetime(2025, 5, 1, 23, 30) + timedelta(days=rng.randrange(500), minutes=rng.randrange(60))
        signals = Signals(source=f"source-{rng.randrange(10**9)}", honeypot=rng.random() < 0.3)
        submit_response(defn=defn, version=version, link=survey.links[0], channel="web",
                        client_uuid=uuid.UUID(int=rng.getrandbits(128), version=4), answers=answers,
                        now=from_japan(when), signals=signals, check_open=False,
                        enforce_required=False)


def _publish_without_area_demographic(app: Flask) -> None:
    source = next(p for p in builtin_paths() if p.stem == SURVEY).read_text(encoding="utf-8")
    assert 'demographic = "area"\n' in source
    with app.app_context():
        load_survey(loads_definition(source.replace('demographic = "area"\n', "")))


def _publish_without_area_question(app: Flask) -> None:
    source = next(p for p in builtin_paths() if p.stem == SURVEY).read_text(encoding="utf-8")
    start = source.index('[[questions]]\nkey = "area"\n')
    end = source.index("[[questions]]", start + 1)
    with app.app_context():
        load_survey(loads_definition(source[:start] + source[end:]))


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
    area_in_profiles = True
    _check(app, link_id)
    for step in range(36):
        action = rng.choice(["web", "web", "web", "flag", "paper", "kiosk", "demo", "demo_delete"])
        if step == 12:
            # A new version no longer declares the area question demographic: it is still a
            # single-choice question, so its responses' profiles keep the area and breakdowns
            # by area under a filter are still read from the profile cells.
            _publish_without_area_demographic(app)
            for _ in range(2):
                _submit_web(app, rng)
        if step == 24:
            # A newer version has no area question: its responses' profiles have no area, so
            # breakdowns by area under a filter run the raw query.
            _publish_without_area_question(app)
            for _ in range(2):
                _submit_web(app, rng)
            area_in_profiles = False
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
            _check(app, link_id, area_from_profiles=area_in_profiles)
    _check(app, link_id, area_from_profiles=area_in_profiles)
    with app.app_context():
        channels = set(db.session.scalars(sa.select(Response.channel).distinct()))
        assert {"web", "paper", "kiosk"} <= channels
        assert db.session.scalar(sa.select(sa.func.count()).where(Response.flagged.is_(True))), \
            "the sequence left some responses flagged"


# Surveys with a single-choice question that is neither demographic nor a KPI's own: a filter on
# it, with a date range, and the breakdowns under it are read from the profile cells too.
OTHER_QUESTIONS = {"counter": ("counter_satisfaction_rate", "purpose"),
                   "digital-divide-course": ("course_satisfaction_rate", "attend_again")}


def _filtered_results(survey_key: str, kpi_key: str, selections: list[ResultFilter]) -> list[Any]:
    declaration = find_declaration(survey_key, kpi_key)
    seen: list[Any] = []
    for selection in selections:
        years = kpi_year_results(declaration, selection=selection)
        seen.append(years)
        for result in years:
            for group in (BY_CHANNEL, *(g.key for g in declaration.groups)):
                seen.append(kpi_breakdown(declaration, result.fiscal_year, group, selection=selection))
    return seen


def test_a_filter_on_a_question_that_is_not_demographic_is_read_from_the_profile_cells(app: Flask) -> None:
    rng = random.Random(21)
    for survey_key, (kpi_key, other) in OTHER_QUESTIONS.items():
        for _ in range(40):
            _submit_web(app, rng, survey_key)
        with app.app_context():
            survey = get_survey(survey_key)
            declaration = find_declaration(survey_key, kpi_key)
            question = version_definition(survey.current_version).question(other)  # type: ignore[arg-type]
            selections = [ResultFilter(group_question=other, group_option=option.code,
                                       date_from=date(2025, 4, 1 + n), date_to=date(2026, 7, 20 - n),
                                       include_flagged=n % 2 == 0)
                          for n, option in enumerate(question.options)]
            selections += [ResultFilter(group_question=other, group_option=question.options[0].code,
                                        channel="web"),
                           ResultFilter(group_question=other, group_option=question.options[1].code,
                                        date_from=date(2025, 11, 15))]
            for selection in selections:
                if selection.date_from is not None:
                    assert counted.kpi_counts(survey.id, declaration.question_key, selection) is not None, \
                        (survey_key, selection)
                for group in declaration.demographics:
                    assert counted.breakdown_rows(survey.id, declaration.question_key, group.key, 2025,
                                                  selection) is not None, (survey_key, group.key, selection)
            assert differences() == []
            kept = _filtered_results(survey_key, kpi_key, selections)
            app.config["RESULTS_FROM_COUNTS"] = False
            try:
                raw = _filtered_results(survey_key, kpi_key, selections)
            finally:
                app.config["RESULTS_FROM_COUNTS"] = True
            db.session.rollback()
        assert kept == raw, survey_key


def test_a_date_range_is_read_as_whole_months_and_the_days_at_either_end_each_day_once() -> None:
    rng = random.Random(3)
    start = date(2025, 1, 1)
    for _ in range(300):
        first = start + timedelta(days=rng.randrange(800)) if rng.random() < 0.9 else None
        last = start + timedelta(days=rng.randrange(800)) if rng.random() < 0.9 else None
        covered: list[date] = []
        for model, _column, low, high in counted._spans(first, last):
            lo = low or date(2024, 11, 1)
            hi = high or date(2027, 6, 1)
            if model.__tablename__ == "profile_month_counts":
                assert lo.day == 1 and hi.day == 1
                month = lo
                while month <= hi:
                    covered += [month + timedelta(days=d) for d in range(40)
                                if (month + timedelta(days=d)).month == month.month]
                    month = (month + timedelta(days=32)).replace(day=1)
            else:
                covered += [lo + timedelta(days=d) for d in range((hi - lo).days + 1)]
        window = [d for d in covered if start <= d <= start + timedelta(days=850)]
        expected = [start + timedelta(days=d) for d in range(851)
                    if (first is None or start + timedelta(days=d) >= first)
                    and (last is None or start + timedelta(days=d) <= last)]
        assert sorted(window) == expected, (first, last)


@pytest.mark.parametrize("title", ["profile counts", "profile questions"])
def test_the_migration_fills_the_profile_cells_as_the_submissions_did(app: Flask, title: str) -> None:
    """Both migrations that fill the profile cells ("profile questions": a profile holds the
    area once the area is no longer demographic) give the cells the submissions kept."""
    rng = random.Random(8)
    for _ in range(10):
        _submit_web(app, rng)
    _publish_without_area_demographic(app)
    for _ in range(5):
        _submit_web(app, rng)
    migrations = ScriptDirectory(str(Path(__file__).resolve().parents[2] / "migrations"))
    revision = next(r for r in migrations.walk_revisions() if (r.doc or "").startswith(title))
    profiles = [(model, columns) for model, columns in TABLES if model.__tablename__.startswith("profile")]
    with app.app_context():
        kept = {model.__tablename__: _stored(model, columns) for model, columns in profiles}
        assert all(kept.values())
        db.session.remove()
        downgrade(revision=revision.down_revision)
        if title == "profile questions":  # the profiles of before: without the area of the new version
            before = {model.__tablename__: _stored(model, columns) for model, columns in profiles}
            assert before["profile_counts"] and before != kept
            db.session.remove()
        upgrade()
        assert {model.__tablename__: _stored(model, columns) for model, columns in profiles} == kept
        assert differences() == []


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
    with app.app_context():
        found = differences()
    assert found and all(table == "response_counts" and cell[6] == "age_band" and kept == actual + 1
                         for table, cell, kept, actual in found)
    result = runner.invoke(args=["results", "rebuild"])
    assert result.exit_code == 0
    assert runner.invoke(args=["results", "verify"]).exit_code == 0
    with app.app_context():
        assert differences() == []
        db.session.execute(sa.delete(ProfileMonthCount).where(ProfileMonthCount.question_key == ""))
        db.session.commit()
    result = runner.invoke(args=["results", "verify"])
    assert result.exit_code == 1 and "profile_month_counts" in result.output
    with app.app_context():
        found = differences()
    assert found and all(table == "profile_month_counts" and cell[7] == "" and kept == 0 and actual > 0
                         for table, cell, kept, actual in found)
    assert runner.invoke(args=["results", "rebuild"]).exit_code == 0
    with app.app_context():
        assert differences() == []
