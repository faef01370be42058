"""NUL bytes and other control characters in the login form give a form error, not a 500."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import PASSWORD, make_staff

from .helpers import persona, post_login


@pytest.mark.parametrize(("email", "password"), [
    ("admin@city.example.jp\x00", PASSWORD),
    ("\x00", "x"),
    ("admin@city.example.jp", "correct horse\x00battery staple"),
    ("admin@city.example.jp", "line\nbreak\tand\x1b escape"),
    ("ad\x7fmin@city.example.jp", PASSWORD),
])
def test_control_characters_in_the_login_form_are_a_clear_error(app: Flask, email: str, password: str) -> None:
    make_staff(app, "admin")
    response = post_login(app.test_client(), email, password)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "使えない文字（制御文字）が含まれています" in html
    assert post_login(app.test_client(), persona("admin")).status_code == 303


def test_control_characters_in_account_forms_are_a_clear_error(app: Flask) -> None:
    from tests.conftest import login

    client = app.test_client()
    login(client, app, "admin")
    response = client.post("/staff/accounts", data={"email": "new\x00@city.example.jp", "role": "analyst"})
    assert response.status_code == 400 and "制御文字" in response.get_data(as_text=True)
    reset = client.post("/staff/reset", data={"code": "abcd\x00", "password": "x", "confirm": "x"})
    assert reset.status_code == 400 and "制御文字" in reset.get_data(as_text=True)
