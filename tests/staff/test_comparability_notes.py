"""A version that changes how a KPI is measured is noted beside the affected years on the KPI
page and in the printable report."""

from __future__ import annotations

import copy
import re
from datetime import datetime

from flask import Flask

from surveyapp.surveys import drafts
from surveyapp.surveys.services import get_survey
from surveyapp.timeutil import fiscal_year, fiscal_year_label, to_japan, utcnow
from tests.conftest import login
from tests.results.factories import add_responses


def _publish_reworded_option(app: Flask) -> int:
    with app.app_context():
        survey = get_survey("counter")
        drafts.start_draft(survey, user_id=None)
        question = copy.deepcopy(survey.draft.definition["questions"][0])
        question["options"][0]["text"]["ja"] = "大変満足"
        drafts.save_question(survey, 0, revision=1, user_id=None, question=question, same_page=False)
        return drafts.publish_draft(survey, revision=2, current_number=1, acknowledged=True, user_id=None).number


def test_the_kpi_page_and_the_report_mark_the_year_the_wording_changed(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 40, when=datetime(2025, 6, 1, 10))
    assert _publish_reworded_option(app) == 2
    now = to_japan(utcnow()).replace(tzinfo=None)
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 40, when=now)
    year = fiscal_year(utcnow())
    client = app.test_client()
    login(client, app, "analyst")
    for path in ("/staff/kpis/counter/counter_satisfaction_rate", "/staff/report"):
        html = client.get(path).get_data(as_text=True)
        row = re.search(rf'<th scope="row">{re.escape(fiscal_year_label(year))}(.*?)</th>', html)
        assert row and "†1" in row.group(1), path
        earlier = re.search(rf'<th scope="row">{re.escape(fiscal_year_label(2025))}(.*?)</th>', html)
        assert earlier and "†" not in earlier.group(1), path
        assert "第2版（" in html and "選択肢「大変満足」の文言（日本語）が変わりました。" in html, path
        assert (f"{fiscal_year_label(year)}以降の結果は、それより前の年度の結果や基準値と、"
                "そのまま比べられません。") in html
        assert "変更前の版への回答も含まれています" not in html  # the earlier answers are from 2025


def test_a_year_with_answers_to_both_versions_says_so(app: Flask) -> None:
    now = to_japan(utcnow()).replace(tzinfo=None)
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 40, when=now)
    _publish_reworded_option(app)
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/counter/counter_satisfaction_rate").get_data(as_text=True)
    assert f"{fiscal_year_label(fiscal_year(utcnow()))}以降の結果には、変更前の版への回答も含まれています。" in html


def test_a_survey_without_changes_has_no_notes(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 40)
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/counter/counter_satisfaction_rate").get_data(as_text=True)
    assert "†" not in html and "比べられません" not in html
