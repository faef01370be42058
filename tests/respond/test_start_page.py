"""The start page carries the first page's questions: a one-page survey is the start page, its
POST and the thank-you page (three requests, one write); a longer one stores its flow with the
first page's answers and goes on at page 2."""

from __future__ import annotations

import re
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.extensions import db
from surveyapp.respond.models import RespondentFlow, Response
from tests.conftest import link_code, load_builtin_surveys, response_id_on
from tests.respond.conftest import count_rows

ONE_PAGE = {"q1": "s5", "q2": "s4", "q3": "s3", "q4": "s5", "q5": "窓口がわかりやすかった", "Website": ""}


def test_one_page_survey_in_three_requests_and_one_write(client: FlaskClient, app: Flask,
                                                         one_page: str) -> None:
    start = client.get(f"/s/{one_page}")
    html = start.get_data(as_text=True)
    assert start.status_code == 200 and start.headers["Cache-Control"] == "no-store"
    # The introduction (time and anonymity), then every question and 送信.
    assert "回答は匿名です" in html and html.index("回答は匿名です") < html.index('name="q1"')
    assert all(f'name="q{n}"' in html for n in range(1, 6)) and ">送信</button>" in html
    client_uuid = response_id_on(html)
    sent = client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid})
    assert sent.status_code == 303 and sent.headers["Location"].endswith(f"/s/{one_page}/done")
    assert "回答を受け付けました" in client.get(sent.headers["Location"]).get_data(as_text=True)
    assert count_rows(app, Response) == 1 and count_rows(app, RespondentFlow) == 0
    with app.app_context():
        stored = db.session.scalar(sa.select(Response))
        assert stored is not None and str(stored.client_uuid) == client_uuid
    # The same body again (a second tap) stores nothing more.
    again = client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid})
    assert again.status_code == 303 and count_rows(app, Response) == 1


def test_the_thank_you_page_of_a_one_page_survey_reads_nothing_from_the_database(
        client: FlaskClient, app: Flask, one_page: str) -> None:
    """The session says what was sent; the page is still in the link's fixed language, and a
    stored flow (a longer survey) still has its thank-you page."""
    from surveyapp.surveys.services import get_survey

    with app.app_context():
        get_survey("load-anchor").links[0].default_language = "pt-BR"
        db.session.commit()
    client_uuid = response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True))
    statements: list[str] = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(str(args[2])))
    sent = client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid})
    # The POST reads its link once; what the session keeps needs no second look after the commit.
    assert sum("FROM links" in statement for statement in statements) == 1
    client.get(sent.headers["Location"])  # this process has read the version once
    statements.clear()
    html = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert '<html lang="pt-BR"' in html and "Recebemos a sua resposta" in html
    assert statements == []
    # Without a sent flow in the session: back to the start page, as before.
    assert client.get(f"/s/{link_code(app, 'digital-services')}/done").status_code == 303


def test_the_client_id_is_made_by_the_start_page_and_kept_on_reload(client: FlaskClient,
                                                                    one_page: str) -> None:
    first = response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True))
    assert response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True)) == first
    # An id the server did not give is refused, and nothing is stored.
    other = "00000000-0000-4000-8000-000000000000"
    assert client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": other}).status_code == 400


def test_back_after_sending_shows_no_answers_and_new_answer_starts_afresh(
        client: FlaskClient, app: Flask, one_page: str) -> None:
    client_uuid = response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True))
    client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid})
    back = client.get(f"/s/{one_page}")
    html = back.get_data(as_text=True)
    assert "回答は送信済みです" in html and 'name="q1"' not in html
    again = re.search(r'href="([^"]+/again)"', html)
    assert again, "the page offers to answer once more"
    fresh = client.get(again.group(1), follow_redirects=True).get_data(as_text=True)
    assert 'name="q1"' in fresh and "checked" not in fresh
    assert response_id_on(fresh) != client_uuid


def test_a_start_page_that_does_not_validate_comes_back_with_what_was_entered(
        client: FlaskClient, app: Flask, one_page: str) -> None:
    client_uuid = response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True))
    posted = client.post(f"/s/{one_page}", data={"q1": "s5", "q5": "途中", "Website": "",
                                                   "response_id": client_uuid})
    assert posted.status_code == 303 and posted.headers["Location"].endswith(f"/s/{one_page}")
    html = client.get(f"/s/{one_page}").get_data(as_text=True)
    assert "<title>エラー：" in html and 'class="error-summary"' in html
    assert re.search(r'value="s5"\s+type="radio"\s+checked', html) and "途中" in html
    assert count_rows(app, Response) == 0
    assert response_id_on(html) == client_uuid  # the next try is the same response


def test_multi_page_survey_stores_the_first_page_and_goes_on_at_page_two(
        client: FlaskClient, app: Flask) -> None:
    code = link_code(app, "digital-services")
    html = client.get(f"/s/{code}").get_data(as_text=True)
    assert 'name="digital_satisfaction"' in html and ">次へ</button>" in html
    assert "質問は6問、3分ほどです。" in html and 'name="response_id"' not in html
    assert count_rows(app, RespondentFlow) == 0
    posted = client.post(f"/s/{code}", data={"digital_satisfaction": "satisfied", "Website": ""})
    assert posted.status_code == 303 and posted.headers["Location"].endswith(f"/s/{code}/p/2")
    with app.app_context():
        flows = list(db.session.scalars(sa.select(RespondentFlow)))
    assert len(flows) == 1 and flows[0].answers == {"digital_satisfaction": "satisfied"}
    # Resuming: the start page shows the kept answer; page 2 is answered next.
    again = client.get(f"/s/{code}").get_data(as_text=True)
    assert re.search(r'value="satisfied"\s+type="radio"\s+checked', again)
    assert client.get(f"/s/{code}/p/2").status_code == 200


