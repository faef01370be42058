"""The two ways in (typed code, QR URL), start, resume half-way, one response per code, the kind
page for a used code — through the real pages."""

from __future__ import annotations

import re
import threading
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.invitations.models import Invitation, InvitationWave
from surveyapp.respond.models import RespondentFlow, Response
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import response_id_on

from .helpers import codes_wave

ANSWERS = {"digital_satisfaction": "satisfied", "services_used": ["website"], "age_band": "40_49",
           "gender": "male", "area": "naka"}


def _pages(app: Flask) -> list[list[str]]:
    with app.app_context():
        version = get_survey("digital-services").current_version
        assert version is not None
        return [[q.key for q in page] for page in version_definition(version).pages()]


def _enter(client: FlaskClient, code: str) -> str:
    """Type the code; returns the path of the first question page."""
    response = client.post("/code", data={"code": code})
    assert response.status_code == 303 and response.headers["Location"] == "/code/start"
    page = client.get("/code/start")
    assert page.status_code == 200
    started = client.post("/code/start")
    assert started.status_code == 303
    return started.headers["Location"]


def _answer_from(client: FlaskClient, app: Flask, path: str, *, stop_after: int | None = None) -> str:
    pages = _pages(app)
    prefix, number = path.rsplit("/", 1)
    for n in range(int(number), len(pages) + 1):
        page = client.get(f"{prefix}/{n}")
        assert page.status_code == 200
        data: dict[str, Any] = {k: ANSWERS[k] for k in pages[n - 1] if k in ANSWERS}
        if n == len(pages):
            data["response_id"] = response_id_on(page.get_data(as_text=True))
        result = client.post(f"{prefix}/{n}", data=data)
        assert result.status_code == 303, result.get_data(as_text=True)[:500]
        if stop_after is not None and n == stop_after:
            return result.headers["Location"]
    return result.headers["Location"]


def test_landing_page_links_to_the_code_page(app: Flask, client: FlaskClient) -> None:
    assert 'href="/code"' in client.get("/").get_data(as_text=True)
    html = client.get("/code").get_data(as_text=True)
    assert 'inputmode="text"' in html and 'autocomplete="off"' in html and 'name="csrf_token"' in html


