"""Validation errors by POST-redirect-GET: the browser's history never holds a POST, what the
person entered is kept server-side (never in the URL) and shown again with the errors."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow, Response
from tests.conftest import link_code, post_with_errors, response_id_on, start_flow

SURVEY = "digital-services"


def _flows(app: Flask) -> list[RespondentFlow]:
    with app.app_context():
        flows = list(db.session.scalars(sa.select(RespondentFlow)))
        db.session.expunge_all()
        return flows


def test_error_redirects_to_the_page_without_anything_in_the_url(client: FlaskClient,
                                                                  app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    response = client.post(f"/s/{code}/p/2", data={"services_used": ["website", "none"]})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/s/{code}/p/2"  # no query: no answers in URLs
    page = client.get(f"/s/{code}/p/2")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "<title>エラー：" in html and 'id="error-summary"' in html and "autofocus" in html
    assert len(re.findall(r'value="(website|none)"\s+type="checkbox"\s+checked', html)) == 2
    # Reloading shows the same; the rejected input never became an answer.
    assert client.get(f"/s/{code}/p/2").get_data(as_text=True).count("checked") == 2
    (flow,) = _flows(app)
    assert "services_used" not in flow.answers
    assert flow.rejected_input == {"page": 2, "values": {"services_used": ["website", "none"]}}


def test_typed_text_is_shown_again_escaped(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    final = client.get(f"/s/{code}/p/6").get_data(as_text=True)
    typed = '<script>alert("x")</script>' + "あ" * 2001
    html = post_with_errors(client, f"/s/{code}/p/6",
                            {"comment": typed, "response_id": response_id_on(final)}
                            ).get_data(as_text=True)
    assert "2000文字以内で入力してください" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html and "<script>alert" not in html
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_errors_follow_a_language_change(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    post_with_errors(client, f"/s/{code}/p/1", {})
    switched = client.get(f"/language/en?next=/s/{code}/p/1")
    assert switched.headers["Location"] == f"/s/{code}/p/1"
    html = client.get(f"/s/{code}/p/1").get_data(as_text=True)
    assert "<title>Error: " in html
    assert "Select one answer." in html and "いずれか1つを選んでください" not in html


def test_a_valid_answer_clears_the_rejected_input(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    post_with_errors(client, f"/s/{code}/p/1", {"digital_satisfaction": "delighted"})
    accepted = client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"})
    assert accepted.headers["Location"] == f"/s/{code}/p/2"
    (flow,) = _flows(app)
    assert flow.rejected_input is None and flow.answers == {"digital_satisfaction": "satisfied"}
    html = client.get(f"/s/{code}/p/1").get_data(as_text=True)
    assert "error-summary" not in html and "<title>エラー" not in html


def test_rejected_input_of_one_page_is_not_shown_on_another(client: FlaskClient, app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    post_with_errors(client, f"/s/{code}/p/1", {})
    assert "error-summary" not in client.get(f"/s/{code}/p/2").get_data(as_text=True)


def test_final_page_error_keeps_the_flows_own_submission_id(client: FlaskClient,
                                                            app: Flask) -> None:
    code = link_code(app, SURVEY)
    start_flow(client, code)
    client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"})
    final = client.get(f"/s/{code}/p/6").get_data(as_text=True)
    own = response_id_on(final)
    html = post_with_errors(client, f"/s/{code}/p/6", {"response_id": "not-a-uuid"}
                            ).get_data(as_text=True)
    assert "送信の識別番号が正しくありません" in html
    assert response_id_on(html) == own  # so the next try goes through, exactly once
    done = client.post(f"/s/{code}/p/6", data={"response_id": own})
    assert done.headers["Location"].endswith(f"/s/{code}/done")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 1
