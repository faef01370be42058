"""The schedule form starts from the current state and never opens or closes a survey silently;
closing and reopening are explicit actions with a confirmation page; every message says what
changed (「受付中 → 終了」, times before → after)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.formatting import jp_datetime
from surveyapp.surveys.schedule import acceptance_state
from surveyapp.surveys.services import get_survey
from surveyapp.timeutil import from_japan, to_japan, utcnow
from tests.conftest import login

SURVEY = "public-transport"
URL = f"/staff/surveys/{SURVEY}"


def _admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, app, "admin")
    return client


def _local(delta: timedelta) -> str:
    """A datetime-local value (Japan time, whole minutes) this far from now."""
    return f"{to_japan(utcnow() + delta):%Y-%m-%dT%H:%M}"


def _state(app: Flask) -> tuple[str, bool, datetime | None, datetime | None]:
    with app.app_context():
        survey = get_survey(SURVEY)
        return survey.status, survey.is_accepting(utcnow()), survey.opens_at, survey.closes_at


def _flash(client: FlaskClient) -> str:
    html = client.get(URL).get_data(as_text=True)
    match = re.search(r'<div class="notice" role="status">(.*?)</div>', html, re.S)
    assert match, "a message is shown after saving"
    return match.group(1)


def test_page_starts_from_the_current_state_and_offers_only_a_confirmed_close(app: Flask) -> None:
    html = _admin(app).get(URL).get_data(as_text=True)
    assert 'class="state state-open">受付中</span>' in html
    # No open/closed select that could start on the opposite state.
    assert "<select" not in html.split('id="schedule-title"')[1].split("配布用リンク")[0]
    assert 'name="to" value="closed"' in html and "受付を終了する…" in html
    assert 'method="get" action="/staff/surveys/public-transport/status"' in html


def test_setting_only_a_future_closing_date_keeps_an_open_survey_open(app: Flask) -> None:
    client = _admin(app)
    closes = _local(timedelta(days=30))
    response = client.post(f"{URL}/schedule", data={"opens_at": "", "closes_at": closes})
    assert response.status_code == 303
    status, accepting, opens_at, closes_at = _state(app)
    assert (status, accepting, opens_at) == ("open", True, None)
    assert closes_at is not None and f"{to_japan(closes_at):%Y-%m-%dT%H:%M}" == closes
    message = _flash(client)
    assert "受付の状態：受付中（変わりません）" in message
    assert f"受付終了日時：指定なし → {jp_datetime(closes_at)}" in message
    # The form now starts from the saved time.
    assert f'value="{closes}"' in client.get(URL).get_data(as_text=True)


def test_a_past_closing_date_is_explained_and_saved_only_after_confirmation(app: Flask) -> None:
    client = _admin(app)
    closes = _local(-timedelta(days=2))
    first = client.post(f"{URL}/schedule", data={"closes_at": closes})
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "<title>確認：" in html
    assert "過去の日時です" in html and "すぐに受付が終わり" in html
    assert re.search(r"受付中</span> → <span class=\"state state-ended\">終了", html)
    assert 'name="confirm_state" value="ended"' in html
    assert f'value="{closes}"' in html  # the typed time is kept for the confirm button
    assert _state(app)[:3] == ("open", True, None) and _state(app)[3] is None  # nothing saved yet

    # A confirmation for another state does not count.
    wrong = client.post(f"{URL}/schedule", data={"closes_at": closes, "confirm_state": "scheduled"})
    assert wrong.status_code == 200 and _state(app)[3] is None

    confirmed = client.post(f"{URL}/schedule", data={"closes_at": closes, "confirm_state": "ended"})
    assert confirmed.status_code == 303
    status, accepting, _opens, closes_at = _state(app)
    assert (status, accepting) == ("open", False) and closes_at is not None
    message = _flash(client)
    assert "受付の状態：受付中 → 終了" in message and "受付終了日時：指定なし → " in message


def test_a_future_opening_time_on_an_open_survey_asks_first(app: Flask) -> None:
    client = _admin(app)
    response = client.post(f"{URL}/schedule", data={"opens_at": _local(timedelta(days=3))})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "その日時まで受付を止めます" in html
    assert _state(app)[2] is None


def test_saving_unchanged_times_changes_nothing_and_says_so(app: Flask) -> None:
    client = _admin(app)
    assert client.post(f"{URL}/schedule", data={}).status_code == 303
    assert "変わっていません" in _flash(client)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "survey.schedule")) == 0


def test_closing_needs_the_confirmation_page_and_reopening_works(app: Flask) -> None:
    client = _admin(app)
    page = client.get(f"{URL}/status?to=closed")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "受付を終了しますか？" in html
    assert "回答者は回答できなくなります" in html
    assert 'name="confirm" value="yes"' in html
    assert _state(app)[0] == "open"  # looking at the confirmation page changes nothing

    unconfirmed = client.post(f"{URL}/status", data={"to": "closed"})
    assert unconfirmed.status_code == 200 and _state(app)[0] == "open"

    closed = client.post(f"{URL}/status", data={"to": "closed", "confirm": "yes"})
    assert closed.status_code == 303
    assert _state(app)[:2] == ("closed", False)
    message = _flash(client)
    assert "受付を終了しました。" in message and "受付の状態：受付中 → 終了" in message

    detail = client.get(URL).get_data(as_text=True)
    assert 'name="to" value="open"' in detail and "受付を再開する…" in detail
    reopened = client.post(f"{URL}/status", data={"to": "open", "confirm": "yes"})
    assert reopened.status_code == 303 and _state(app)[:2] == ("open", True)
    with app.app_context():
        actions = list(db.session.scalars(sa.select(AuditEntry.action).where(
            AuditEntry.target == SURVEY).order_by(AuditEntry.id)))
    assert actions[-2:] == ["survey.closed", "survey.open"]


def test_reopening_after_the_closing_time_removes_that_time_and_says_so(app: Flask) -> None:
    client = _admin(app)
    client.post(f"{URL}/schedule", data={"closes_at": _local(-timedelta(hours=1)),
                                         "confirm_state": "ended"})
    client.get(URL)
    assert _state(app)[1] is False
    html = client.get(f"{URL}/status?to=open").get_data(as_text=True)
    assert "終了</span> → <span class=\"state state-open\">受付中" in html
    assert "受付終了日時はすでに過ぎているため、指定をなくします" in html
    client.post(f"{URL}/status", data={"to": "open", "confirm": "yes"})
    assert _state(app)[1:] == (True, None, None)
    message = _flash(client)
    assert "受付の状態：終了 → 受付中" in message and "→ 指定なし" in message


def test_bad_status_requests_are_refused(app: Flask) -> None:
    client = _admin(app)
    assert client.get(f"{URL}/status?to=deleted").status_code == 400
    assert client.get(f"{URL}/status").status_code == 400
    assert client.post(f"{URL}/status", data={"to": "nope", "confirm": "yes"}).status_code == 400
    assert _state(app)[0] == "open"


def test_acceptance_state_rule() -> None:
    now = datetime(2026, 12, 1, 5, 0)
    hour = timedelta(hours=1)
    assert acceptance_state("draft", None, None, now) == "draft"
    assert acceptance_state("closed", None, now + hour, now) == "closed"
    assert acceptance_state("open", None, None, now) == "open"
    assert acceptance_state("open", now + hour, None, now) == "scheduled"
    assert acceptance_state("open", None, now, now) == "ended"  # the closing minute itself is closed
    assert acceptance_state("open", now - hour, now + hour, now) == "open"
    assert from_japan(datetime(2026, 12, 1, 14, 0)) == now
