"""KPI pages, fieldwork and planner, comments, report, demo data and download audit entries."""

from __future__ import annotations

import io
import re
from datetime import datetime

import openpyxl
import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.respond.models import Response
from tests.conftest import login
from tests.results.factories import add_responses, digital_services_sample


def test_kpi_page_has_chart_table_breakdowns_and_method(app: Flask) -> None:
    add_responses(app, "digital-services", digital_services_sample(70, 110, not_used=10))
    add_responses(app, "digital-services", digital_services_sample(40, 60), when=datetime(2025, 10, 1))
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" role="img"', html) and "<desc" in html
    assert "基準値 28.4%" in html and "令和7年度" in html and "令和8年度" in html
    assert "年齢区分による内訳" in html and "性別による内訳" in html and "経路による内訳" in html
    assert "ウィルソンのスコア法" in html and "無回答を含みます" in html and "利用したことがない" in html
    assert "数値目標がないため、基準値 28.4% を判定に使う値としています。" in html
    # The per-year table has counts per option.
    assert "やや満足" in html and "<th scope=\"col\">n</th>" in html
    assert client.get("/staff/kpis/digital-services/digital_satisfaction_rate?group=age_band%3D18_29"
                      ).status_code == 200


def test_fieldwork_and_planner(app: Flask) -> None:
    add_responses(app, "digital-divide-course",
                  [{"course_satisfaction": "satisfied"}] * 70 + [{"course_satisfaction": "dissatisfied"}] * 30)
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/surveys/digital-divide-course/fieldwork?fiscal_year=2026").get_data(as_text=True)
    assert "ウェブ（公開リンク）" in html and "2026年6月1日" in html
    assert "n = 100、現在の信頼区間の幅は" in html
    assert "±5 ポイントの精度には n = " in html
    assert "基準値 79.2% に対して目標 85.0% を示す" in html
    html10 = client.get("/staff/surveys/digital-divide-course/fieldwork?fiscal_year=2026&margin=10").get_data(
        as_text=True)
    assert "±10 ポイントの精度には n = " in html10


def test_comments_filters_pagination_and_download(app: Flask) -> None:
    sets = [{"counter_satisfaction": "dissatisfied" if i % 2 else "satisfied",
             "comment": f"コメント{i:03d}"} for i in range(60)]
    add_responses(app, "counter", sets)
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied", "comment": "去年の声"}],
                  when=datetime(2025, 5, 1))
    client = app.test_client()
    login(client, app, "analyst")
    page = client.get("/staff/surveys/counter/comments").get_data(as_text=True)
    assert "61件" in page and "1 / 2 ページ" in page
    only = client.get("/staff/surveys/counter/comments?group=counter_satisfaction%3Ddissatisfied&fiscal_year=2026"
                      ).get_data(as_text=True)
    assert "30件" in only and "コメント001" in only and "コメント002" not in only
    last = client.get("/staff/surveys/counter/comments?fiscal_year=2025").get_data(as_text=True)
    assert "去年の声" in last and "1件" in last
    assert client.get("/staff/surveys/counter/comments?page=0").status_code == 400
    assert client.get("/staff/surveys/counter/comments?link=999999").status_code == 400
    book = openpyxl.load_workbook(io.BytesIO(client.get(
        "/staff/surveys/counter/comments.xlsx?group=counter_satisfaction%3Ddissatisfied").get_data()))
    assert book.worksheets[0].max_row == 31
    with app.app_context():
        entries = list(db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "download.comments_xlsx")))
    assert entries and entries[0].detail["filter"] == {"group_question": "counter_satisfaction",
                                                       "group_option": "dissatisfied"}


