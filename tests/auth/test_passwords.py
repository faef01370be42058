"""One password policy for the CLI and every form, with a shipped list of common passwords."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.auth.models import StaffUser
from surveyapp.auth.passwords import MAX_LENGTH, common_passwords, password_problem
from surveyapp.extensions import db
from tests.conftest import PASSWORD, login

from .helpers import persona

WEAK = {  # the examples, and their cousins
    " " * 12: "too_short",
    "aaaaaaaaaaaa": "common",
    "passwordpassword": "common",
    "Password2026!": "common",
    "!!sunshine1234": "common",
    "abcabcabcabc": "common",
    "123456789012": "common",
    "qwertyuiopas": "common",
    "x" * 5000: "too_long",
    "a long pass\x00phrase": "control",
}


def test_the_list_is_shipped_with_the_package_and_reasonably_large() -> None:
    words = common_passwords()
    assert len(words) >= 20_000
    assert {"password", "iloveyou", "qwerty123456"} <= words


@pytest.mark.parametrize(("password", "code"), WEAK.items())
def test_weak_passwords_are_refused_with_the_reason(password: str, code: str) -> None:
    assert password_problem(password) == code


def test_good_passphrases_pass_and_the_email_name_is_refused() -> None:
    for password in (PASSWORD, "Kakamigahara の春 2026 と桜", "Zk8#pLq2!vR9x"):
        assert password_problem(password) is None, password
    assert password_problem("tanaka loves the city hall", "tanaka@city.example.jp") == "contains_email"
    assert password_problem("x" * MAX_LENGTH) == "common"
    assert password_problem("xy" * (MAX_LENGTH // 2)) == "common"
    assert password_problem("x" * (MAX_LENGTH + 1)) == "too_long"


@pytest.mark.parametrize("password", list(WEAK))
def test_the_cli_refuses_weak_passwords(app: Flask, password: str) -> None:
    result = app.test_cli_runner().invoke(args=["staff", "create", "new@city.example.jp", "--role",
                                                "analyst", "--password-stdin"], input=password + "\n")
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(sa.select(StaffUser.id)) is None


def test_the_first_run_page_refuses_weak_passwords(bare_app: Flask) -> None:
    client = bare_app.test_client()
    response = client.post("/staff/setup", data={"email": "first@city.example.jp",
                                                 "password": "passwordpassword", "confirm": "passwordpassword"})
    assert response.status_code == 400
    assert "推測されやすいパスワードです" in response.get_data(as_text=True)


def test_the_password_change_refuses_weak_and_overlong_passwords(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "analyst")
    for weak, message in (("aaaaaaaaaaaa", "推測されやすい"), ("x" * 5000, f"{MAX_LENGTH}文字以内"),
                          (" " * 12, "12文字以上")):
        response = client.post("/staff/account/password", data={
            "current": PASSWORD, "password": weak, "confirm": weak})
        assert response.status_code == 400 and message in response.get_data(as_text=True), weak


def test_one_maximum_length_for_the_cli_and_the_login_form(app: Flask) -> None:
    longest = "a rather long pass phrase " * 5
    longest = longest[:MAX_LENGTH]
    result = app.test_cli_runner().invoke(args=["staff", "create", persona("analyst"), "--role", "analyst",
                                                "--password-stdin"], input=longest + "\n")
    assert result.exit_code == 0, result.output
    client = app.test_client()
    assert client.post("/staff/login", data={"email": persona("analyst"), "password": longest}).status_code == 303
    too_long = app.test_client().post("/staff/login", data={"email": persona("analyst"), "password": longest + "x"})
    assert too_long.status_code == 400 and f"{MAX_LENGTH}文字以内" in too_long.get_data(as_text=True)
