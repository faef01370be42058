"""What residents see around the questions, in Chromium: the question and its first answer on the
first screen of a small phone with large text, Back after an input error, the language chooser
and the results page under axe-core, with JavaScript on and off."""

from __future__ import annotations

from typing import Any

import pytest

from surveyapp.i18n import TEXT_SIZE_COOKIE, html_lang

from .conftest import LiveServer, Recorder
from .helpers import LANGUAGES, PAGE_BUDGET, PHONE, SURVEYS, Tab, axe_message, translated

pytestmark = pytest.mark.browser

SMALL = {"width": 320, "height": 640}
FIRST_SCREEN = """() => {
    const question = document.querySelector('legend, .question-heading');
    const option = document.querySelector('.choice, textarea, input.text');
    const box = (el) => { const r = el.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
    return {scrollY: window.scrollY, height: window.innerHeight,
            question: box(question), option: box(option),
            scrollWidth: document.documentElement.scrollWidth,
            width: document.documentElement.clientWidth};
}"""


def _first_question(tab: Tab, live: LiveServer, survey: str) -> None:
    """The first question is on the start page, under the introduction."""
    tab.goto(live.link(survey))
    assert tab.page.url == live.link(survey), tab.page.url


@pytest.mark.parametrize(("viewport", "large"), [(SMALL, True), (PHONE, False)],
                         ids=["320x640-large-text", "390x844"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_question_and_first_answer_on_the_first_screen(browser: Any, live: LiveServer,
                                                       recorder: Recorder, language: str,
                                                       viewport: dict[str, int],
                                                       large: bool) -> None:
    tab = Tab(browser, live.url, viewport=viewport)
    try:
        tab.set_language(language)
        if large:
            tab.context.add_cookies([{"name": TEXT_SIZE_COOKIE, "value": "large",
                                      "url": live.url}])
        for survey in SURVEYS:
            _first_question(tab, live, survey)
            seen = tab.page.evaluate(FIRST_SCREEN)
            where = f"{survey} in {language} at {viewport} ({'large' if large else 'standard'})"
            ok = (seen["scrollY"] == 0 and seen["question"]["top"] >= 0
                  and seen["option"]["bottom"] <= seen["height"]
                  and seen["scrollWidth"] <= seen["width"])
            recorder.check("first-screen", ok)
            assert ok, (where, seen)
            # One compact line instead of the full bar: a chooser link and the text size.
            assert tab.page.locator(".preferences .languages").count() == 0, where
            assert tab.page.locator(".preferences a.language-link").count() == 1, where
    finally:
        tab.close()


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_back_after_an_input_error_never_asks_to_resend(browser: Any, live: LiveServer,
                                                       recorder: Recorder, js: bool) -> None:
    tab = Tab(browser, live.url, js=js)
    page = tab.page
    code = live.codes["digital-services"]
    error_title = translated(live.app, "ja", "エラー：")
    try:
        _first_question(tab, live, "digital-services")
        page.check('input[name="digital_satisfaction"][value="somewhat_satisfied"]')
        tab.submit()
        # Page 2: "none of these" with a service is refused; then corrected and sent on.
        page.check('input[name="services_used"][value="website"]')
        page.check('input[name="services_used"][value="none"]')
        tab.submit()
        assert page.url.endswith(f"/s/{code}/p/2") and page.title().startswith(error_title)
        if js:
            assert page.evaluate("document.activeElement.id") == "error-summary"
        response = page.go_back()  # Back straight from the error: page 2 as it was, by GET
        assert response is not None and response.request.method == "GET" and response.ok
        assert page.url.endswith(f"/s/{code}/p/2")
        response = page.go_forward()
        assert response is not None and response.request.method == "GET" and response.ok
        assert page.title().startswith(error_title)  # what was entered is still there
        assert page.is_checked('input[name="services_used"][value="none"]')
        page.uncheck('input[name="services_used"][value="none"]')
        tab.submit()
        assert page.url.endswith("/p/3")
        # Back: page 2 again, fetched with a GET, its answer kept and no error left.
        response = page.go_back()
        assert response is not None and response.request.method == "GET" and response.ok
        assert page.url.endswith(f"/s/{code}/p/2")
        assert not page.title().startswith(error_title)
        assert page.is_checked('input[name="services_used"][value="website"]')
        assert not page.is_checked('input[name="services_used"][value="none"]')
        # The redirect after the error is an entry of its own (page 2 once more); further Backs
        # reach page 1 (the start page), each a plain GET.
        for _step in range(2):
            response = page.go_back()
            assert response is not None and response.request.method == "GET" and response.ok
            if page.url.endswith(f"/s/{code}"):
                break
        assert page.url.endswith(f"/s/{code}")
        assert page.is_checked('input[name="digital_satisfaction"][value="somewhat_satisfied"]')
        response = page.go_forward()  # and forward again: a GET too, never a resend
        assert response is not None and response.request.method == "GET" and response.ok
        response = page.reload()
        assert response is not None and response.request.method == "GET" and response.ok
        recorder.check("back-after-error", True)
    finally:
        tab.close()


def _visit(tab: Tab, recorder: Recorder, measured: dict[str, Any], kind: str,
           language: str) -> None:
    where = f"{kind} page in {language} ({'JS on' if tab.js else 'JS off'}) {tab.page.url}"
    assert tab.page.get_attribute("html", "lang") == html_lang(language), where
    assert measured["bytes"] <= PAGE_BUDGET and measured["fonts"] == 0, (where, measured)
    assert measured["foreign"] == [], where
    axe = tab.axe() if tab.js else None
    recorder.visit(kind=kind, survey="digital-services", language=language, js=tab.js,
                   path=tab.page.url.removeprefix(tab.base_url), bytes=measured["bytes"],
                   requests=measured["requests"], fonts=measured["fonts"],
                   foreign=len(measured["foreign"]),
                   axe=None if axe is None else {k: axe[k] for k in
                                                 ("violations", "passes", "incomplete")})
    if axe is not None:
        assert axe["violations"] == [], axe_message(axe, where)


@pytest.fixture(scope="module")
def with_results(live: LiveServer) -> LiveServer:
    from tests.results.factories import add_responses, digital_services_sample

    add_responses(live.app, "digital-services", digital_services_sample(90, 110, not_used=15))
    return live


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_language_chooser_and_results_page(browser: Any, with_results: LiveServer,
                                           recorder: Recorder, axe_source: str, language: str,
                                           js: bool) -> None:
    live = with_results
    tab = Tab(browser, live.url, js=js, axe_source=axe_source)
    page = tab.page
    code = live.codes["digital-services"]
    try:
        tab.set_language(language)
        _first_question(tab, live, "digital-services")
        # The compact line leads to the chooser, which comes back to the same question.
        measured = tab.submit(".preferences a.language-link")
        assert "/language?next=" in page.url
        _visit(tab, recorder, measured, "language", language)
        target = "ja" if language != "ja" else "en"
        tab.submit(f'.language-chooser a[href^="/language/{target}?"]')
        assert page.url.endswith(f"/s/{code}")  # the first question is on the start page
        assert page.get_attribute("html", "lang") == html_lang(target)
        tab.set_language(language)
        # The results page: chart and table, readable on a phone without horizontal scroll.
        measured = tab.goto(f"/s/{code}/results")
        assert measured["status"] == 200
        _visit(tab, recorder, measured, "results", language)
        assert page.locator(".result-chart svg").count() == 1
        assert page.locator(".results-table tbody tr").count() == 1
        width = page.evaluate("[document.documentElement.scrollWidth, "
                              "document.documentElement.clientWidth]")
        assert width[0] <= width[1]
    finally:
        tab.close()