def test_every_download_is_audited(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 10)
    client = app.test_client()
    login(client, app, "analyst")
    urls = {
        "download.kpis_csv": "/staff/downloads/kpis.csv",
        "download.kpis_xlsx": "/staff/downloads/kpis.xlsx",
        "download.responses_csv": "/staff/surveys/counter/responses.csv",
        "download.responses_xlsx": "/staff/surveys/counter/responses.xlsx",
        "download.codebook_csv": "/staff/surveys/counter/codebook.csv",
        "download.comments_csv": "/staff/surveys/counter/comments.csv",
        "download.breakdowns_csv": "/staff/kpis/counter/counter_satisfaction_rate/breakdowns.csv",
        "download.breakdowns_xlsx": "/staff/kpis/counter/counter_satisfaction_rate/breakdowns.xlsx",
    }
    for url in urls.values():
        response = client.get(url)
        assert response.status_code == 200, url
        assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
        response.close()
    with app.app_context():
        actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert set(urls) <= actions
    book = openpyxl.load_workbook(io.BytesIO(client.get("/staff/surveys/counter/responses.xlsx").get_data()))
    assert book.sheetnames == ["回答", "コードブック"]
    codes = [row[3] for row in book["コードブック"].iter_rows(min_row=2, values_only=True)]
    assert "satisfied" in codes


def test_report_lists_kpis_with_charts_and_method(app: Flask) -> None:
    add_responses(app, "digital-divide-course", [{"course_satisfaction": "satisfied"}] * 90
                  + [{"course_satisfaction": "dissatisfied"}] * 10)
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/report").get_data(as_text=True)
    assert html.count('class="report-kpi"') == 5 and html.count("<svg") == 1  # only KPIs with data
    assert "集計の方法" in html and "90.0%" in html
    some = client.get("/staff/report?kpi=digital-divide-course/course_satisfaction_rate").get_data(as_text=True)
    assert some.count('class="report-kpi"') == 1


def test_demo_command_goes_through_the_service_and_is_labelled(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "responses", "--survey", "digital-services", "--count", "40",
                                 "--seed", "3", "--fiscal-year", "2025"])
    assert result.exit_code == 0, result.output
    assert "stored 40 demo responses" in result.output
    again = runner.invoke(args=["demo", "responses", "--survey", "digital-services", "--count", "40",
                                "--seed", "3", "--fiscal-year", "2025"])
    assert "stored 0 demo responses" in again.output  # same seed: same client ids, stored once
    with app.app_context():
        channels = set(db.session.scalars(sa.select(Response.channel)))
        years = set(db.session.scalars(sa.select(Response.fiscal_year)))
    assert channels == {"demo"} and years == {2025}
    client = app.test_client()
    login(client, app, "analyst")
    assert "デモデータ 40件を含む" in client.get("/staff/").get_data(as_text=True)
    assert client.get("/open-data/kpis.json").get_json()["records"] == []
    bad = runner.invoke(args=["demo", "responses", "--survey", "nope", "--count", "1"])
    assert bad.exit_code != 0


def test_link_filter_restricts_results_and_comments(app: Flask) -> None:
    from surveyapp.surveys.services import create_link, get_survey

    with app.app_context():
        survey = get_survey("digital-divide-course")
        session_link = create_link(survey, label="第3回スマホ教室", channel="kiosk", default_language="ja",
                                   user_id=None)
        link_id = session_link.id
    add_responses(app, "digital-divide-course", [{"course_satisfaction": "satisfied"}] * 40)
    with app.app_context():
        import uuid

        from surveyapp.respond.services import submit_response
        from surveyapp.surveys.services import version_definition
        from surveyapp.timeutil import from_japan

        survey = get_survey("digital-divide-course")
        version = survey.current_version
        link = next(item for item in survey.links if item.id == link_id)
        for i in range(60):
            submit_response(defn=version_definition(version), version=version, link=link, channel="kiosk",
                            client_uuid=uuid.uuid4(), now=from_japan(datetime(2026, 7, 1, 10)),
                            answers={"course_satisfaction": "dissatisfied" if i < 20 else "satisfied",
                                     "comment": f"教室{i}"})
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get(f"/staff/kpis/digital-divide-course/course_satisfaction_rate?link={link_id}").get_data(
        as_text=True)
    assert "66.7%" in html and "80.0%" not in html  # 40 of 60 in this session; 80 of 100 overall
    assert client.get("/staff/kpis/digital-divide-course/course_satisfaction_rate?link=abc").status_code == 400
    page = client.get(f"/staff/surveys/digital-divide-course/comments?link={link_id}").get_data(as_text=True)
    assert "60件" in page
    rows = client.get(f"/staff/kpis/digital-divide-course/course_satisfaction_rate/breakdowns.csv?link={link_id}")
    assert rows.status_code == 200
