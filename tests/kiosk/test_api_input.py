"""The kiosk API answers bad bodies with JSON 4xx, never a 500, and keeps the text it can."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.respond.models import Answer
from tests.conftest import load_builtin_surveys
from tests.kiosk.conftest import SATISFIED, Kiosk, count_rows, device_client, make_kiosk, post_response


def _comments(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Answer.text).where(Answer.text.is_not(None))))


def test_a_huge_version_number_from_a_kiosk_is_a_json_4xx(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    for version in (10**30, -(10**30), 2**63, 0):
        response = post_response(client, kiosk, version=version)
        assert response.status_code == 400, version
        assert response.get_json()["error"] == "unavailable_version"
    assert count_rows(app) == 0


def test_kiosk_api_errors_are_json_even_for_oversized_or_broken_bodies(app_factory: Any) -> None:

    app = load_builtin_surveys(app_factory(MAX_CONTENT_LENGTH=4096))
    kiosk = make_kiosk(app)
    client = device_client(app, kiosk.credential)
    big = post_response(client, kiosk, {**SATISFIED, "comment": "あ" * 5000})
    assert big.status_code == 413
    assert big.is_json and big.get_json()["error"] == "too_large"
    headers = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}
    for body in (b"{", b"\xff\xfe", b"[" * 1500 + b"]" * 1500, b'"\\ud800"', b"null"):
        response = client.post("/kiosk/api/responses", data=body, headers=headers)
        assert response.status_code == 400, body[:10]
        assert response.is_json and response.get_json()["error"] == "malformed"
    missing = client.get("/kiosk/api/nothing-here")
    assert missing.status_code == 404 and missing.is_json
    wrong_method = client.get("/kiosk/api/responses")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    # What the address does answer (in no particular order).
    assert {method.strip() for method in wrong_method.headers["Allow"].split(",")} == {"OPTIONS", "POST"}
    assert count_rows(app) == 0


def test_control_characters_and_lone_surrogates_in_kiosk_text_are_removed(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    payload = {"client_uuid": str(uuid.uuid4()), "link": kiosk.code, "version": kiosk.version_id,
               "answers": {**SATISFIED, "comment": "よかった\u0000です\ud800\x1b"}}
    # json.dumps escapes the lone surrogate as \ud800, as a broken client would send it
    response = client.post("/kiosk/api/responses", data=json.dumps(payload),
                           headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert _comments(app) == ["よかったです"]


def test_a_nul_in_a_kiosk_link_code_or_answer_key_is_refused_as_json(app: Flask, kiosk: Kiosk) -> None:
    client = device_client(app, kiosk.credential)
    assert post_response(client, kiosk, link="ab\x00cd").get_json()["error"] == "unavailable_link"
    odd = post_response(client, kiosk, {**SATISFIED, "co\x00mment": "x"})
    assert odd.status_code == 400 and odd.get_json()["error"] == "invalid"
    assert count_rows(app) == 0