def test_typed_code_answers_once_then_the_kind_page(app: Flask, client: FlaskClient) -> None:
    wave_id, codes = codes_wave(app)
    first = _enter(client, codes[0].lower().replace("-", " "))
    assert first.endswith("/p/1")
    done = _answer_from(client, app, first)
    assert done.endswith("/done")
    assert "回答を受け付けました" in client.get(done).get_data(as_text=True)
    with app.app_context():
        response = db.session.scalar(sa.select(Response))
        invitation = db.session.scalar(sa.select(Invitation).where(Invitation.wave_id == wave_id,
                                                                   Invitation.state == "used"))
        wave = db.session.get(InvitationWave, wave_id)
        assert response is not None and invitation is not None and wave is not None
        assert response.channel == "invitation" and response.link_id == wave.link_id
        assert response.invitation_stratum_id == invitation.stratum_id
        assert invitation.flow_id is None
    # The same code again, typed or scanned, on this or another device: the kind page.
    for other in (client, app.test_client()):
        again = other.post("/code", data={"code": codes[0]})
        assert again.headers["Location"] == "/code/start"
        page = other.get("/code/start", follow_redirects=True)
        assert "回答はすでに受け付けています" in page.get_data(as_text=True)
    scanned = app.test_client().get(f"/i/{codes[0]}", follow_redirects=True)
    assert "回答はすでに受け付けています" in scanned.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_the_qr_url_leads_to_a_clean_url(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    client = app.test_client()
    response = client.get(f"/i/{codes[1]}")
    assert response.status_code == 303
    assert response.headers["Location"] == "/code/start"
    assert codes[1] not in response.headers["Location"]
    page = client.get("/code/start")
    assert "回答をはじめる" in page.get_data(as_text=True)


def test_half_way_the_same_code_resumes_on_another_device(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    phone = app.test_client()
    after_first = _answer_from(phone, app, _enter(phone, codes[2]), stop_after=1)
    assert after_first.endswith("/p/2")
    computer = app.test_client()
    computer.post("/code", data={"code": codes[2]})
    start = computer.get("/code/start").get_data(as_text=True)
    assert "続きから回答する" in start
    resumed = computer.post("/code/start").headers["Location"]
    assert resumed.endswith("/p/2")
    first_page = computer.get(resumed.replace("/p/2", "/p/1")).get_data(as_text=True)
    assert re.search(r'value="satisfied"[^>]*checked', first_page)
    assert _answer_from(computer, app, resumed).endswith("/done")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1


def test_wrong_codes_get_clear_messages(app: Flask, client: FlaskClient) -> None:
    _wave, codes = codes_wave(app)
    code = codes[0]
    typo = code[:-1] + ("A" if code[-1] != "A" else "B")
    cases = [("", 400, "コードを入力してください"), (typo, 400, "入力のまちがい"),
             ("KX0-P42-MRQ", 400, "「0」はコードに使われていない文字"),
             ("KX7-P42", 400, "9文字")]
    for typed, status, message in cases:
        response = client.post("/code", data={"code": typed})
        html = response.get_data(as_text=True)
        assert response.status_code == status, typed
        assert message in html and "<title>エラー：" in html, typed
    from surveyapp.invitations.codes import check_character, display

    never_issued = display("23456789" + check_character("23456789"))
    response = client.post("/code", data={"code": never_issued})
    assert response.status_code == 404 and "見つかりませんでした" in response.get_data(as_text=True)


def test_too_many_wrong_codes_pause_the_source(app: Flask, client: FlaskClient) -> None:
    from surveyapp.invitations.codes import check_character, display
    from surveyapp.invitations.limits import LOOKUP_LIMIT

    _wave, codes = codes_wave(app)
    for n in range(LOOKUP_LIMIT.failures):
        body = f"2222{n + 2:04d}".replace("0", "A").replace("1", "B")
        client.post("/code", data={"code": display(body + check_character(body))})
    response = client.post("/code", data={"code": codes[0]})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "しばらく受け付けを止めています" in response.get_data(as_text=True)


def test_the_wave_link_without_a_code_asks_for_one(app: Flask, client: FlaskClient) -> None:
    wave_id, _codes = codes_wave(app)
    with app.app_context():
        wave = db.session.get(InvitationWave, wave_id)
        assert wave is not None and wave.link is not None
        link = wave.link.code
    assert client.get(f"/s/{link}").headers["Location"] == "/code"
    assert client.post(f"/s/{link}").headers["Location"] == "/code"
    # The wave's link is not listed with the open surveys.
    assert f"/s/{link}" not in client.get("/").get_data(as_text=True)


def test_twenty_devices_submitting_one_code_at_once_store_one_response(app: Flask) -> None:
    _wave, codes = codes_wave(app)
    pages = _pages(app)
    clients = [app.test_client() for _ in range(20)]
    last = ""
    for client in clients:
        last = _enter(client, codes[3])
    prefix = last.rsplit("/", 1)[0]
    _answer_from(clients[0], app, last, stop_after=len(pages) - 1)
    final = f"{prefix}/{len(pages)}"
    response_id = response_id_on(clients[1].get(final).get_data(as_text=True))
    data = {k: ANSWERS[k] for k in pages[-1] if k in ANSWERS} | {"response_id": response_id}
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def submit(client: FlaskClient) -> None:
        barrier.wait()
        statuses.append(client.post(final, data=data).status_code)

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * 20
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Response.id))) == 1
        assert db.session.scalar(sa.select(sa.func.count(RespondentFlow.id))) == 1
