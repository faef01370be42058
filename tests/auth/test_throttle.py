"""Login throttling: back-off per account and per source, held in the database, no lockout
an attacker can hold over the admin, every checked failure audited."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp import create_app
from surveyapp.audit import AuditEntry
from surveyapp.auth.models import LoginFailure
from surveyapp.extensions import db
from tests.conftest import PASSWORD, make_staff

from .helpers import Clock, persona, post_login

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
OFFICE = {"REMOTE_ADDR": "203.0.113.20"}
REFUSED = "ログインの失敗が続いたため"


def _try(client: Any, email: str, password: str, where: dict[str, str] = ATTACKER) -> Any:
    return post_login(client, email, password, environ_base=where)


def _failures(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.action == "staff.login_failed").order_by(AuditEntry.id)))


def test_thirty_wrong_passwords_then_the_right_one_is_refused(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The issue's finding: 30 wrong passwords for an admin, then the right one, logged in."""
    clock = Clock(monkeypatch)
    admin = make_staff(app, "admin")
    client = app.test_client()
    for number in range(30):
        response = _try(client, admin, f"wrong guess number {number}")
        assert response.status_code in (200, 429)
    right = _try(client, admin, PASSWORD)
    assert right.status_code == 429 and REFUSED in right.get_data(as_text=True)
    assert int(right.headers["Retry-After"]) > 0
    assert client.get("/staff/").status_code == 302  # not logged in
    clock.advance(seconds=int(right.headers["Retry-After"]) + 1)
    assert _try(client, admin, PASSWORD).status_code == 303


def test_each_further_failure_doubles_the_wait_up_to_the_cap(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    admin = make_staff(app, "admin")
    client = app.test_client()
    waits = []
    for number in range(12):
        response = _try(client, admin, f"patient guess {number}")
        assert response.status_code == 200, number  # every guess here was really checked
        waits.append(_failures(app)[-1].detail["wait_seconds"])
        if waits[-1]:
            early = _try(client, admin, PASSWORD)  # even the right password must wait
            assert early.status_code == 429 and 0 < int(early.headers["Retry-After"]) <= waits[-1]
        clock.advance(seconds=waits[-1] + 1)
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [30, 60, 120, 240, 480]
    assert waits[9:] == [900, 900, 900]  # LOGIN_MAX_DELAY_SECONDS: no lockout, a capped wait
    assert len(_failures(app)) == 12  # the refused early tries were never checked nor counted
    assert _try(client, admin, PASSWORD).status_code == 303


def test_unknown_and_known_accounts_get_the_same_answer_and_work(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    import surveyapp.auth.services as services

    admin = make_staff(app, "admin")
    checks: list[str] = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash",
                        lambda hashed, password: checks.append(password) or real(hashed, password))
    answers = {}
    for email in (admin, "nobody@city.example.jp"):
        checks.clear()
        response = _try(app.test_client(), email, "a wrong password here")
        wording = "メールアドレスかパスワードが正しくありません" in response.get_data(as_text=True)
        answers[email] = (response.status_code, wording)
        assert len(checks) == 1, email  # one scrypt check either way, so the timing matches
    assert answers[admin] == answers["nobody@city.example.jp"] == (200, True)
    for email in (admin, "nobody@city.example.jp"):  # and both are throttled alike
        for number in range(5):
            _try(app.test_client(), email, f"wrong {number}", {"REMOTE_ADDR": f"192.0.2.{number}"})
        response = _try(app.test_client(), email, "wrong again", {"REMOTE_ADDR": "192.0.2.99"})
        assert response.status_code == 429, email


def test_failures_are_audited_without_what_was_typed(app: Flask) -> None:
    admin = make_staff(app, "admin")
    _try(app.test_client(), admin, "secret guess one")
    _try(app.test_client(), "Typo@City.example.jp", "secret guess two")
    entries = _failures(app)
    assert [e.target for e in entries] == [admin, "（登録のないアカウント）"]
    assert [e.detail["reason"] for e in entries] == ["password", "unknown"]
    for entry in entries:
        text = repr(entry.detail)
        assert "secret guess" not in text and "typo@" not in text.lower() and "198.51.100.7" not in text
        assert len(entry.detail["source"]) == 32  # a keyed hash, never the address
    with app.app_context():
        stored = db.session.scalars(sa.select(LoginFailure)).all()
        assert len(stored) == 2 and all("@" not in f.account for f in stored)


def test_one_source_guessing_many_accounts_is_slowed_down(app: Flask) -> None:
    make_staff(app, "admin")
    for number in range(20):
        _try(app.test_client(), f"person{number}@city.example.jp", "some wrong password")
    response = _try(app.test_client(), "person99@city.example.jp", "some wrong password")
    assert response.status_code == 429
    # Another address is not affected.
    assert _try(app.test_client(), persona("admin"), PASSWORD, OFFICE).status_code == 303


def test_an_attacker_cannot_keep_the_admin_out(app: Flask) -> None:
    admin = make_staff(app, "admin")
    office = app.test_client()
    assert _try(office, admin, PASSWORD, OFFICE).status_code == 303  # this browser is known now
    office.post("/staff/logout")
    attacker = app.test_client()
    for number in range(30):
        _try(attacker, admin, f"attack {number}", {"REMOTE_ADDR": f"192.0.2.{number}"})
    # From the admin's own browser the login works at once, despite the attack.
    assert _try(office, admin, PASSWORD, OFFICE).status_code == 303
    # From a browser never used before, the account waits; `flask staff unlock` ends the wait.
    new_browser = app.test_client()
    assert _try(new_browser, admin, PASSWORD, OFFICE).status_code == 429
    result = app.test_cli_runner().invoke(args=["staff", "unlock", admin])
    assert result.exit_code == 0 and "forgot" in result.output
    assert _try(new_browser, admin, PASSWORD, OFFICE).status_code == 303


def test_a_device_cookie_only_counts_for_its_own_account(app: Flask) -> None:
    admin = make_staff(app, "admin")
    analyst = make_staff(app, "analyst")
    office = app.test_client()
    _try(office, analyst, PASSWORD, OFFICE)
    office.post("/staff/logout")
    for number in range(6):
        _try(app.test_client(), admin, f"attack {number}")
    assert _try(office, admin, PASSWORD, OFFICE).status_code == 429


def test_the_throttle_holds_across_workers(app: Flask, tmp_path: Any) -> None:
    """Two app processes on one database (as gunicorn workers are) share the count."""
    admin = make_staff(app, "admin")
    other = create_app({"INSTANCE_PATH": str(tmp_path / "worker2"), "TESTING": True,
                        "SECRET_KEY": app.config["SECRET_KEY"], "WTF_CSRF_ENABLED": False,
                        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                        "SERVER_NAME": "survey.test"})
    try:
        for number in range(5):
            worker = app if number % 2 else other
            _try(worker.test_client(), admin, f"wrong {number}")
        assert _try(other.test_client(), admin, PASSWORD).status_code == 429
        assert _try(app.test_client(), admin, PASSWORD).status_code == 429
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_thresholds_are_settings(app_factory: Any) -> None:
    app = app_factory(LOGIN_FREE_FAILURES=2, LOGIN_MAX_DELAY_SECONDS=45)
    admin = make_staff(app, "admin")
    for number in range(2):
        assert _try(app.test_client(), admin, f"wrong {number}").status_code == 200
    response = _try(app.test_client(), admin, PASSWORD)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) <= 30
