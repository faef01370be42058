"""Every built-in KPI survey completed in Chromium on a phone-sized screen, in each of the five
languages, with JavaScript on and off; axe-core on every page seen with JavaScript on, the page
weight of every page, and Back after submitting."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa

from surveyapp.extensions import db
from surveyapp.i18n import html_lang
from surveyapp.respond.models import Answer, Response
from surveyapp.surveys.definitions import SurveyDef
from surveyapp.surveys.services import get_survey, version_definition

from .conftest import LiveServer, Recorder
from .helpers import (
    LANGUAGES,
    PAGE_BUDGET,
    SURVEYS,
    Tab,
    axe_message,
    plan_answers,
    translated,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def definitions(live: LiveServer) -> dict[str, SurveyDef]:
    with live.app.app_context():
        result = {}
        for key in SURVEYS:
            version = get_survey(key).current_version
            assert version is not None
            result[key] = version_definition(version)
        return result


def _look(tab: Tab, recorder: Recorder, measured: dict[str, Any], *, kind: str, survey: str,
          language: str) -> None:
    """Checks every respondent page gets: language, budget, no fonts, no other hosts, axe."""
    page = tab.page
    where = f"{kind} page of {survey} in {language} ({'JS on' if tab.js else 'JS off'}) {page.url}"
    assert page.get_attribute("html", "lang") == html_lang(language), where
    recorder.check("page-language", True)
    assert measured["bytes"] <= PAGE_BUDGET, (where, measured)
    assert measured["fonts"] == 0, where
    assert measured["foreign"] == [], where
    axe = tab.axe() if tab.js else None
    if axe is not None and not recorder.axe_rules:
        recorder.axe_version = axe["version"]
        recorder.axe_rules = tab.axe_rules()
    recorder.visit(kind=kind, survey=survey, language=language, js=tab.js,
                   path=page.url.removeprefix(tab.base_url), bytes=measured["bytes"],
                   requests=measured["requests"], fonts=measured["fonts"],
                   foreign=len(measured["foreign"]),
                   axe=None if axe is None else {k: axe[k] for k in
                                                 ("violations", "passes", "incomplete")})
    if axe is not None:
        assert axe["violations"] == [], axe_message(axe, where)


def _fill(tab: Tab, defn: SurveyDef, keys: list[str], answers: dict[str, Any]) -> None:
    for key in keys:
        question = defn.question(key)
        value = answers[key]
        if question.type == "single":
            tab.page.check(f'input[name="{key}"][value="{value}"]')
        elif question.type == "multiple":
            for code in value:
                tab.page.check(f'input[name="{key}"][value="{code}"]')
        else:
            tab.page.fill(f'[name="{key}"]', value)


def _stored(live: LiveServer, client_uuid: str) -> tuple[int, dict[str, Any]]:
    with live.app.app_context():
        responses = db.session.scalars(sa.select(Response).where(
            Response.client_uuid == uuid.UUID(client_uuid))).all()
        answers: dict[str, Any] = {}
        for response in responses:
            for answer in db.session.scalars(sa.select(Answer).where(
                    Answer.response_id == response.id).order_by(Answer.id)):
                if answer.text is not None:
                    answers[answer.question_key] = answer.text
                else:
                    answers.setdefault(answer.question_key, []).append(answer.option_code)
        db.session.remove()
    return len(responses), answers


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("survey_key", SURVEYS)
def test_survey_completed_in_chromium(browser: Any, live: LiveServer, recorder: Recorder,
                                      axe_source: str, definitions: dict[str, SurveyDef],
                                      survey_key: str, language: str, js: bool) -> None:
    defn = definitions[survey_key]
    pages = defn.pages()
    answers = plan_answers(defn, LANGUAGES.index(language) + (0 if js else 1), language)
    tab = Tab(browser, live.url, js=js, axe_source=axe_source)
    try:
        if not js:
            tab.set_language(language)  # the switcher itself is exercised with JS on
        measured = tab.goto(live.link(survey_key))
        if language != "ja" and js:
            # Choose the language as a person would: the language link at the top of the page
            # leads to the chooser, whose link sets a cookie and comes back to the same page.
            tab.submit("a.language-link")
            measured = tab.submit(f'.languages a[href^="/language/{language}?"]')
            assert tab.page.url == live.link(survey_key)
        _look(tab, recorder, measured, kind="start", survey=survey_key, language=language)
        client_uuid = ""
        for number, questions in enumerate(pages, start=1):
            # The first page's questions are on the start page, under the introduction.
            assert (tab.page.url == live.link(survey_key) if number == 1
                    else tab.page.url.endswith(f"/p/{number}")), tab.page.url
            if number == 1 and js:
                # The error state: nothing chosen for the required KPI question.
                measured = tab.submit()
                assert tab.page.title().startswith(translated(live.app, language, "エラー："))
                assert tab.focused_id() == "error-summary"
                recorder.check("error-summary-focus", True)
                _look(tab, recorder, measured, kind="error", survey=survey_key, language=language)
            _look(tab, recorder, measured, kind="question", survey=survey_key, language=language)
            _fill(tab, defn, [q.key for q in questions], answers)
            if number == len(pages):
                client_uuid = tab.page.input_value('input[name="response_id"]')
            measured = tab.submit()
        assert tab.page.url.endswith(f"/s/{live.codes[survey_key]}/done"), tab.page.url
        _look(tab, recorder, measured, kind="thank-you", survey=survey_key, language=language)

        count, stored = _stored(live, client_uuid)
        assert count == 1
        expected = {k: (v if isinstance(v, list) or defn.question(k).type in ("text", "textarea")
                        else [v]) for k, v in answers.items()}
        assert stored == expected
        recorder.check("stored-once", True)

        # Back after submitting: the last question page again, fetched anew, without answers.
        tab.page.go_back()
        tab.page.wait_for_load_state("load")
        assert (tab.page.url == live.link(survey_key) if len(pages) == 1
                else tab.page.url.endswith(f"/p/{len(pages)}"))
        assert tab.page.title().startswith(translated(live.app, language, "回答は送信済みです"))
        assert tab.page.locator("input[type=radio], input[type=checkbox], textarea").count() == 0
        recorder.check("back-after-submit", True)
        assert tab.console_errors == [], tab.console_errors  # e.g. nothing refused by the CSP
    finally:
        tab.close()
    assert _stored(live, client_uuid)[0] == 1
