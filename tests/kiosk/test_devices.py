"""Enrollment, the kiosk page, kiosk mode and its PIN, revocation."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.kiosk.models import KioskDevice
from surveyapp.kiosk.views import CREDENTIAL_COOKIE, MODE_COOKIE
from surveyapp.respond.models import RespondentFlow
from surveyapp.timeutil import utcnow
from tests.conftest import login
from tests.kiosk.conftest import HOST, PIN, Kiosk, count_rows, device_client, make_session


def _cookie(client, name: str):  # type: ignore[no-untyped-def]
    return client.get_cookie(name, domain=HOST, path="/kiosk" if name == CREDENTIAL_COOKIE else "/")


def test_staff_create_a_device_and_the_tablet_enrolls_with_the_code(app: Flask) -> None:
    _session_id, link_id, _code = make_session(app)
    staff = app.test_client()
    login(staff, app, "course-staff")
    created = staff.post("/staff/kiosks", data={"name": "川島会場タブレット2", "pin": PIN,
                                                "link": str(link_id)})
    assert created.status_code == 200
    html = created.get_data(as_text=True)
    shown = re.search(r'id="enroll-code">([a-z0-9]{4}-[a-z0-9]{4})<', html)
    assert shown, html
    with app.app_context():
        device = db.session.scalars(sa.select(KioskDevice)).one()
        assert device.credential_hash is None and device.enroll_code_hash is not None
        assert shown.group(1).replace("-", "") not in (device.enroll_code_hash, device.pin_hash)
        assert PIN not in device.pin_hash

    tablet = app.test_client()
    assert tablet.get("/kiosk/").headers["Location"].endswith("/kiosk/enroll")
    wrong = tablet.post("/kiosk/enroll", data={"code": "zzzz-zzzz"})
    assert wrong.status_code == 400
    assert "登録コードが正しくない" in wrong.get_data(as_text=True)
    enrolled = tablet.post("/kiosk/enroll", data={"code": shown.group(1).upper()})
    assert enrolled.status_code == 303
    credential = _cookie(tablet, CREDENTIAL_COOKIE)
    assert credential is not None and credential.http_only and credential.same_site == "Strict"
    assert _cookie(tablet, MODE_COOKIE).value == "1"
    with app.app_context():
        device = db.session.scalars(sa.select(KioskDevice)).one()
        assert device.credential_hash and credential.value not in device.credential_hash
        assert device.enroll_code_hash is None  # a code works once
    assert tablet.get("/kiosk/").status_code == 200
    again = app.test_client().post("/kiosk/enroll", data={"code": shown.group(1)})
    assert again.status_code == 400


def test_an_expired_code_does_not_enroll(app: Flask) -> None:
    from surveyapp.kiosk.services import ENROLL_VALID, KioskError, create_device, enroll_device

    with app.app_context():
        enrollment = create_device("窓口タブレット", PIN, None, user_id=None)
        try:
            enroll_device(enrollment.code, now=utcnow() + ENROLL_VALID + timedelta(seconds=1))
        except KioskError as exc:
            assert exc.code == "invalid_code"
        else:
            raise AssertionError("an expired code enrolled a device")


def test_the_kiosk_page_holds_the_whole_survey_for_offline_use(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    response = client.get("/kiosk/")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for text in ("アンケートをはじめる", "まだ 回答中ですか？", "つづける", "つぎの方へ", "回答は送信済みです",
                 "文字を大きくする", "質問 1 / 5", "質問 5 / 5", "本日の講座の内容に満足しましたか。"):
        assert text in html, text
    assert html.count("data-question=") == 5
    assert f'data-link="{kiosk.code}"' in html and f'data-version="{kiosk.version_id}"' in html
    assert 'autocomplete="off"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline script or style
    assert 'rel="manifest"' in html
    assert count_rows(app, RespondentFlow) == 0  # nothing partial is kept on the server


def test_kiosk_pages_in_another_language_and_furigana_only_where_readings_exist(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    english = client.get("/kiosk/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in english
    assert "How satisfied are you with the content of today" in english
    assert 'data-toggle="furigana"' not in english
    easy = client.get("/kiosk/?lang=ja-easy").get_data(as_text=True)
    assert "<ruby>" in easy and 'data-toggle="furigana"' in easy
    # The language is per respondent: the next page without ?lang is Japanese again.
    assert '<html lang="ja"' in client.get("/kiosk/").get_data(as_text=True)


def test_kiosk_mode_keeps_the_tablet_on_kiosk_pages_until_the_pin(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    client.get("/kiosk/")
    for path in ("/", "/staff/", "/staff/login", f"/s/{kiosk.code}"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].endswith("/kiosk/")
    assert client.get("/static/css/kiosk.css").status_code == 200
    assert client.get("/kiosk/device").headers["Location"].endswith("/kiosk/")
    wrong = client.post("/kiosk/exit", data={"pin": "0000"})
    assert wrong.status_code == 400
    assert "暗証番号が正しくありません" in wrong.get_data(as_text=True)
    right = client.post("/kiosk/exit", data={"pin": PIN})
    assert right.status_code == 303 and right.headers["Location"].endswith("/kiosk/device")
    assert _cookie(client, MODE_COOKIE) is None
    assert client.get("/").status_code == 200
    device_page = client.get("/kiosk/device").get_data(as_text=True)
    assert "川島会場タブレット2" in device_page
    assert client.post("/kiosk/resume").status_code == 303
    assert client.get("/").status_code == 303


def test_five_wrong_pins_lock_the_exit_for_a_while(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    for _ in range(5):
        client.post("/kiosk/exit", data={"pin": "9999"})
    locked = client.post("/kiosk/exit", data={"pin": PIN})
    assert locked.status_code == 400
    assert "5分間は入力できません" in locked.get_data(as_text=True)


def test_a_revoked_device_shows_why_and_keeps_its_queue(app: Flask, kiosk: Kiosk) -> None:
    staff = app.test_client()
    login(staff, app, "course-staff")
    assert staff.post(f"/staff/kiosks/{kiosk.device_id}/revoke").status_code == 303
    listing = staff.get("/staff/kiosks").get_data(as_text=True)
    assert "取り消し済み" in listing
    page = device_client(app, kiosk.credential).get("/kiosk/")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "登録が取り消されたため、回答を送信できません" in html
    assert "未送信の回答は、消さずに残しています" in html
    assert 'data-kiosk="status"' in html  # the page still counts (and keeps) the queue


def test_device_assignment_and_unassigned_or_closed_states(app: Flask, kiosk: Kiosk) -> None:
    from surveyapp.surveys.services import get_survey, set_schedule

    staff = app.test_client()
    login(staff, app, "course-staff")
    assert staff.post(f"/staff/kiosks/{kiosk.device_id}/assign",
                      data={f"d{kiosk.device_id}-link": "0"}).status_code == 303
    tablet = device_client(app, kiosk.credential)
    assert "表示するアンケートが決まっていません" in tablet.get("/kiosk/").get_data(as_text=True)
    assert staff.post(f"/staff/kiosks/{kiosk.device_id}/assign",
                      data={f"d{kiosk.device_id}-link": str(kiosk.link_id)}).status_code == 303
    assert "アンケートをはじめる" in tablet.get("/kiosk/").get_data(as_text=True)
    with app.app_context():
        set_schedule(get_survey("digital-divide-course"), status="closed", opens_at=None,
                     closes_at=None, user_id=None)
    assert "受付を終了しています" in tablet.get("/kiosk/").get_data(as_text=True)


def test_staff_see_last_contact_and_the_reported_pending_count(app: Flask, kiosk: Kiosk) -> None:
    import json

    device_client(app, kiosk.credential).post(
        "/kiosk/api/heartbeat", data=json.dumps({"pending": 3}), headers={"Content-Type": "application/json"})
    staff = app.test_client()
    login(staff, app, "course-staff")
    html = staff.get("/staff/kiosks").get_data(as_text=True)
    row = html[html.index(f'id="device-{kiosk.device_id}"'):]
    row = row[:row.index("</tr>")]
    assert "3件" in row and "使用中" in row
    # Last heard from: how long ago, and when in Japanese style.
    assert "接続中" in row and re.search(r"\d+(秒|分)前", row)
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日\([月火水木金土日]\) \d{2}:\d{2}", row)


def test_a_new_code_replaces_the_credential_once_used(app: Flask, kiosk: Kiosk) -> None:
    staff = app.test_client()
    login(staff, app, "course-staff")
    issued = staff.post(f"/staff/kiosks/{kiosk.device_id}/code").get_data(as_text=True)
    code = re.search(r'id="enroll-code">([a-z0-9-]{9})<', issued)
    assert code
    assert device_client(app, kiosk.credential).get("/kiosk/").status_code == 200  # still works
    tablet = app.test_client()
    assert tablet.post("/kiosk/enroll", data={"code": code.group(1)}).status_code == 303
    assert device_client(app, kiosk.credential).get("/kiosk/").status_code == 303  # old one gone


def test_the_service_worker_and_manifest_are_served_from_the_kiosk_scope(app: Flask) -> None:
    client = app.test_client()
    worker = client.get("/kiosk/sw.js")
    assert worker.status_code == 200
    assert worker.mimetype == "text/javascript"
    assert worker.headers["Cache-Control"] == "no-cache"
    manifest = client.get("/kiosk/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    data = manifest.get_json(force=True)
    assert data["start_url"] == "/kiosk/" and data["scope"] == "/kiosk/"
    for icon in data["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_without_script_the_kiosk_form_posts_nowhere_useful(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    response = client.post("/kiosk/discard", data={"course_satisfaction": "satisfied"})
    assert response.status_code == 303
    assert count_rows(app) == 0
