"""Every staff URL needs a login and the permission the roles table gives — generated from the
URL map and read from ``surveyapp/auth/roles.py``, so a new route without an entry fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.auth.roles import PERMISSIONS, ROLE_NAMES, ROLES
from surveyapp.auth.roles_doc import PUBLIC_STAFF_ENDPOINTS, roles_markdown
from tests.conftest import PASSWORD, PERSONAS, login, make_staff

ROLES_DOC = Path(__file__).resolve().parents[2] / "docs" / "roles.md"
SAMPLE_ARGS = {"key": "digital-services", "code": "zzzzzzzz", "number": 1, "filename": "x",
               "kpi": "digital_satisfaction_rate", "session_id": 1, "course_id": 1, "device_id": 1,
               "user_id": 1, "index": 0, "lang": "ja", "response_id": 1, "wave_id": 1, "batch_id": 1,
               "questionnaire_id": 1}
RESULT_PAGES = ["/staff/", "/staff/report", "/staff/kpis/digital-services/digital_satisfaction_rate",
                "/staff/surveys/digital-services/fieldwork", "/staff/surveys/counter/comments",
                "/staff/surveys/counter/responses.csv", "/staff/downloads/kpis.csv"]


def _staff_rules(app: Flask) -> list[tuple[str, str, str]]:
    rules = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff") or rule.endpoint in PUBLIC_STAFF_ENDPOINTS:
            continue
        url = rule.build({name: SAMPLE_ARGS[name] for name in rule.arguments})[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rules.append((rule.endpoint, method, url))
    return rules


def _expected_roles(app: Flask, endpoint: str) -> frozenset[str]:
    """From the one table: the roles of the permission the route names."""
    name = getattr(app.view_functions[endpoint], "permission", None)
    assert name in PERMISSIONS, f"{endpoint} declares no permission of surveyapp/auth/roles.py"
    return PERMISSIONS[name].roles


def test_the_url_map_has_staff_routes(app: Flask) -> None:
    assert len(_staff_rules(app)) >= 30


def test_every_staff_view_declares_a_permission_of_the_table(app: Flask) -> None:
    for endpoint, _method, _url in _staff_rules(app):
        roles = _expected_roles(app, endpoint)
        assert roles <= set(ROLE_NAMES)
        assert app.view_functions[endpoint].allowed_roles == roles, endpoint


def test_each_role_starts_on_a_page_it_may_open(app: Flask) -> None:
    for name, role in ROLES.items():
        assert name in _expected_roles(app, role.home), name


def test_the_roles_document_is_generated_from_the_table(app: Flask) -> None:
    with app.test_request_context():
        expected = roles_markdown(app)
    assert ROLES_DOC.read_text(encoding="utf-8") == expected, "run `make roles-doc` and commit docs/roles.md"
    for key in PERMISSIONS:
        assert f"| `{key}` |" in expected


def test_without_login_every_staff_url_redirects_to_login(app: Flask, client: FlaskClient) -> None:
    login(app.test_client(), app, "admin")  # so /staff/login does not turn into the setup page
    for endpoint, method, url in _staff_rules(app):
        response = client.open(url, method=method)
        response.close()
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert "/staff/login" in response.headers["Location"], endpoint


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_wrong_role_gets_403_and_right_role_gets_through(app: Flask, role: str) -> None:
    make_staff(app, "data-entry")  # account 1, the subject of the /staff/accounts/1/… calls
    client = app.test_client()
    login(client, app, role)
    for endpoint, method, url in _staff_rules(app):
        allowed = _expected_roles(app, endpoint)
        response = client.open(url, method=method)
        response.close()  # finish streamed downloads before the next request
        if role in allowed:
            assert response.status_code not in (302, 401, 403), (endpoint, method, role)
        else:
            assert response.status_code == 403, (endpoint, method, role)


@pytest.mark.parametrize("role", ["course-staff", "data-entry"])
def test_lower_roles_read_no_results_and_land_on_their_own_page(app: Flask, role: str) -> None:
    """The issue's finding: course-staff and data-entry got 200 on the results pages."""
    client = app.test_client()
    make_staff(app, role)
    landed = client.post("/staff/login?next=/staff/", data={"email": PERSONAS[role], "password": PASSWORD})
    assert landed.status_code == 303
    home = landed.headers["Location"]
    assert home == ("/staff/courses" if role == "course-staff" else "/staff/paper")
    assert client.get(home).status_code == 200
    for path in RESULT_PAGES:
        response = client.get(path)
        response.close()
        assert response.status_code == 403, (role, path)
        assert "職員用のトップページへ" in response.get_data(as_text=True)


def test_results_roles_land_on_the_dashboard(app: Flask) -> None:
    client = app.test_client()
    make_staff(app, "analyst")
    landed = client.post("/staff/login", data={"email": PERSONAS["analyst"], "password": PASSWORD})
    assert landed.headers["Location"] == "/staff/"
    assert "KPI一覧" in client.get("/staff/").get_data(as_text=True)


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
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "/staff/nowhere"):
        response = client.post(f"/staff/login?next={target}", data={
            "email": "admin@city.example.jp", "password": "correct horse battery staple"})
        assert response.headers["Location"] == "/staff/", target
        client.post("/staff/logout")
