"""Staff sessions end when they should: logout, password, role, deactivation, idle time and
lifetime; each login starts a fresh session with a fresh CSRF secret."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.auth.services import change_role, find_account, set_active
from surveyapp.extensions import db
from tests.conftest import PASSWORD, login, make_staff
from tests.results.factories import add_responses, digital_services_sample

from .helpers import Clock, client_with_cookie, persona, post_login, session_cookie


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_cookie_copied_before_logout_opens_nothing_afterwards(app: Flask) -> None:
    """The issue's finding: the copied cookie still opened /staff/ and responses.csv."""
    add_responses(app, "digital-services", digital_services_sample(5, 5))
    client = app.test_client()
    login(client, app, "analyst")
    copied = client_with_cookie(app, session_cookie(client))
    assert copied.get("/staff/").status_code == 200
    download = copied.get("/staff/surveys/digital-services/responses.csv")
    assert download.status_code == 200
    download.close()

    assert client.post("/staff/logout").status_code == 303
    for path in ("/staff/", "/staff/surveys/digital-services/responses.csv"):
        response = copied.get(path)
        assert response.status_code == 302 and "/staff/login" in response.headers["Location"], path
    assert "staff.logout" in _actions(app)


def test_logout_ends_the_sessions_of_other_browsers_too(app: Flask) -> None:
    office, home = app.test_client(), app.test_client()
    login(office, app, "admin")
    login(home, app, "admin")
    office.post("/staff/logout")
    assert home.get("/staff/").status_code == 302


@pytest.mark.parametrize("change", ["role", "deactivate"])
def test_role_change_and_deactivation_end_every_session(app: Flask, change: str) -> None:
    make_staff(app, "admin")
    client = app.test_client()
    login(client, app, "analyst")
    assert client.get("/staff/").status_code == 200
    with app.app_context():
        user = find_account(persona("analyst"))
        assert user is not None
        if change == "role":
            change_role(user, "course-staff", by=None)
        else:
            set_active(user, False, by=None)
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


def test_a_password_change_keeps_this_browser_and_ends_the_others(app: Flask) -> None:
    here, there = app.test_client(), app.test_client()
    login(here, app, "analyst")
    login(there, app, "analyst")
    new = "a brand new pass phrase"
    response = here.post("/staff/account/password", data={
        "current": PASSWORD, "password": new, "confirm": new})
    assert response.status_code == 303
    assert here.get("/staff/").status_code == 200
    assert there.get("/staff/").status_code == 302
    assert post_login(app.test_client(), persona("analyst"), new).status_code == 303
    assert "staff.password_changed" in _actions(app)


def test_an_idle_session_ends_after_the_idle_timeout(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    client = app.test_client()
    login(client, app, "analyst")
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200  # activity restarts the idle clock
    clock.advance(minutes=29)
    assert client.get("/staff/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/staff/")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ログアウトしました" in page
    assert _actions(app)[-1] == "staff.session_expired"


def test_an_active_session_ends_after_its_lifetime(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    client = app.test_client()
    login(client, app, "analyst")
    for _ in range(35):  # busy all day: a request every 20 minutes
        clock.advance(minutes=20)
        assert client.get("/staff/account").status_code == 200
    clock.advance(minutes=20)  # 12 h 20 min after the login
    assert client.get("/staff/account").status_code == 302


def test_timeouts_are_settings(app_factory: object, monkeypatch: pytest.MonkeyPatch) -> None:
    app = app_factory(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)  # type: ignore[operator]
    clock = Clock(monkeypatch)
    client = app.test_client()
    login(client, app, "admin")
    clock.advance(minutes=6)
    assert client.get("/staff/account").status_code == 302
    login(client, app, "admin")
    for _ in range(14):
        clock.advance(minutes=4)
        assert client.get("/staff/account").status_code == 200
    clock.advance(minutes=4, seconds=30)  # 60½ minutes after the login, 4½ minutes idle
    assert client.get("/staff/account").status_code == 302


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_login_renews_and_logout_clears_the_session_and_its_csrf_secret(app_factory: object) -> None:
    app = app_factory(WTF_CSRF_ENABLED=True)  # type: ignore[operator]
    make_staff(app, "analyst")
    client = app.test_client()
    token = _csrf(client.get("/staff/login").get_data(as_text=True))
    with client.session_transaction() as session:
        secret_before = session["csrf_token"]
    cookie_before = session_cookie(client)
    response = client.post("/staff/login", data={"email": persona("analyst"), "password": PASSWORD,
                                                 "csrf_token": token})
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert session.get("csrf_token") != secret_before
    # The token of the page before the login no longer works.
    assert client.post("/staff/logout", data={"csrf_token": token}).status_code == 400
    # A cookie from before the login never becomes a logged-in session.
    assert client_with_cookie(app, cookie_before).get("/staff/").status_code == 302

    fresh = _csrf(client.get("/staff/account").get_data(as_text=True))
    assert client.post("/staff/logout", data={"csrf_token": fresh}).status_code == 303
    with client.session_transaction() as session:
        assert "_user_id" not in session and "csrf_token" not in session


def test_a_forced_password_change_comes_before_every_other_page(app: Flask) -> None:
    from surveyapp.auth.services import require_password_change

    client = app.test_client()
    login(client, app, "analyst")
    with app.app_context():
        user = find_account(persona("analyst"))
        assert user is not None
        require_password_change(user, by=None)
    for path in ("/staff/", "/staff/report", "/staff/account"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/staff/account/password")
    assert "使い始める前に新しいパスワード" in client.get("/staff/account/password").get_data(as_text=True)
    new = "the second pass phrase"
    client.post("/staff/account/password", data={"current": PASSWORD, "password": new, "confirm": new})
    assert client.get("/staff/").status_code == 200
