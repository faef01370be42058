"""The audit log: append-only from the app, and an admin viewer with filters, pages and CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry, AuditLogIsAppendOnly, record
from surveyapp.extensions import db
from tests.conftest import login, make_staff
from tests.results.factories import add_responses

from .helpers import persona, post_login


def _entry(app: Flask) -> int:
    with app.app_context():
        entry = record(None, "survey.load", "counter", version=1)
        db.session.commit()
        return entry.id


def test_entries_cannot_be_changed_or_deleted(app: Flask) -> None:
    entry_id = _entry(app)
    with app.app_context():
        entry = db.session.get(AuditEntry, entry_id)
        assert entry is not None
        entry.target = "something else"
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        entry = db.session.get(AuditEntry, entry_id)
        db.session.delete(entry)
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.flush()
        db.session.rollback()
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(sa.update(AuditEntry).values(target="x"))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(sa.delete(AuditEntry))
        with pytest.raises(AuditLogIsAppendOnly):
            db.session.execute(sa.delete(AuditEntry.__table__))
        db.session.rollback()
        stored = db.session.get(AuditEntry, entry_id)
        assert stored is not None and stored.target == "counter"


def test_logins_failures_logout_and_comments_read_are_recorded(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied", "comment": "ありがとう"}])
    make_staff(app, "analyst")
    post_login(app.test_client(), persona("analyst"), "wrong password given")
    client = app.test_client()
    login(client, app, "analyst")
    client.get("/staff/surveys/counter/comments?page=1")
    client.post("/staff/logout")
    with app.app_context():
        rows = db.session.execute(sa.select(AuditEntry.action, AuditEntry.target, AuditEntry.detail)
                                  .order_by(AuditEntry.id)).all()
    actions = [r.action for r in rows]
    assert actions[-4:] == ["staff.login_failed", "staff.login", "comments.view", "staff.logout"]
    viewed = rows[-2]
    assert viewed.target == "counter" and viewed.detail["page"] == 1 and viewed.detail["shown"] == 1


def _seed(app: Flask) -> None:
    make_staff(app, "admin")
    make_staff(app, "analyst")
    with app.app_context():
        analyst = db.session.scalar(sa.text("SELECT id FROM staff_users WHERE email = :e"),
                                    {"e": persona("analyst")})
        for day, action in ((1, "download.kpis_csv"), (2, "download.responses_csv"), (3, "download.kpis_csv")):
            entry = AuditEntry(user_id=analyst, action=action, target="all", detail={"n": day},
                               at=datetime(2026, 5, day, 3, 0))
            db.session.add(entry)
        db.session.add(AuditEntry(user_id=None, action="staff.login_failed", target="=HYPERLINK(\"x\")",
                                  detail={"reason": "unknown"}, at=datetime(2026, 5, 2, 4, 0)))
        db.session.commit()


def test_the_viewer_filters_by_person_action_and_date(app: Flask) -> None:
    _seed(app)
    client = app.test_client()
    login(client, app, "admin")
    with app.app_context():
        analyst = db.session.scalar(sa.text("SELECT id FROM staff_users WHERE email = :e"),
                                    {"e": persona("analyst")})
    page = client.get(f"/staff/audit?person={analyst}&action=download.kpis_csv").get_data(as_text=True)
    assert "2件" in page and "KPI集計のダウンロード（CSV）" in page and "2026-05-03 12:00:00" in page
    page = client.get("/staff/audit?from=2026-05-02&to=2026-05-02").get_data(as_text=True)
    assert "2件" in page and "回答データのダウンロード（CSV）" in page and "ログイン失敗" in page
    page = client.get("/staff/audit?person=none&from=2026-05-01&to=2026-05-31").get_data(as_text=True)
    assert "1件" in page and "（ログイン前・コマンド）" in page
    bad = client.get("/staff/audit?from=2026-13-45&page=x")
    assert bad.status_code == 400 and "日付は 2026-04-01 の形で" in bad.get_data(as_text=True)


def test_the_viewer_pages_through_many_entries(app: Flask) -> None:
    make_staff(app, "admin")
    with app.app_context():
        for number in range(120):
            record(None, "survey.load", f"survey-{number:03d}")
        db.session.commit()
    client = app.test_client()
    login(client, app, "admin")
    first = client.get("/staff/audit?action=survey.load").get_data(as_text=True)
    assert "1 / 3 ページ" in first and "survey-119" in first and "survey-069" not in first
    last = client.get("/staff/audit?action=survey.load&page=3").get_data(as_text=True)
    assert "3 / 3 ページ" in last and "survey-000" in last


def test_the_csv_is_utf8_with_bom_and_formula_safe(app: Flask) -> None:
    _seed(app)
    client = app.test_client()
    login(client, app, "admin")
    response = client.get("/staff/audit.csv?from=2026-05-01&to=2026-05-31")
    body = response.get_data()
    assert response.status_code == 200 and body.startswith(b"\xef\xbb\xbf")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["日時（日本時間）", "職員", "操作コード", "操作", "対象", "詳細"]
    assert len(rows) == 5
    assert ["2026-05-02 13:00:00", "", "staff.login_failed", "ログイン失敗", "'=HYPERLINK(\"x\")",
            '{"reason": "unknown"}'] in rows
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) \
            == "download.audit_csv"
    assert client.get("/staff/audit.csv?from=nope").status_code == 400
