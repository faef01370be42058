"""The issue's ballot stuffing, replayed: one client posting complete responses as fast as it can."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.results import find_declaration, kpi_year_results
from surveyapp.results.filters import ResultFilter
from tests.conftest import link_code, load_builtin_surveys, login, response_id_on
from tests.results.factories import add_responses, digital_services_sample

SURVEY = "digital-services"
BOT = {"digital_satisfaction": "dissatisfied", "services_used": ["website"], "age_band": "30_39",
       "gender": "male", "area": "naka"}


def bot_response(client: FlaskClient, app: Flask, code: str, pages: list[list[str]],
                 answers: dict[str, Any]) -> int:
    """What a script does: start, post every page at once, submit. Returns the last status."""
    started = client.post(f"/s/{code}")
    if started.status_code != 303:
        return started.status_code
    for number, keys in enumerate(pages, start=1):
        data: dict[str, Any] = {key: answers[key] for key in keys if key in answers}
        if number == len(pages):
            page = client.get(f"/s/{code}/p/{number}")
            if page.status_code != 200:
                return page.status_code
            data["response_id"] = response_id_on(page.get_data(as_text=True))
        posted = client.post(f"/s/{code}/p/{number}", data=data)
        if posted.status_code != 303:
            return posted.status_code
    return 303


def survey_pages(app: Flask, key: str) -> list[list[str]]:
    from surveyapp.surveys.services import get_survey, version_definition

    with app.app_context():
        version = get_survey(key).current_version
        assert version is not None
        return [[q.key for q in page] for page in version_definition(version).pages()]


def kpi_latest(app: Flask, selection: ResultFilter | None = None) -> Any:
    with app.app_context():
        declaration = find_declaration(SURVEY, "digital_satisfaction_rate")
        years = kpi_year_results(declaration, selection=selection or ResultFilter())
        return years[-1]


@pytest.mark.parametrize("limits", [True, False], ids=["with-rate-limits", "flags-alone"])
def test_three_hundred_rapid_responses_from_one_client_barely_move_the_kpi(app_factory: Any,
                                                                          limits: bool) -> None:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_ENABLED=limits))
    add_responses(app, SURVEY, digital_services_sample(41, 0))
    before = kpi_latest(app)
    assert (before.base_n, before.successes) == (41, 41)

    code = link_code(app, SURVEY)
    pages = survey_pages(app, SURVEY)
    bot = app.test_client()  # one browser session, one address
    statuses = [bot_response(bot, app, code, pages, BOT) for _ in range(300)]
    if limits:
        assert 429 in statuses, "the rate limit answers a client that floods the survey"
    else:
        assert statuses == [303] * 300, "without limits every response is stored …"

    after = kpi_latest(app)
    assert after.base_n - before.base_n <= 5, "… and the default KPI moves by at most a handful"
    assert after.estimate is not None and after.estimate > 0.85
    stored = statuses.count(303)
    assert after.flagged_excluded >= stored - 5
    with_flagged = kpi_latest(app, ResultFilter(include_flagged=True))
    assert with_flagged.base_n == 41 + stored

    staff = app.test_client()
    login(staff, app, "analyst")
    page = staff.get(f"/staff/kpis/{SURVEY}/digital_satisfaction_rate").get_data(as_text=True)
    assert f"要確認として除外した回答：{after.flagged_excluded}件" in page
    assert f"n={with_flagged.base_n}" in re.sub(r"\s+", "", page).replace(",", "")
    review = staff.get("/staff/flags").get_data(as_text=True)
    assert f"{after.flagged_excluded}件" in review
    assert "短時間に同じ送信元から" in review or "同じブラウザから" in review
