"""Fieldwork: what is missing first (あと○件), a cumulative chart and weekly totals, the planner
before any long table, and the daily counts folded away and downloadable."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import date, datetime

import openpyxl
import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.results.fieldwork import DayCount
from surveyapp.staff.progress_chart import progress_chart
from surveyapp.stats import sample_size
from tests.conftest import login
from tests.results.factories import add_responses

URL = "/staff/surveys/public-transport/fieldwork?fiscal_year=2026"


def _add(app: Flask) -> None:
    # 3 days in two weeks: 40 + 30 + 30 responses, 20 of them 「利用したことがない」 (not in n).
    add_responses(app, "public-transport", [{"transport_satisfaction": "dissatisfied"}] * 10
                  + [{"transport_satisfaction": "satisfied"}] * 30, when=datetime(2026, 6, 1, 10))
    add_responses(app, "public-transport", [{"transport_satisfaction": "satisfied"}] * 30,
                  when=datetime(2026, 6, 3, 10))
    add_responses(app, "public-transport", [{"transport_satisfaction": "satisfied"}] * 10
                  + [{"transport_satisfaction": "not_used"}] * 20, when=datetime(2026, 6, 9, 10))


def test_the_goal_and_what_is_missing_come_first(app: Flask) -> None:
    _add(app)
    client = app.test_client()
    login(client, app, "analyst")  # fieldwork is a results page (docs/roles.md)
    html = client.get(URL).get_data(as_text=True)
    needed = sample_size(0.05, expected=10 / 80).completed  # 10 of n = 80 dissatisfied
    goal = math.ceil(needed * 100 / 80)  # 80 of 100 responses count in n
    assert f"あと{goal - 100}件" in html and f"目標 {goal:,}件、現在 100件" in html
    # Order on the page: the goal, the chart, the planner, then the tables; the daily one folded.
    order = [html.index(s) for s in ("あと", '<figure class="chart progress">', "精度の見通し",
                                     "週別の回答数", '<details class="daily">')]
    assert order == sorted(order)
    assert "2026年6月8日からの週</th><td class=\"num\">30</td>" in html
    assert "2026年6月1日からの週</th><td class=\"num\">70</td>" in html
    assert "日別の表を開く（3日分）" in html
    assert re.search(r"<th scope=\"row\">2026年6月9日</th><td class=\"num\">30</td><td class=\"num\">100</td>", html)
    assert "<desc id=\"progress-desc\">累計 100件（2026年6月9日まで）" in html


def test_daily_counts_download_as_csv_and_xlsx_and_are_audited(app: Flask) -> None:
    _add(app)
    client = app.test_client()
    login(client, app, "analyst")
    response = client.get("/staff/surveys/public-transport/fieldwork/daily.csv?fiscal_year=2026")
    assert response.status_code == 200 and response.get_data().startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0] == ["日付", "年度（和暦）", "西暦年度", "回答数", "累計"]
    assert rows[1:] == [["2026-06-01", "令和8年度", "2026", "40", "40"],
                        ["2026-06-03", "令和8年度", "2026", "30", "70"],
                        ["2026-06-09", "令和8年度", "2026", "30", "100"]]
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        "/staff/surveys/public-transport/fieldwork/daily.xlsx?fiscal_year=2026").get_data()))
    sheet = book.worksheets[0]
    assert sheet.title == "日別回答数" and sheet.max_row == 4 and sheet.cell(4, 5).value == 100
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"download.fieldwork_csv", "download.fieldwork_xlsx"} <= actions
    assert client.get("/staff/surveys/public-transport/fieldwork/daily.csv?fiscal_year=20x6").status_code == 400


def test_progress_chart_steps_up_to_the_total_below_the_goal_line() -> None:
    days = [DayCount(date(2026, 6, 1), 40, 40), DayCount(date(2026, 6, 3), 30, 70)]
    chart = progress_chart(days, 2026, date(2026, 7, 1), 150, "目標")
    assert chart is not None and chart.goal_y is not None
    assert chart.top <= chart.goal_y < chart.bottom
    assert [t.label for t in chart.x_ticks] == ["4月", "5月", "6月"]  # no label crammed at the edge
    assert chart.path.startswith(f"M{float(chart.left)} {float(chart.bottom)}") and chart.path.endswith("H624.0")
    assert progress_chart([], 2026, date(2026, 7, 1), 150) is None
