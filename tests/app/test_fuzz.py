"""Arbitrary bytes into the public pages, the kiosk API and the login form: never a 5xx.

Run on SQLite and, with ``tools/with-postgres``, on PostgreSQL (which refuses NUL in text and
cannot encode lone surrogates, so it finds what SQLite lets through).
"""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import quote_from_bytes

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyapp.extensions import db
from surveyapp.respond.models import Response
from tests.conftest import link_code, load_builtin_surveys, make_staff, response_id_on
from tests.kiosk.conftest import Kiosk, device_client, make_kiosk

FUZZ = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
FORM = "application/x-www-form-urlencoded"
JSON_HEADERS = {"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"}

# Text as people and broken clients send it: any code point, control characters and lone
# surrogates included.
any_text = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)
header_text = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=40)
huge_ints = st.one_of(st.integers(), st.integers(min_value=2**31 - 2, max_value=10**40),
                      st.integers(max_value=-(2**31)))
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), huge_ints, st.floats(allow_nan=False), any_text),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(any_text, inner, max_size=4)),
    max_leaves=12)


@pytest.fixture
def fuzz_app(app_factory: Any) -> Flask:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_ENABLED=False, PROXY_FIX_X_FOR=1))
    make_staff(app, "analyst")
    return app


def _ok(response: Any, what: object) -> None:
    response.close()
    assert response.status_code < 500, (response.status_code, what)


def _form_bytes(pairs: list[tuple[bytes, bytes]]) -> bytes:
    return b"&".join(quote_from_bytes(k).encode() + b"=" + quote_from_bytes(v).encode() for k, v in pairs)


@FUZZ
@given(path=st.binary(max_size=40), query=st.binary(max_size=60), accept=header_text,
       cookie=header_text, forwarded=header_text)
def test_any_address_query_and_headers_of_the_public_pages(fuzz_app: Flask, path: bytes, query: bytes,
                                                           accept: str, cookie: str, forwarded: str) -> None:
    client = fuzz_app.test_client()
    client.set_cookie("lang", cookie, domain="survey.test")
    headers = {"Accept-Language": accept, "X-Forwarded-For": forwarded}
    code = link_code(fuzz_app, "digital-services")
    for url in (f"/s/{quote_from_bytes(path, safe='')}", f"/s/{code}?{quote_from_bytes(query, safe='=&')}",
                f"/s/{code}/p/1?{quote_from_bytes(query, safe='=&')}", f"/{quote_from_bytes(path)}",
                f"/language/{quote_from_bytes(path, safe='')}?next={quote_from_bytes(query, safe='')}"):
        _ok(client.get(url, headers=headers), url)
    _ok(client.post(f"/s/{quote_from_bytes(path, safe='')}", headers=headers), path)


@FUZZ
@given(pages=st.lists(st.lists(st.tuples(st.one_of(st.binary(max_size=20),
                                                   st.sampled_from([b"digital_satisfaction", b"services_used",
                                                                    b"comment", b"Website", b"response_id"])),
                                         st.binary(max_size=80)), max_size=6), min_size=1, max_size=6))
def test_any_form_body_on_every_page(fuzz_app: Flask, pages: list[list[tuple[bytes, bytes]]]) -> None:
    client = fuzz_app.test_client()
    code = link_code(fuzz_app, "digital-services")
    _ok(client.post(f"/s/{code}"), "start")
    for number, pairs in enumerate(pages, start=1):
        response = client.post(f"/s/{code}/p/{number}", data=_form_bytes(pairs), content_type=FORM)
        _ok(response, (number, pairs))


@FUZZ
@given(comment=any_text)
def test_any_final_comment_is_stored_with_the_response(fuzz_app: Flask, comment: str) -> None:
    """Whatever the comment holds, a complete response is stored (control characters removed)."""
    client = fuzz_app.test_client()
    code = link_code(fuzz_app, "digital-services")
    client.post(f"/s/{code}")
    client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"})
    final = client.get(f"/s/{code}/p/6")
    client_uuid = response_id_on(final.get_data(as_text=True))
    body = _form_bytes([(b"comment", comment.encode("utf-8", "surrogatepass")),
                        (b"response_id", client_uuid.encode())])
    response = client.post(f"/s/{code}/p/6", data=body, content_type=FORM)
    _ok(response, comment)
    if response.status_code == 303 and response.headers["Location"].endswith("/done"):
        with fuzz_app.app_context():
            stored = db.session.scalar(sa.select(sa.func.count()).select_from(Response).where(
                Response.client_uuid == uuid.UUID(client_uuid)))
        assert stored == 1, comment
    else:  # only a comment over the length limit is sent back to be shortened
        assert response.status_code == 200 and len(comment) > 0, (response.status_code, comment)


@pytest.fixture
def fuzz_kiosk(fuzz_app: Flask) -> Kiosk:
    return make_kiosk(fuzz_app)


@FUZZ
@given(body=st.binary(max_size=200), origin=header_text, site=header_text)
def test_any_bytes_to_the_kiosk_api(fuzz_app: Flask, fuzz_kiosk: Kiosk, body: bytes, origin: str,
                                    site: str) -> None:
    client = device_client(fuzz_app, fuzz_kiosk.credential)
    for path in ("/kiosk/api/responses", "/kiosk/api/heartbeat"):
        response = client.post(path, data=body, headers={"Content-Type": "application/json",
                                                         "Origin": origin, "Sec-Fetch-Site": site})
        _ok(response, body)
        assert response.is_json, (response.status_code, body)


@FUZZ
@given(payload=st.dictionaries(st.sampled_from(["client_uuid", "link", "version", "answers", "pending",
                                                "refused"]), json_values, max_size=6),
       answers=st.dictionaries(st.one_of(any_text, st.sampled_from(["course_satisfaction", "comment",
                                                                    "understanding"])),
                               json_values, max_size=5))
def test_any_json_to_the_kiosk_api(fuzz_app: Flask, fuzz_kiosk: Kiosk, payload: dict[str, Any],
                                   answers: dict[str, Any]) -> None:
    client = device_client(fuzz_app, fuzz_kiosk.credential)
    complete = {"client_uuid": str(uuid.uuid4()), "link": fuzz_kiosk.code, "version": fuzz_kiosk.version_id,
                "answers": {"course_satisfaction": "satisfied", **answers}}
    for body in (payload, {**complete, **payload}, complete):
        text = json.dumps(body, ensure_ascii=True)  # lone surrogates travel as \\udxxx escapes
        response = client.post("/kiosk/api/responses", data=text, headers=JSON_HEADERS)
        _ok(response, body)
        assert response.is_json


@FUZZ
@given(email=st.binary(max_size=80), password=st.binary(max_size=80), extra=st.binary(max_size=40))
def test_any_bytes_to_the_login_form(fuzz_app: Flask, email: bytes, password: bytes, extra: bytes) -> None:
    client: FlaskClient = fuzz_app.test_client()
    body = _form_bytes([(b"email", email), (b"password", password), (extra, extra)])
    _ok(client.post("/staff/login", data=body, content_type=FORM), (email, password))
    _ok(client.get(f"/staff/login?next={quote_from_bytes(extra, safe='')}"), extra)
