"""Admins open and close surveys (Japan time) and create distribution links."""

from __future__ import annotations

import re

from flask import Flask

from surveyapp.surveys.services import get_survey
from surveyapp.timeutil import to_japan
from tests.conftest import login


def test_admin_closes_and_schedules_a_survey_in_japan_time(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    page = client.get("/staff/surveys/counter")
    assert page.status_code == 200
    response = client.post("/staff/surveys/counter/schedule", data={
        "opens_at": "2026-12-01T09:00", "closes_at": "2099-01-31T17:00"})
    assert response.status_code == 303
    with app.app_context():
        survey = get_survey("counter")
        assert survey.opens_at is not None and survey.closes_at is not None
        assert to_japan(survey.opens_at).strftime("%Y-%m-%d %H:%M") == "2026-12-01 09:00"
        assert survey.opens_at.hour == 0  # stored as UTC
    # Closing is its own confirmed action (the schedule form only holds the times).
    closed = client.post("/staff/surveys/counter/status", data={"to": "closed", "confirm": "yes"})
    assert closed.status_code == 303
    with app.app_context():
        assert get_survey("counter").status == "closed"


def test_schedule_errors_are_explained_not_500(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    backwards = client.post("/staff/surveys/counter/schedule", data={
        "opens_at": "2027-01-31T17:00", "closes_at": "2026-12-01T09:00"})
    assert backwards.status_code == 400
    assert "受付終了日時は受付開始日時より後にしてください" in backwards.get_data(as_text=True)
    garbage = client.post("/staff/surveys/counter/schedule", data={"opens_at": "next tuesday"})
    assert garbage.status_code == 400
    assert "<title>エラー：" in garbage.get_data(as_text=True)
    bad_status = client.post("/staff/surveys/counter/status", data={"to": "deleted", "confirm": "yes"})
    assert bad_status.status_code == 400
    with app.app_context():
        assert get_survey("counter").status == "open"


def test_admin_creates_a_link_shown_with_its_full_url(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    response = client.post("/staff/surveys/digital-services/links", data={
        "label": "広報かかみがはら 12月号", "channel": "newsletter", "default_language": "en"})
    assert response.status_code == 303
    html = client.get("/staff/surveys/digital-services").get_data(as_text=True)
    assert "広報かかみがはら 12月号" in html
    with app.app_context():
        link = get_survey("digital-services").links[-1]
        assert (link.channel, link.default_language) == ("newsletter", "en")
        assert re.fullmatch(r"[23456789abcdefghjkmnpqrstuvwxyz]{8}", link.code)
    assert f"http://survey.test/s/{link.code}" in html


def test_link_form_refuses_bad_input(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    for data in ({"label": "", "channel": "web", "default_language": "ja"},
                 {"label": "x" * 201, "channel": "web", "default_language": "ja"},
                 {"label": "ok", "channel": "carrier-pigeon", "default_language": "ja"},
                 {"label": "ok", "channel": "web", "default_language": "klingon"}):
        response = client.post("/staff/surveys/digital-services/links", data=data)
        assert response.status_code == 400, data
    with app.app_context():
        assert len(get_survey("digital-services").links) == 1


def test_unknown_survey_key_is_404_for_staff(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    assert client.get("/staff/surveys/no-such-survey").status_code == 404
