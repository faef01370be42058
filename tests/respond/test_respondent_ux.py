"""Respondent rules beyond the basic flow: exclusive "none of these" options, the thank-you page,
and the session cookie changing at submission."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.respond.services import InvalidAnswers, clean_answers
from surveyapp.surveys.services import get_survey, version_definition
from tests.conftest import answer_survey, link_code, post_with_errors, response_id_on, start_flow

SURVEY = "digital-services"
MINIMAL = {"digital_satisfaction": "satisfied"}


def test_none_of_these_cannot_be_ticked_with_other_options(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    client.post(f"/s/{code}/p/1", data=MINIMAL)
    response = post_with_errors(client, f"/s/{code}/p/2", {"services_used": ["website", "none"]})
    html = response.get_data(as_text=True)
    assert "<title>エラー：" in html
    assert "「利用したものはない」は、ほかの選択肢と一緒には選べません" in html
    assert 'href="#services_used-1"' in html
    # What was ticked is shown again so it can be corrected.
    assert html.count("checked") == 2
    assert client.post(f"/s/{code}/p/2", data={"services_used": ["none"]}).status_code == 303


def test_service_refuses_none_of_these_with_others(app: Flask) -> None:
    with app.app_context():
        version = get_survey(SURVEY).current_version
        assert version is not None
        defn = version_definition(version)
    with pytest.raises(InvalidAnswers) as caught:
        clean_answers(defn, {**MINIMAL, "services_used": ["none", "line"]}, complete=True)
    assert caught.value.problems == {"services_used": "exclusive_option"}
    assert clean_answers(defn, {**MINIMAL, "services_used": ["none"]}, complete=True)[
        "services_used"] == ["none"]


PRIVATE_SURVEY = """
format = 1
key = "private-check"
audience = "residents"
public_results = false
title.ja = "非公開の調査"

[[questions]]
key = "q1"
type = "single"
required = true
text.ja = "満足していますか。"

[[questions.options]]
code = "yes"
text.ja = "はい"

[[questions.options]]
code = "no"
text.ja = "いいえ"
"""


def test_thank_you_page_says_what_happens_and_links_to_results(client: FlaskClient,
                                                                app: Flask) -> None:
    answer_survey(client, app, SURVEY, MINIMAL)
    code = link_code(app, SURVEY)
    html = client.get(f"/s/{code}/done").get_data(as_text=True)
    assert "回答のゆくえ" in html and "公開しません" in html
    # The residents' results page of this survey, not the open-data codebook.
    assert f'<a class="results-link" href="/s/{code}/results">これまでの集計結果を見る</a>' in html
    assert "/open-data/" not in html


def test_no_results_link_for_a_survey_that_publishes_nothing(client: FlaskClient, app: Flask,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "private.toml"
    path.write_text(PRIVATE_SURVEY, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "load", "--open", str(path)])
    assert result.exit_code == 0, result.output
    answer_survey(client, app, "private-check", {"q1": "yes"})
    code = link_code(app, "private-check")
    html = client.get(f"/s/{code}/done").get_data(as_text=True)
    assert "回答を受け付けました" in html
    assert "集計結果を見る" not in html
    assert client.get(f"/s/{code}/results").status_code == 404


def test_submitting_changes_the_session_cookie(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    client.post(f"/s/{code}/p/1", data=MINIMAL)
    before = client.get_cookie("session", domain="survey.test")
    assert before is not None
    final = client.get(f"/s/{code}/p/6").get_data(as_text=True)
    done = client.post(f"/s/{code}/p/6", data={"response_id": response_id_on(final)})
    assert done.headers["Location"].endswith(f"/s/{code}/done")
    after = client.get_cookie("session", domain="survey.test")
    assert after is not None and after.value != before.value
    assert "回答は送信済みです" in client.get(f"/s/{code}/p/1").get_data(as_text=True)
    # The cookie from before the submission no longer opens the flow.
    other = app.test_client()
    other.set_cookie("session", before.value, domain="survey.test")
    assert other.get(f"/s/{code}/p/1").status_code == 303
