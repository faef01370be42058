"""Every staff URL needs a login and the right role — generated from the URL map, so a new
route without protection fails here."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.auth.models import ROLES
from tests.conftest import login

PUBLIC_STAFF_ENDPOINTS = {"auth.login", "auth.setup", "auth.logout"}
SAMPLE_ARGS = {"key": "digital-services", "code": "zzzzzzzz", "number": 1, "filename": "x", "wave_id": 1,
               "kpi": "digital_satisfaction_rate", "session_id": 1, "course_id": 1, "device_id": 1,
               "batch_id": 1, "questionnaire_id": 1}


def _staff_rules(app: Flask) -> list[tuple[str, str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in PUBLIC_STAFF_ENDPOINTS:
            continue
        url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append((rule.endpoint, method, url))
    return rules


def test_the_url_map_has_staff_routes(app: Flask) -> None:
    assert len(_staff_rules(app)) >= 6


def test_every_staff_view_declares_its_roles(app: Flask) -> None:
    for endpoint, _method, _url in _staff_rules(app):
        roles = getattr(app.view_functions[endpoint], "allowed_roles", None)
        assert roles, f"{endpoint} has no role check"
        assert set(roles) <= set(ROLES)


def test_without_login_every_staff_url_redirects_to_login(app: Flask, client: FlaskClient) -> None:
    login(app.test_client(), app, "admin")  # so /staff/login does not turn into the setup page
    for endpoint, method, url in _staff_rules(app):
        response = client.open(url, method=method)
        response.close()
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert "/staff/login" in response.headers["Location"], endpoint


@pytest.mark.parametrize("role", ROLES)
def test_wrong_role_gets_403_and_right_role_gets_through(app: Flask, role: str) -> None:
    client = app.test_client()
    login(client, app, role)
    for endpoint, method, url in _staff_rules(app):
        allowed = app.view_functions[endpoint].allowed_roles
        response = client.open(url, method=method)
        response.close()  # finish streamed downloads before the next request
        if role in allowed:
            assert response.status_code not in (302, 401, 403), (endpoint, method, role)
        else:
            assert response.status_code == 403, (endpoint, method, role)


def test_first_run_page_only_while_no_account_exists(bare_app: Flask) -> None:
    client = bare_app.test_client()
    assert client.get("/staff/login").headers["Location"].endswith("/staff/setup")
    response = client.post("/staff/setup", data={
        "email": "first@city.example.jp", "password": "a long enough pass",
        "confirm": "a long enough pass"})
    assert response.status_code == 303
    assert client.get("/staff/").status_code == 200
    other = bare_app.test_client()
    assert other.get("/staff/setup").status_code == 404
    assert other.post("/staff/setup", data={
        "email": "second@city.example.jp", "password": "another long pass",
        "confirm": "another long pass"}).status_code == 404


def test_wrong_password_is_refused_without_saying_which_part(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "analyst")
    other = app.test_client()
    response = other.post("/staff/login", data={"email": "analyst@city.example.jp",
                                                "password": "wrong password!!"})
    assert response.status_code == 200
    assert "メールアドレスかパスワードが正しくありません" in response.get_data(as_text=True)


def test_login_never_redirects_off_site(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    client.post("/staff/logout")
    response = client.post("/staff/login?next=//evil.example/x", data={
        "email": "admin@city.example.jp", "password": "correct horse battery staple"})
    assert response.headers["Location"] == "/staff/"
