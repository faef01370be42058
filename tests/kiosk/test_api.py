"""The queue's JSON endpoint: device credential instead of CSRF, each client UUID stored once."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.kiosk.models import KioskDevice
from surveyapp.respond.models import Answer, Response
from tests.conftest import load_builtin_surveys
from tests.kiosk.conftest import SATISFIED, Kiosk, count_rows, device_client, make_kiosk, post_response


def test_a_response_is_stored_once_and_a_replay_gets_the_original_receipt(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    client_uuid = str(uuid.uuid4())
    first = post_response(client, kiosk, client_uuid=client_uuid)
    assert first.status_code == 201
    receipt = first.get_json()["receipt"]
    assert receipt["client_uuid"] == client_uuid and receipt["created"] is True
    again = post_response(client, kiosk, client_uuid=client_uuid)  # the receipt was lost on the way
    assert again.status_code == 200
    assert again.get_json()["receipt"] == {**receipt, "created": False}
    with app.app_context():
        stored = db.session.scalars(sa.select(Response)).all()
        assert len(stored) == 1
        assert stored[0].channel == "kiosk" and stored[0].link_id == kiosk.link_id
        answers = {a.question_key: a.option_code or a.text for a in
                   db.session.scalars(sa.select(Answer).order_by(Answer.id))}
    assert answers == SATISFIED


def test_same_uuid_with_a_different_body_is_a_logged_conflict(
        app: Flask, kiosk: Kiosk, caplog: pytest.LogCaptureFixture, kiosk_log: None) -> None:
    client = device_client(app, kiosk.credential)
    client_uuid = str(uuid.uuid4())
    assert post_response(client, kiosk, client_uuid=client_uuid).status_code == 201
    changed = {**SATISFIED, "course_satisfaction": "dissatisfied"}
    with caplog.at_level(logging.WARNING, logger="surveyapp.kiosk"):
        conflict = post_response(client, kiosk, changed, client_uuid=client_uuid)
    assert conflict.status_code == 409
    assert conflict.get_json()["error"] == "conflict"
    assert any(client_uuid in record.getMessage() for record in caplog.records)
    assert count_rows(app) == 1
    with app.app_context():
        codes = db.session.scalars(sa.select(Answer.option_code).where(
            Answer.question_key == "course_satisfaction")).all()
    assert codes == ["satisfied"]


def test_revoked_or_unknown_devices_are_refused_and_nothing_is_stored(app: Flask, kiosk: Kiosk) -> None:
    from surveyapp.kiosk.services import revoke_device

    assert post_response(device_client(app, "not-a-credential"), kiosk).status_code == 401
    assert post_response(app.test_client(), kiosk).status_code == 401
    with app.app_context():
        device = db.session.get(KioskDevice, kiosk.device_id)
        assert device is not None
        revoke_device(device, user_id=None)
    refused = post_response(device_client(app, kiosk.credential), kiosk)
    assert refused.status_code == 403
    body = refused.get_json()
    assert body["error"] == "revoked"
    assert "登録が取り消された" in body["message"]
    assert count_rows(app) == 0


@pytest.mark.parametrize("change, status, error", [
    ({"answers": {"course_satisfaction": "nonsense"}}, 400, "invalid"),
    ({"answers": {"understanding": "understood_well"}}, 400, "invalid"),  # the required one missing
    ({"link": "zzzzzzzz"}, 400, "unavailable_link"),
    ({"version": 999999}, 400, "unavailable_version"),
    ({"client_uuid": "not-a-uuid"}, 400, "malformed"),
    ({"answers": ["satisfied"]}, 400, "malformed"),
])
def test_bad_bodies_are_refused_without_storing(app: Flask, kiosk: Kiosk, change: dict[str, object],
                                                status: int, error: str) -> None:
    client = device_client(app, kiosk.credential)
    payload = {"client_uuid": str(uuid.uuid4()), "link": kiosk.code, "version": kiosk.version_id,
               "answers": SATISFIED, **change}
    response = client.post("/kiosk/api/responses", data=json.dumps(payload),
                           headers={"Content-Type": "application/json"})
    assert response.status_code == status
    assert response.get_json()["error"] == error
    assert count_rows(app) == 0


def test_a_web_link_cannot_be_answered_through_the_kiosk_api(app: Flask, kiosk: Kiosk) -> None:
    from surveyapp.surveys.services import get_survey

    with app.app_context():
        web = get_survey("digital-divide-course").links[0]
        assert web.channel == "web"
        web_code = web.code
    payload = {"client_uuid": str(uuid.uuid4()), "link": web_code, "version": kiosk.version_id,
               "answers": SATISFIED}
    response = device_client(app, kiosk.credential).post(
        "/kiosk/api/responses", data=json.dumps(payload), headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert count_rows(app) == 0


def test_a_version_of_another_survey_is_refused(app: Flask, kiosk: Kiosk) -> None:
    from surveyapp.surveys.services import get_survey

    with app.app_context():
        other = get_survey("counter").current_version
        assert other is not None
        other_id = other.id
    response = post_response(device_client(app, kiosk.credential), kiosk, version=other_id)
    assert response.status_code == 400
    assert count_rows(app) == 0


def test_the_api_takes_only_same_origin_json(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    form_post = client.post("/kiosk/api/responses", data={"client_uuid": str(uuid.uuid4())})
    assert form_post.status_code == 415
    payload = json.dumps({"client_uuid": str(uuid.uuid4()), "link": kiosk.code,
                          "version": kiosk.version_id, "answers": SATISFIED})
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = client.post("/kiosk/api/responses", data=payload,
                               headers={"Content-Type": "application/json", **headers})
        assert response.status_code == 403
    assert count_rows(app) == 0


def test_a_closed_survey_refuses_late_deliveries(app: Flask, kiosk: Kiosk) -> None:
    from surveyapp.surveys.services import get_survey, set_schedule

    with app.app_context():
        set_schedule(get_survey("digital-divide-course"), status="closed", opens_at=None,
                     closes_at=None, user_id=None)
    response = post_response(device_client(app, kiosk.credential), kiosk)
    assert response.status_code == 410
    assert count_rows(app) == 0


def test_heartbeat_and_deliveries_report_last_contact_and_pending_count(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    beat = client.post("/kiosk/api/heartbeat", data=json.dumps({"pending": 3, "refused": 1}),
                       headers={"Content-Type": "application/json"})
    assert beat.status_code == 200
    assert beat.get_json() == {"status": "active", "device": "川島会場タブレット2",
                               "page": f"{kiosk.code}:{kiosk.version_id}"}
    assert f'data-page="{kiosk.code}:{kiosk.version_id}"' in client.get("/kiosk/").get_data(as_text=True)
    with app.app_context():
        device = db.session.get(KioskDevice, kiosk.device_id)
        assert device is not None
        assert (device.pending_count, device.refused_count) == (3, 1)
        assert device.last_contact_at is not None
    post_response(client, kiosk, pending=2)
    with app.app_context():
        device = db.session.get(KioskDevice, kiosk.device_id)
        assert device is not None and device.pending_count == 2
    nonsense = client.post("/kiosk/api/heartbeat", data=json.dumps({"pending": "many"}),
                           headers={"Content-Type": "application/json"})
    assert nonsense.status_code == 200


def test_an_expired_csrf_token_cannot_lose_a_queued_response(app_factory: Any) -> None:
    """CSRF on and a one-second token lifetime: the API never needed the token."""
    import time

    app = load_builtin_surveys(app_factory(WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1))
    kiosk = make_kiosk(app)
    client = device_client(app, kiosk.credential)
    assert client.get("/kiosk/").status_code == 200  # the page, opened long ago …
    time.sleep(1.1)
    assert post_response(client, kiosk).status_code == 201  # … still delivers
    assert count_rows(app) == 1
    # Forms that do use a token still need one.
    assert client.post("/kiosk/enroll", data={"code": "abcdefgh"}).status_code == 400


def test_the_heartbeat_tells_the_page_when_to_reload(app: Flask, kiosk: Kiosk) -> None:
    """A new link, a new version or a closed survey changes the key; the page reloads between people."""
    from surveyapp.kiosk.services import assign_link

    client = device_client(app, kiosk.credential)

    def key() -> str:
        return str(client.post("/kiosk/api/heartbeat", data="{}",
                               headers={"Content-Type": "application/json"}).get_json()["page"])

    assert key() == f"{kiosk.code}:{kiosk.version_id}"
    with app.app_context():
        device = db.session.get(KioskDevice, kiosk.device_id)
        assert device is not None
        assign_link(device, None, user_id=None)
    assert key() == "unassigned"