def test_a_survey_closed_while_answering_refuses_the_start_page(client: FlaskClient, app: Flask,
                                                                one_page: str) -> None:
    from surveyapp.surveys.services import get_survey, set_schedule

    client_uuid = response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True))
    with app.app_context():
        set_schedule(get_survey("load-anchor"), status="closed", opens_at=None, closes_at=None,
                     user_id=None)
    assert client.get(f"/s/{one_page}").status_code == 410
    sent = client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid})
    assert sent.status_code == 410 and count_rows(app, Response) == 0


def test_a_version_published_while_answering_leaves_the_answered_one(
        client: FlaskClient, app: Flask, one_page: str, tmp_path: Path) -> None:
    """Someone opened the survey; staff publish a version with a reworded and an added
    question; what they send is stored under the version they saw and counted with its profile
    questions (the counts still agree with the answers), and the next person sees the new one."""
    from surveyapp.respond.counts import differences
    from surveyapp.surveys.models import SurveyVersion
    from tests.respond.conftest import ANCHOR

    client_uuid = response_id_on(client.get(f"/s/{one_page}").get_data(as_text=True))
    added = '\n[[questions]]\nkey = "q6"\ntype = "single"\nrequired = false\npage = 1\ntext.ja = "年代"\n' + \
        "".join(f'\n[[questions.options]]\ncode = "{code}"\ntext.ja = "{text}"\n'
                for code, text in (("young", "39歳以下"), ("older", "40歳以上")))
    reworded = tmp_path / "load-anchor.toml"
    reworded.write_text(ANCHOR.read_text(encoding="utf-8").replace("使いやすさ", "手続きの使いやすさ") + added,
                        encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "load", str(reworded)])
    assert result.exit_code == 0, result.output
    sent = client.post(f"/s/{one_page}", data={**ONE_PAGE, "response_id": client_uuid})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/done")
    assert "回答を受け付けました" in client.get(sent.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        (number,) = db.session.execute(
            sa.select(SurveyVersion.number).join(Response, Response.survey_version_id == SurveyVersion.id)).one()
        assert number == 1
        assert differences() == []
    shown = app.test_client().get(f"/s/{one_page}").get_data(as_text=True)  # someone else
    assert "手続きの使いやすさ" in shown and "39歳以下" in shown


def test_a_start_page_from_before_the_questions_moved_onto_it_still_starts(
        client: FlaskClient, app: Flask) -> None:
    """A start page loaded before an upgrade posts only its token: the flow starts at page 1."""
    code = link_code(app, "digital-services")
    posted = client.post(f"/s/{code}")
    assert posted.status_code == 303 and posted.headers["Location"].endswith(f"/s/{code}/p/1")
    assert client.get(f"/s/{code}/p/1").status_code == 200
    assert count_rows(app, RespondentFlow) == 0


def test_every_language_shows_the_first_question_on_the_start_page(bare_app: Flask) -> None:
    app = load_builtin_surveys(bare_app)
    code = link_code(app, "digital-services")
    for language, next_label in (("en", "Continue"), ("pt-BR", "Continuar"), ("vi", "Tiếp tục"),
                                 ("ja-easy", "つぎへ")):
        client = app.test_client()
        client.set_cookie("lang", language, domain="survey.test")
        html = client.get(f"/s/{code}").get_data(as_text=True)
        assert 'name="digital_satisfaction"' in html, language
        assert next_label in html, (language, re.findall(r"<button[^>]*>[^<]*", html))



def test_kept_question_markup_shows_nobody_else_s_answers_or_language(app: Flask,
                                                                       one_page: str) -> None:
    """The markup of an empty question is made once and reused: after one resident's page came
    back with their answers (an error), the next resident's page is empty, and each language
    keeps its own words."""
    first, second = app.test_client(), app.test_client()
    client_uuid = response_id_on(first.get(f"/s/{one_page}").get_data(as_text=True))
    first.post(f"/s/{one_page}", data={"q1": "s5", "q5": "ひみつの意見", "Website": "",
                                       "response_id": client_uuid})
    shown = first.get(f"/s/{one_page}").get_data(as_text=True)
    assert "ひみつの意見" in shown and re.search(r'value="s5"\s+type="radio"\s+checked', shown)
    fresh = second.get(f"/s/{one_page}").get_data(as_text=True)
    assert 'name="q1"' in fresh and "ひみつの意見" not in fresh
    assert " checked" not in fresh and "aria-invalid" not in fresh and "error-summary" not in fresh
    english = app.test_client()
    english.set_cookie("lang", "en", domain="survey.test")
    in_english = english.get(f"/s/{one_page}").get_data(as_text=True)
    assert '<html lang="en"' in in_english
    # The questions of this survey are in Japanese only: marked as such on an English page,
    # and not on a Japanese one.
    assert 'lang="ja"' in in_english.split('name="response_id"')[1]
    assert 'lang="ja"' not in second.get(f"/s/{one_page}").get_data(as_text=True).split(
        'name="response_id"')[1]
