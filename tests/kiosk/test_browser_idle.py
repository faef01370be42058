"""Real Chromium with a shortened clock: the idle warning, its countdown and the reset that
discards partial answers; the thank-you screen's return; axe-core on every kiosk screen.
(The production timings are asserted in test_settings.py.)"""

from __future__ import annotations

import time
from typing import Any

import pytest

from surveyapp.respond.models import RespondentFlow
from tests.kiosk.browser import (
    TABLET,
    answer_all,
    axe_script,
    device_cookies,
    in_browser,
    kiosk_app,
    launch_browser,
    live_server,
    plan,
    queue_counts,
    run_axe,
    shown_answers,
    stored,
    wait_until,
)
from tests.kiosk.conftest import count_rows, make_kiosk

pytestmark = pytest.mark.browser
IDLE, COUNTDOWN, THANKS = 3, 3, 3
SLACK = 0.3  # the test's own clock starts a little after the browser's


def test_idle_warning_countdown_reset_and_accessibility(app_factory: Any) -> None:
    settings = {"KIOSK_IDLE_SECONDS": IDLE, "KIOSK_COUNTDOWN_SECONDS": COUNTDOWN,
                "KIOSK_THANKS_SECONDS": THANKS}
    app = kiosk_app(app_factory, **settings)
    with live_server(app) as url:
        kiosk = make_kiosk(app)

        def work(playwright: Any) -> None:
            browser = launch_browser(playwright)
            context = browser.new_context(viewport=TABLET, locale="ja-JP")
            context.add_cookies(device_cookies(url, kiosk.credential))
            context.add_init_script(script=axe_script())  # outside the page's CSP
            page = context.new_page()
            page.goto(url + "/kiosk/")
            run_axe(page, "kiosk start screen")
            _easy_japanese_with_and_without_furigana(page)

            page.click("[data-toggle=large]")
            assert "kiosk-large" in page.evaluate("document.documentElement.className")
            page.click("[data-action=start]")
            run_axe(page, "kiosk question screen")
            q1 = page.locator("section[data-question=course_satisfaction]")
            q1.locator("[data-action=next]").click()
            assert q1.locator(".kiosk-error").is_visible()
            run_axe(page, "kiosk question screen with an error")
            q1.locator("input[value=satisfied]").check()
            q1.locator("[data-action=next]").click()
            q2 = page.locator("section[data-question=understanding]")
            q2.locator("input[value=understood_well]").check()
            quiet_since = time.monotonic()

            warning = page.locator("#idle-warning")
            warning.wait_for(state="visible", timeout=15000)
            assert time.monotonic() - quiet_since >= IDLE - SLACK
            assert "まだ 回答中ですか？" in warning.inner_text()
            seconds = int(warning.locator("[data-idle-seconds]").inner_text())
            assert 1 <= seconds <= COUNTDOWN
            assert page.evaluate("document.activeElement.dataset.action") == "continue"
            run_axe(page, "kiosk idle warning")

            warning.locator("[data-action=continue]").click()  # 「つづける」 keeps the answers
            assert warning.is_hidden() and q2.is_visible()
            assert q2.locator("input[value=understood_well]").is_checked()

            warning.wait_for(state="visible", timeout=15000)  # … and now nobody answers
            shown_at = time.monotonic()
            page.locator("#screen-start").wait_for(state="visible", timeout=15000)
            assert time.monotonic() - shown_at >= COUNTDOWN - 1 - SLACK
            assert warning.is_hidden()
            assert shown_answers(page) == 0
            assert queue_counts(page) == {"pending": 0, "refused": 0}
            assert page.evaluate("sessionStorage.length") == 0
            assert "kiosk-large" not in page.evaluate("document.documentElement.className")
            assert stored(app) == [] and count_rows(app, RespondentFlow) == 0

            answer_all(page, plan(3))
            thanks_at = time.monotonic()
            run_axe(page, "kiosk thank-you screen")
            page.locator("#screen-start").wait_for(state="visible", timeout=15000)
            assert THANKS - SLACK <= time.monotonic() - thanks_at <= THANKS + 5
            wait_until(lambda: queue_counts(page)["pending"] == 0)
            browser.close()

        in_browser(work)
        assert len(stored(app)) == 1


def _easy_japanese_with_and_without_furigana(page: Any) -> None:
    page.click("a[data-language=ja-easy]")
    page.wait_for_url("**/kiosk/?lang=ja-easy")
    assert page.locator("#start-title ruby").count() > 0
    run_axe(page, "kiosk start screen in やさしい日本語")
    rt = page.locator("#start-title rt").first
    assert rt.is_visible()
    page.click("[data-toggle=furigana]")
    assert rt.is_hidden()
    page.click("a[data-language=ja]")
    page.wait_for_url("**/kiosk/?lang=ja")
