"""The respondent flow end to end through the test client."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import Answer, Response
from tests.conftest import (
    answer_survey,
    link_code,
    new_uuid,
    post_with_errors,
    response_id_on,
    start_flow,
)

SURVEY = "digital-services"
FULL = {
    "digital_satisfaction": "somewhat_satisfied",
    "services_used": ["online_application", "website"],
    "age_band": "60_69",
    "gender": "female",
    "area": "kawashima",
    "comment": "窓口の予約がオンラインでできると助かります。",
}


def _stored(app: Flask) -> list[Response]:
    with app.app_context():
        responses = list(db.session.scalars(sa.select(Response)))
        for response in responses:
            _ = response.answers
        return responses


def _answers_of(app: Flask) -> dict[str, object]:
    with app.app_context():
        rows = db.session.execute(sa.select(Answer.question_key, Answer.option_code, Answer.text)
                                  .order_by(Answer.id)).all()
    stored: dict[str, object] = {}
    for key, code, text in rows:
        if text is not None:
            stored[key] = text
        elif key in stored:
            stored[key] = [*([stored[key]] if isinstance(stored[key], str) else stored[key]), code]
        else:
            stored[key] = code
    return stored


def test_landing_lists_open_resident_surveys(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "行政サービスのデジタル化" in html
    assert "/s/" in html
    # The staff survey goes round inside city hall; it is not listed to the public.
    assert "生成AI" not in html


def test_every_page_then_thank_you_stores_one_response(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start = client.get(f"/s/{code}")
    assert start.status_code == 200
    # The introduction, then the first question and the button that leads on.
    assert 'name="digital_satisfaction"' in start.get_data(as_text=True)
    assert "次へ" in start.get_data(as_text=True)
    client_uuid = answer_survey(client, app, SURVEY, FULL)
    done = client.get(f"/s/{code}/done")
    assert done.status_code == 200
    assert "回答を受け付けました" in done.get_data(as_text=True)
    responses = _stored(app)
    assert len(responses) == 1
    assert str(responses[0].client_uuid) == client_uuid
    assert responses[0].channel == "web"
    stored = _answers_of(app)
    assert stored == {**FULL, "area": "kawashima"}


def test_pages_show_text_progress_and_one_question_each(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    html = client.get(f"/s/{code}/p/2").get_data(as_text=True)
    assert re.search(r"質問 2 / 6", html)
    assert html.count("<fieldset") == 1
    assert "<legend><h1>" in html
    assert 'checked' not in html  # nothing pre-selected


def test_validation_error_has_summary_and_keeps_nothing(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    response = post_with_errors(client, f"/s/{code}/p/1", {})
    html = response.get_data(as_text=True)
    assert "<title>エラー：" in html
    assert 'class="error-summary"' in html
    # The summary links to the first radio of the question (GOV.UK error summary pattern).
    assert 'href="#digital_satisfaction-1"' in html
    assert 'id="digital_satisfaction-1"' in html
    assert 'aria-invalid="true"' in html
    assert "いずれか1つを選んでください" in html


def test_unknown_option_is_refused_with_a_message(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    response = post_with_errors(client, f"/s/{code}/p/1", {"digital_satisfaction": "delighted"})
    assert "選択肢の中から選んでください" in response.get_data(as_text=True)
    follow = client.get(f"/s/{code}/p/1").get_data(as_text=True)
    assert "checked" not in follow


def test_back_keeps_earlier_answers(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "dissatisfied"})
    page2 = client.get(f"/s/{code}/p/2").get_data(as_text=True)
    assert f'href="/s/{code}/p/1"' in page2  # back link
    page1 = client.get(f"/s/{code}/p/1").get_data(as_text=True)
    assert re.search(r'value="dissatisfied"\s+type="radio"\s+checked', page1)


def test_over_long_text_is_refused_and_nothing_stored(client: FlaskClient, app: Flask) -> None:
    answers = dict(FULL)
    code = link_code(app, SURVEY)
    start_flow(client, code)
    for number, key in enumerate(["digital_satisfaction", "services_used", "age_band", "gender",
                                  "area"], start=1):
        client.post(f"/s/{code}/p/{number}", data={key: answers[key]})
    page = client.get(f"/s/{code}/p/6").get_data(as_text=True)
    assert "2000文字まで入力できます" in page
    response = post_with_errors(client, f"/s/{code}/p/6", {"comment": "あ" * 2001,
                                                           "response_id": response_id_on(page)})
    assert "2000文字以内で入力してください" in response.get_data(as_text=True)
    assert _stored(app) == []


def test_replay_stores_once_and_changed_body_conflicts(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    client_uuid = answer_survey(client, app, SURVEY, FULL)
    again = client.post(f"/s/{code}/p/6", data={"comment": FULL["comment"],
                                                "response_id": client_uuid})
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"/s/{code}/done")
    assert len(_stored(app)) == 1
    changed = client.post(f"/s/{code}/p/6", data={"comment": "別の内容",
                                                  "response_id": client_uuid})
    assert changed.status_code == 409
    assert len(_stored(app)) == 1
    assert _answers_of(app)["comment"] == FULL["comment"]


def test_malformed_or_foreign_uuid_stores_nothing(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"})
    bad = post_with_errors(client, f"/s/{code}/p/6", {"response_id": "not-a-uuid"})
    assert "送信の識別番号が正しくありません" in bad.get_data(as_text=True)
    foreign = client.post(f"/s/{code}/p/6", data={"response_id": new_uuid()})
    assert foreign.status_code == 400
    assert _stored(app) == []


def test_back_after_submit_never_shows_answers(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    answer_survey(client, app, SURVEY, FULL)
    for number in (1, 6):
        page = client.get(f"/s/{code}/p/{number}")
        html = page.get_data(as_text=True)
        assert "回答は送信済みです" in html
        assert "checked" not in html and FULL["comment"] not in html
        assert page.headers["Cache-Control"] == "no-store"


def test_missing_earlier_answer_sends_back_to_that_page(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    page = client.get(f"/s/{code}/p/6").get_data(as_text=True)
    response = client.post(f"/s/{code}/p/6", data={"response_id": response_id_on(page)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/s/{code}/p/1")
    assert _stored(app) == []


def test_unknown_and_closed_surveys(client: FlaskClient, app: Flask) -> None:
    missing = client.get("/s/zzzzzzzz")
    assert missing.status_code == 404
    assert "ページが見つかりません" in missing.get_data(as_text=True)
    runner = app.test_cli_runner()
    from surveyapp.surveys.services import get_survey, set_schedule

    with app.app_context():
        set_schedule(get_survey(SURVEY), status="closed", opens_at=None, closes_at=None,
                     user_id=None)
    code = link_code(app, SURVEY)
    closed = client.get(f"/s/{code}")
    assert closed.status_code == 410
    assert "受付を終了" in closed.get_data(as_text=True)
    assert client.post(f"/s/{code}").status_code == 410
    del runner


def test_survey_closing_mid_flow_refuses_the_submit(client: FlaskClient, app: Flask) -> None:
    from surveyapp.surveys.services import get_survey, set_schedule

    code = link_code(app, "digital-divide-course")
    start_flow(client, code)
    with app.app_context():
        set_schedule(get_survey("digital-divide-course"), status="closed", opens_at=None,
                     closes_at=None, user_id=None)
    page = client.get(f"/s/{code}/p/1")
    assert page.status_code == 200  # an open flow may still look at its pages
    assert _stored(app) == []


def test_oversized_body_gets_413(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    response = client.post(f"/s/{code}/p/6", data={"comment": "x" * 400_000})
    assert response.status_code == 413
    assert "大きすぎます" in response.get_data(as_text=True)
    assert _stored(app) == []


def test_page_out_of_range_is_404(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    assert client.get(f"/s/{code}/p/99").status_code == 404
    assert client.get(f"/s/{code}/p/0").status_code == 404


def test_page_without_a_flow_goes_to_the_start(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    response = client.get(f"/s/{code}/p/3")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/s/{code}")
