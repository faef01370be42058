"""Bad input never gives a 500 and never loses an answer (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import Answer
from tests.conftest import answer_survey, link_code, login

FULL = {"digital_satisfaction": "satisfied", "services_used": ["website"], "age_band": "40_49",
        "gender": "female", "area": "naka"}


def _comments(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(Answer.text).where(Answer.text.is_not(None))))


def test_a_nul_in_the_final_comment_is_removed_and_the_response_kept(client: FlaskClient, app: Flask) -> None:
    answer_survey(client, app, "digital-services", {**FULL, "comment": "窓口\x00が便利\x07です\r\n次も"})
    code = link_code(app, "digital-services")
    done = client.get(f"/s/{code}/done")
    assert done.status_code == 200
    assert "回答を受け付けました" in done.get_data(as_text=True)
    assert _comments(app) == ["窓口が便利です\n次も"]


def test_a_nul_in_a_link_code_is_not_found(client: FlaskClient) -> None:
    for path in ("/s/%00abc", "/s/abc%00", "/s/%00abc/p/1", "/s/%00abc/done"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "ページが見つかりません" in response.get_data(as_text=True)
    assert client.post("/s/%00abc").status_code == 404


def test_control_characters_in_a_query_string_get_a_message_in_the_respondents_language(
        client: FlaskClient, app: Flask) -> None:
    code = link_code(app, "digital-services")
    response = client.get(f"/s/{code}?lang=%00en")
    assert response.status_code == 400
    assert "使えない文字" in response.get_data(as_text=True)
    client.set_cookie("lang", "en", domain="survey.test")
    english = client.get(f"/s/{code}?x=%01")
    assert english.status_code == 400
    assert "characters that cannot be used" in english.get_data(as_text=True)


def test_staff_text_fields_drop_control_characters(app: Flask) -> None:

    client = app.test_client()
    login(client, app, "admin")
    response = client.post("/staff/surveys/digital-services/links",
                           data={"label": "駅前\x00ポスター", "channel": "poster-qr", "default_language": "ja"})
    assert response.status_code == 303
    with app.app_context():
        from surveyapp.surveys.services import get_survey

        labels = [link.label for link in get_survey("digital-services").links]
    assert "駅前ポスター" in labels
