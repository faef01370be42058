"""The A4 report: 調査概要 (period, population, method, n, department), the date in 和暦,
KPIs and demo data chosen on the page."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask

from surveyapp.formatting import wareki_date
from surveyapp.timeutil import utcnow
from tests.conftest import login
from tests.results.factories import add_responses

COURSE = "digital-divide-course/course_satisfaction_rate"
GENAI = "staff-generative-ai/staff_genai_use_rate"


def _overview_row(html: str, title: str) -> str:
    table = re.search(r'<table class="overview-table">.*?</table>', html, re.S)
    assert table, "the report has a 調査概要 table"
    row = re.search(rf"<tr><th scope=\"row\">{title}.*?</tr>", table.group(0), re.S)
    assert row, title
    return row.group(0)


def test_report_opens_with_a_survey_overview_and_a_wareki_date(app: Flask) -> None:
    add_responses(app, "digital-divide-course", [{"course_satisfaction": "satisfied"}] * 70,
                  when=datetime(2026, 6, 3, 10, 0))
    add_responses(app, "digital-divide-course", [{"course_satisfaction": "dissatisfied"}] * 30,
                  channel="paper", when=datetime(2026, 9, 14, 15, 0))
    add_responses(app, "staff-generative-ai", [{"genai_use": "weekly"}] * 40, when=datetime(2026, 7, 1, 9))
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/report").get_data(as_text=True)
    assert f"作成日：{wareki_date(utcnow())}" in html and "作成日：令和" in html
    row = _overview_row(html, "デジタル講座 参加者アンケート")
    assert "令和8年度（2026年度）" in row
    assert "デジタルデバイド対策講座（スマートフォン教室など）の参加者" in row
    assert "2026年6月3日〜2026年9月14日" in row
    assert "ウェブ（公開リンク） 70、紙の調査票 30" in row
    assert '<td class="num">100</td>' in row and "企画総務部 情報推進課" in row
    assert "各務原市の全職員（1,350人）" in _overview_row(html, "業務における生成AI")


def test_kpis_and_demo_data_are_chosen_on_the_page(app: Flask) -> None:
    add_responses(app, "digital-divide-course", [{"course_satisfaction": "satisfied"}] * 40)
    result = app.test_cli_runner().invoke(args=["demo", "responses", "--survey", "staff-generative-ai",
                                                "--count", "50", "--seed", "4"])
    assert result.exit_code == 0
    client = app.test_client()
    login(client, app, "analyst")
    page = client.get("/staff/report").get_data(as_text=True)
    assert page.count('type="checkbox" ') == 5 and page.count(" checked>") == 5
    only = client.get(f"/staff/report?kpi={COURSE}").get_data(as_text=True)
    assert only.count('class="report-kpi"') == 1
    assert only.count(" checked>") == 1 and f'value="{COURSE}" checked' in only
    # Only demo responses so far: shown (and said so) by default, left out on request.
    both = client.get(f"/staff/report?kpi={COURSE}&kpi={GENAI}").get_data(as_text=True)
    assert both.count('class="report-kpi"') == 2 and "うちデモデータ 50件" in both
    without = client.get(f"/staff/report?kpi={COURSE}&kpi={GENAI}&demo=exclude").get_data(as_text=True)
    assert "うちデモデータ" not in without and "デモデータ：除く" in without
    bad = client.get("/staff/report?kpi=nope/nothing")
    assert bad.status_code == 400 and "選んだKPIが見つかりません" in bad.get_data(as_text=True)
