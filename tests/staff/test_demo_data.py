"""Demo data: shown while a survey has no real responses, left out by default once it has
(and the page says so), chosen on the dashboard, deleted by a command or an audited button."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.respond.models import Answer, Response
from tests.conftest import login
from tests.results.factories import add_responses

SURVEY = "digital-divide-course"


def _demo(app: Flask, count: int = 60) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "responses", "--survey", SURVEY, "--count",
                                                str(count), "--seed", "1", "--fiscal-year", "2026"])
    assert result.exit_code == 0, result.output


def _course_row(client: FlaskClient, query: str = "") -> str:
    html = client.get("/staff/" + query).get_data(as_text=True)
    row = re.search(r"デジタルデバイド向け講座.*?</tr>", html, re.S)
    assert row, html[:500]
    return row.group(0)


def _n(row: str) -> int:
    match = re.search(r'<td class="num">([\d,]+)', row)
    assert match
    return int(match.group(1).replace(",", ""))


def test_demo_data_leaves_the_default_view_once_real_responses_exist(app: Flask) -> None:
    _demo(app, 60)
    client = app.test_client()
    login(client, app, "analyst")
    row = _course_row(client)
    assert _n(row) == 60 and "デモデータ 60件を含む" in row
    assert "実際の回答がまだないため、デモデータで集計しています" in client.get("/staff/").get_data(as_text=True)

    add_responses(app, SURVEY, [{"course_satisfaction": "satisfied"}] * 40)
    page = client.get("/staff/").get_data(as_text=True)
    assert "実際の回答があるため、デモデータを除いて集計しています" in page
    assert "「デジタル講座 参加者アンケート」60件" in page
    row = _course_row(client)
    assert _n(row) == 40 and "デモデータ" not in row
    assert _n(_course_row(client, "?demo=include")) == 100
    assert _n(_course_row(client, "?demo=exclude")) == 40
    # The KPI page and the downloads follow the same default.
    kpi = client.get("/staff/kpis/digital-divide-course/course_satisfaction_rate").get_data(as_text=True)
    assert "100.0%" in kpi  # 40 of 40 real responses satisfied
    fieldwork = client.get(f"/staff/surveys/{SURVEY}/fieldwork?fiscal_year=2026").get_data(as_text=True)
    assert "回答数 40件" in fieldwork and "デモデータを除いて集計しています" in fieldwork
    assert client.get("/staff/?demo=sometimes").status_code == 400


def test_demo_delete_command_keeps_real_responses(app: Flask) -> None:
    _demo(app, 30)
    add_responses(app, SURVEY, [{"course_satisfaction": "satisfied"}] * 5)
    result = app.test_cli_runner().invoke(args=["demo", "delete", "--survey", SURVEY])
    assert result.exit_code == 0 and "deleted 30 demo responses" in result.output
    with app.app_context():
        channels = list(db.session.scalars(sa.select(Response.channel)))
        orphans = db.session.scalar(sa.select(sa.func.count()).select_from(Answer).where(
            ~Answer.response_id.in_(sa.select(Response.id))))
        audit = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "demo.delete"))
    assert channels == ["web"] * 5 and orphans == 0
    assert audit is not None and audit.detail == {"responses": 30} and audit.target == SURVEY
    unknown = app.test_cli_runner().invoke(args=["demo", "delete", "--survey", "nope"])
    assert unknown.exit_code != 0


def test_admin_deletes_demo_data_after_confirming(app: Flask) -> None:
    _demo(app, 25)
    client = app.test_client()
    login(client, app, "admin")
    detail = client.get(f"/staff/surveys/{SURVEY}").get_data(as_text=True)
    assert "デモデータが 25件あります" in detail and "デモデータを削除する…" in detail
    confirm = client.get(f"/staff/surveys/{SURVEY}/demo/delete").get_data(as_text=True)
    assert "デモデータ 25件" in confirm and 'name="confirm" value="yes"' in confirm
    assert client.post(f"/staff/surveys/{SURVEY}/demo/delete").status_code == 200  # not confirmed
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 25
    done = client.post(f"/staff/surveys/{SURVEY}/demo/delete", data={"confirm": "yes"})
    assert done.status_code == 303
    assert "デモデータ 25件を削除しました" in client.get(f"/staff/surveys/{SURVEY}").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0
        entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "demo.delete"))
        assert entry is not None and entry.user_id is not None
