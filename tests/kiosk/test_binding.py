"""A tablet answers only for the kiosk link (course session) it is assigned to."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.kiosk.models import KioskDevice
from tests.kiosk.conftest import Kiosk, count_rows, device_client, make_session, post_response


def test_a_device_cannot_post_to_another_sessions_link(app: Flask, kiosk: Kiosk) -> None:
    _session, _other_link, other_code = make_session(app, venue="那加会館", held_on=kiosk_day())
    client = device_client(app, kiosk.credential)
    elsewhere = Kiosk(kiosk.session_id, 0, other_code, kiosk.version_id, kiosk.device_id, kiosk.credential)
    refused = post_response(client, elsewhere)
    assert refused.status_code == 400
    assert refused.is_json
    body = refused.get_json()
    assert body["error"] == "unavailable_link"
    assert body["message"]
    assert count_rows(app) == 0
    assert post_response(client, kiosk).status_code == 201


def test_answers_queued_before_a_reassignment_are_still_delivered(app: Flask, kiosk: Kiosk) -> None:
    """Staff move the tablet to the next session while answers of the last one wait in its queue."""
    from surveyapp.kiosk.services import assign_link
    from surveyapp.surveys.models import Link

    _session, next_link_id, next_code = make_session(app, venue="那加会館", held_on=kiosk_day())
    with app.app_context():
        device = db.session.get(KioskDevice, kiosk.device_id)
        assert device is not None
        assign_link(device, db.session.get(Link, next_link_id), user_id=None)
    client = device_client(app, kiosk.credential)
    assert post_response(client, kiosk).status_code == 201  # queued for the earlier session
    now_there = Kiosk(kiosk.session_id, next_link_id, next_code, kiosk.version_id, kiosk.device_id,
                      kiosk.credential)
    assert post_response(client, now_there).status_code == 201
    assert count_rows(app) == 2


def test_a_second_device_is_bound_to_its_own_link_only(app: Flask, kiosk: Kiosk) -> None:
    from tests.kiosk.conftest import make_kiosk

    _session, other_link_id, _code = make_session(app, venue="蘇原会館", held_on=kiosk_day())
    other = make_kiosk(app, name="蘇原会場タブレット1", link_id=other_link_id)
    foreign = Kiosk(other.session_id, kiosk.link_id, kiosk.code, other.version_id, other.device_id,
                    other.credential)
    assert post_response(device_client(app, other.credential), foreign).status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(KioskDevice)) == 2
    assert count_rows(app) == 0


def kiosk_day():  # type: ignore[no-untyped-def]
    from datetime import date

    return date(2026, 11, 27)
