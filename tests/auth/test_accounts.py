"""The account lifecycle for admins, in the browser and with ``flask staff``: list, create with
a one-time code, change role, deactivate and reactivate, reset, force a change — all audited."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.audit import AuditEntry
from surveyapp.auth.models import StaffUser
from surveyapp.auth.services import find_account
from surveyapp.extensions import db
from tests.conftest import PASSWORD, login, make_staff

from .helpers import Clock, persona, post_login

NEW = "kato@city.example.jp"
NEW_PASSWORD = "spring cherry blossoms at the river"


def _admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, app, "admin")
    return client


def _account_id(app: Flask, email: str) -> int:
    with app.app_context():
        user = find_account(email)
        assert user is not None
        return user.id


def _code_on(html: str) -> str:
    match = re.search(r'id="reset-code">([a-z0-9-]+)<', html)
    assert match, "the code is shown once"
    return match.group(1)


def _actions(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        return [(e.action, e.target) for e in db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id))]


def test_the_list_shows_role_last_login_and_status(app: Flask) -> None:
    make_staff(app, "course-staff")
    admin = _admin(app)
    html = admin.get("/staff/accounts").get_data(as_text=True)
    assert persona("admin") in html and persona("course-staff") in html
    assert "管理者" in html and "講座担当" in html and "未ログイン" in html and "有効" in html
    assert "役割ごとにできること" in html


def test_create_shows_a_one_time_code_the_new_member_uses(app: Flask) -> None:
    admin = _admin(app)
    response = admin.post("/staff/accounts", data={"email": NEW, "role": "analyst"})
    assert response.status_code == 200
    code = _code_on(response.get_data(as_text=True))
    with app.app_context():
        user = find_account(NEW)
        assert user is not None and user.role == "analyst" and user.reset_code_hash
        assert code.replace("-", "") not in user.reset_code_hash  # stored as a digest only
    assert code not in admin.get(f"/staff/accounts/{user.id}").get_data(as_text=True)

    newcomer = app.test_client()
    assert post_login(newcomer, NEW, "anything at all here").status_code == 200  # no password yet
    weak = newcomer.post("/staff/reset", data={"code": code, "password": "passwordpassword",
                                               "confirm": "passwordpassword"})
    assert weak.status_code == 400 and "推測されやすい" in weak.get_data(as_text=True)
    done = newcomer.post("/staff/reset", data={"code": code.upper(), "password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/staff/login")
    assert post_login(newcomer, NEW, NEW_PASSWORD).status_code == 303
    again = app.test_client().post("/staff/reset", data={"code": code, "password": "another pass phrase",
                                                         "confirm": "another pass phrase"})
    assert again.status_code == 400 and "正しくないか、期限が切れています" in again.get_data(as_text=True)
    lifecycle = ("staff.create", "staff.reset_issued", "staff.password_reset")
    assert [a for a, t in _actions(app) if a in lifecycle and t == NEW] == list(lifecycle)


def test_a_reset_code_expires(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    make_staff(app, "analyst")
    admin = _admin(app)
    user_id = _account_id(app, persona("analyst"))
    code = _code_on(admin.post(f"/staff/accounts/{user_id}/reset").get_data(as_text=True))
    clock.advance(hours=24, minutes=1)
    response = app.test_client().post("/staff/reset", data={"code": code, "password": NEW_PASSWORD,
                                                            "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert post_login(app.test_client(), persona("analyst")).status_code == 303  # old password unchanged


def test_role_change_deactivation_and_reactivation_in_the_browser(app: Flask) -> None:
    make_staff(app, "analyst")
    admin = _admin(app)
    user_id = _account_id(app, persona("analyst"))
    response = admin.post(f"/staff/accounts/{user_id}/role", data={"role": "course-staff"})
    assert response.status_code == 303
    assert "講座担当" in admin.get(response.headers["Location"]).get_data(as_text=True)
    assert admin.post(f"/staff/accounts/{user_id}/active", data={"active": "0"}).status_code == 303
    refused = post_login(app.test_client(), persona("analyst"))
    assert refused.status_code == 200 and "正しくありません" in refused.get_data(as_text=True)
    assert "停止中" in admin.get("/staff/accounts").get_data(as_text=True)
    admin.post(f"/staff/accounts/{user_id}/active", data={"active": "1"})
    assert post_login(app.test_client(), persona("analyst")).status_code == 303
    with app.app_context():
        failed = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "staff.login_failed")).one()
        assert failed.detail["reason"] == "inactive"
    actions = _actions(app)
    for action in ("staff.role", "staff.deactivate", "staff.reactivate"):
        assert (action, persona("analyst")) in actions


def test_the_last_active_admin_can_be_neither_deactivated_nor_demoted(app: Flask) -> None:
    admin = _admin(app)
    admin_id = _account_id(app, persona("admin"))
    admin.post(f"/staff/accounts/{admin_id}/active", data={"active": "0"})
    page = admin.post(f"/staff/accounts/{admin_id}/role", data={"role": "analyst"})
    assert page.status_code == 400 and "有効な管理者がこのアカウントだけ" in page.get_data(as_text=True)
    runner = app.test_cli_runner()
    for args in (["staff", "deactivate", persona("admin")], ["staff", "role", persona("admin"), "analyst"]):
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "last active admin" in result.output
    with app.app_context():
        user = find_account(persona("admin"))
        assert user is not None and user.active and user.role == "admin"
    # With a second admin, the first may step down.
    make_staff(app, "analyst")
    assert runner.invoke(args=["staff", "role", persona("analyst"), "admin"]).exit_code == 0
    assert runner.invoke(args=["staff", "deactivate", persona("admin")]).exit_code == 0


def test_force_a_password_change_from_the_browser(app: Flask) -> None:
    make_staff(app, "analyst")
    admin = _admin(app)
    user_id = _account_id(app, persona("analyst"))
    admin.post(f"/staff/accounts/{user_id}/must-change")
    client = app.test_client()
    post_login(client, persona("analyst"))
    assert client.get("/staff/").headers["Location"].endswith("/staff/account/password")
    assert ("staff.must_change", persona("analyst")) in _actions(app)


def test_the_cli_lifecycle(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = app.test_cli_runner()
    make_staff(app, "admin")
    created = runner.invoke(args=["staff", "create", NEW, "--role", "data-entry", "--password-stdin",
                                  "--must-change"], input=NEW_PASSWORD + "\n")
    assert created.exit_code == 0, created.output
    listing = runner.invoke(args=["staff", "list"]).output
    assert f"{NEW}\tdata-entry\tactive, must change password\tlast login -" in listing
    assert runner.invoke(args=["staff", "role", NEW, "analyst"]).exit_code == 0
    assert runner.invoke(args=["staff", "deactivate", NEW]).exit_code == 0
    assert "deactivated" in runner.invoke(args=["staff", "list"]).output
    assert runner.invoke(args=["staff", "reactivate", NEW]).exit_code == 0
    reset = runner.invoke(args=["staff", "reset", NEW])
    code = re.search(r"code for .*: ([a-z0-9-]+)", reset.output)
    assert reset.exit_code == 0 and code
    assert app.test_client().post("/staff/reset", data={
        "code": code.group(1), "password": "the river in spring time", "confirm": "the river in spring time",
    }).status_code == 303
    assert runner.invoke(args=["staff", "must-change", NEW]).exit_code == 0
    missing = runner.invoke(args=["staff", "role", "nobody@city.example.jp", "analyst"])
    assert missing.exit_code != 0 and "no account" in missing.output
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser).where(StaffUser.email == NEW))
        assert user is not None and user.role == "analyst" and user.active and user.must_change_password
    actions = [a for a, target in _actions(app) if target == NEW]
    assert actions == ["staff.create", "staff.role", "staff.deactivate", "staff.reactivate",
                       "staff.reset_issued", "staff.password_reset", "staff.must_change"]
    with app.app_context():
        by = set(db.session.scalars(sa.select(AuditEntry.user_id).where(AuditEntry.target == NEW,
                                                                         AuditEntry.action != "staff.password_reset")))
        assert by == {None}  # done from the command line, by no staff member


def test_own_account_page_says_what_the_role_may_do(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "data-entry")
    html = client.get("/staff/account").get_data(as_text=True)
    assert persona("data-entry") in html and "入力担当" in html and "パスワードを変更する" in html
    assert "KPIの結果を見る" not in html
    assert client.get("/staff/accounts").status_code == 403


def test_wrong_current_password_is_refused_and_audited(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "analyst")
    response = client.post("/staff/account/password", data={
        "current": "not my password!", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400 and "いまのパスワードが正しくありません" in response.get_data(as_text=True)
    assert ("staff.password_change_failed", persona("analyst")) in _actions(app)
    assert post_login(app.test_client(), persona("analyst"), PASSWORD).status_code == 303


def test_reset_codes_cannot_be_guessed_quickly(app: Flask) -> None:
    make_staff(app, "admin")
    client = app.test_client()
    statuses = [client.post("/staff/reset", data={"code": f"aaaa-bbbb-cccc-{n:04d}", "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD}).status_code for n in range(7)]
    assert statuses[:5] == [400] * 5 and statuses[-1] == 429
