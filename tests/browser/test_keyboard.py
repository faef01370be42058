"""Keyboard only (Tab, Space, Enter) from the start page to the thank-you page, the error summary
taking focus with earlier answers kept, and Back after submitting with the browser's normal
caching (back/forward cache included)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from surveyapp.surveys.services import get_survey, version_definition

from .conftest import LiveServer, Recorder, launch
from .helpers import Tab, translated
from .test_completion import _stored

pytestmark = pytest.mark.browser

SURVEY = "digital-services"
BUTTON = "document.activeElement.matches('main form button[type=submit]')"


def _tab_until(tab: Tab, condition: str, limit: int = 40) -> None:
    for _ in range(limit):
        tab.page.keyboard.press("Tab")
        if tab.page.evaluate(f"() => {condition}"):
            return
    raise AssertionError(f"Tab never reached: {condition}")


def _enter(tab: Tab) -> None:
    with tab.page.expect_navigation():
        tab.page.keyboard.press("Enter")


def _checked(tab: Tab, name: str) -> list[str]:
    return tab.page.eval_on_selector_all(f'input[name="{name}"]:checked', "els => els.map(e => e.value)")


@pytest.mark.parametrize("js", [True, False], ids=["js-on", "js-off"])
def test_keyboard_only_completion(browser: Any, live: LiveServer, recorder: Recorder,
                                  js: bool) -> None:
    tab = Tab(browser, live.url, js=js)
    try:
        tab.goto(live.link(SURVEY))
        # Page 1 is on the start page: the radio group is one Tab stop; Space chooses the
        # focused option.
        _tab_until(tab, "document.activeElement.name === 'digital_satisfaction'")
        tab.page.keyboard.press("Space")
        assert _checked(tab, "digital_satisfaction") == ["satisfied"]
        assert tab.page.url == live.link(SURVEY)  # choosing never navigates
        _tab_until(tab, BUTTON)
        _enter(tab)
        # Page 2: "none of these" together with a service is refused.
        _tab_until(tab, "document.activeElement.name === 'services_used'")
        tab.page.keyboard.press("Space")
        _tab_until(tab, "document.activeElement.value === 'none'")
        tab.page.keyboard.press("Space")
        _tab_until(tab, BUTTON)
        _enter(tab)
        assert tab.page.url.endswith("/p/2")
        assert tab.page.title().startswith(translated(live.app, "ja", "エラー："))
        focused = tab.focused_id()
        assert focused == "error-summary"
        assert _checked(tab, "services_used") == ["online_application", "none"]  # kept
        # The summary's link leads to the question.
        _tab_until(tab, "document.activeElement.closest('#error-summary') !== null", limit=3)
        assert tab.page.evaluate("document.activeElement.getAttribute('href')") == "#services_used-1"
        _tab_until(tab, "document.activeElement.value === 'none'")
        tab.page.keyboard.press("Space")
        _tab_until(tab, BUTTON)
        _enter(tab)
        # The back link returns to page 2 with its answer kept.
        assert tab.page.url.endswith("/p/3")
        _tab_until(tab, "document.activeElement.classList.contains('back-link')")
        _enter(tab)
        assert tab.page.url.endswith("/p/2")
        assert _checked(tab, "services_used") == ["online_application"]
        _tab_until(tab, BUTTON)
        _enter(tab)
        for number in (3, 4, 5):  # optional questions, skipped
            assert tab.page.url.endswith(f"/p/{number}")
            _tab_until(tab, BUTTON)
            _enter(tab)
        assert tab.page.url.endswith("/p/6")
        _tab_until(tab, "document.activeElement.name === 'comment'")
        tab.page.keyboard.type("キーボードだけで回答しました。")
        client_uuid = tab.page.input_value('input[name="response_id"]')
        _tab_until(tab, BUTTON)
        _enter(tab)
        assert tab.page.url.endswith("/done")
        assert _stored(live, client_uuid) == (1, {
            "digital_satisfaction": ["satisfied"], "services_used": ["online_application"],
            "comment": "キーボードだけで回答しました。"})
        recorder.check("keyboard-only", True)
        recorder.check("error-summary-focus", focused == "error-summary")
    finally:
        tab.close()


def test_back_after_submit_with_the_back_forward_cache(playwright: Any, live: LiveServer,
                                                      recorder: Recorder) -> None:
    """Chromium keeps pages in its back/forward cache, even ``no-store`` ones as long as no cookie
    changed; Playwright turns that cache off unless asked, so this test asks. Back after
    submitting must show 「回答は送信済みです」 for every page, never a restored form."""
    with live.app.app_context():
        version = get_survey("counter").current_version
        assert version is not None
        pages = len(version_definition(version).pages())
    chromium = launch(playwright, ignore_default_args=["--disable-back-forward-cache"])
    try:
        page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="ja-JP")
        page.goto(live.link("counter"))  # the first question is on the start page
        page.check('input[name="counter_satisfaction"][value="satisfied"]')
        for _number in range(pages):
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        assert page.url.endswith("/done")
        submitted = translated(live.app, "ja", "回答は送信済みです")
        for steps_back in range(1, pages + 1):
            page.go_back(wait_until="commit")
            number = pages + 1 - steps_back
            assert page.url == live.link("counter") if number == 1 else page.url.endswith(f"/p/{number}")
            try:
                page.wait_for_function("title => document.title.startsWith(title)",
                                       arg=submitted, timeout=5000)
            except PlaywrightTimeout:
                raise AssertionError(f"Back showed {page.title()!r}, not {submitted!r}: restored "
                                     "from the back/forward cache?") from None
            assert page.locator("input[type=radio]:checked, textarea").count() == 0
    finally:
        chromium.close()
    recorder.check("back-after-submit", True, bfcache=True)
