"""Real Chromium: one tablet, thirty people in a row; Back, history and the back/forward cache
never show an earlier person's answers; a revoked device keeps its queue."""

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
    network,
    plan,
    queue_counts,
    run_axe,
    shown_answers,
    stored,
    wait_until,
)
from tests.kiosk.conftest import count_rows, make_kiosk

pytestmark = pytest.mark.browser
RESPONDENTS = 30


def test_thirty_respondents_in_a_row(app_factory: Any) -> None:
    # CSRF on, with a one-second token lifetime: the page stays open far longer than that.
    app = kiosk_app(app_factory, WTF_CSRF_ENABLED=True, WTF_CSRF_TIME_LIMIT=1)
    with live_server(app) as url:
        kiosk = make_kiosk(app)

        def work(playwright: Any) -> None:
            browser = launch_browser(playwright)
            context = browser.new_context(viewport=TABLET, locale="ja-JP")
            context.add_cookies(device_cookies(url, kiosk.credential))
            page = context.new_page()
            page.goto(url + "/kiosk/")
            time.sleep(1.5)  # longer than the CSRF token lifetime
            for index in range(RESPONDENTS):
                answer_all(page, plan(index))
                assert shown_answers(page) == 0, index
                if index % 10 == 4:
                    _back_after_submit_shows_nothing(page)
                page.locator("section:not([hidden]) [data-action=next-person]").click()
                page.locator("#screen-start").wait_for(state="visible")
                if index == 14:
                    _leaving_half_way_keeps_nothing(page, url)
            wait_until(lambda: queue_counts(page)["pending"] == 0, message="queue not delivered")
            assert page.locator("#kiosk-pending").is_hidden()
            browser.close()

        in_browser(work)
        rows = stored(app)
        assert len(rows) == RESPONDENTS
        assert len({row["_uuid"] for row in rows}) == RESPONDENTS
        assert {(row["_channel"], row["_link"]) for row in rows} == {("kiosk", kiosk.link_id)}
        got = sorted(sorted((k, v) for k, v in row.items() if not k.startswith("_")) for row in rows)
        want = sorted(sorted(plan(index).items()) for index in range(RESPONDENTS))
        assert got == want
        assert count_rows(app, RespondentFlow) == 0


def _back_after_submit_shows_nothing(page: Any) -> None:
    page.go_back()
    page.locator("#screen-submitted").wait_for(state="visible")
    assert "回答は送信済みです" in page.locator("#screen-submitted").inner_text()
    assert shown_answers(page) == 0
    for _ in range(3):  # further back through the history: still the kiosk, still nothing
        page.go_back()
        assert page.url.endswith("/kiosk/")
        assert shown_answers(page) == 0


def _leaving_half_way_keeps_nothing(page: Any, url: str) -> None:
    """A person answers two questions; the page is left and come back to (bfcache or reload)."""
    page.click("[data-action=start]")
    page.locator("section[data-question=course_satisfaction] input[value=dissatisfied]").check()
    page.locator("section[data-question=course_satisfaction] [data-action=next]").click()
    page.locator("section[data-question=understanding] input[value=not_understood]").check()
    assert shown_answers(page) == 2
    page.goto(url + "/kiosk/?lang=en")
    page.go_back()
    page.locator("#screen-start").wait_for(state="visible")
    assert shown_answers(page) == 0
    assert page.evaluate("history.length") < 10


def test_a_revoked_device_refuses_clearly_and_keeps_its_queue(app_factory: Any) -> None:
    from surveyapp.extensions import db
    from surveyapp.kiosk.models import KioskDevice
    from surveyapp.kiosk.services import revoke_device

    app = kiosk_app(app_factory)
    with live_server(app) as url:
        kiosk = make_kiosk(app)

        def work(playwright: Any) -> None:
            browser = launch_browser(playwright)
            context = browser.new_context(viewport=TABLET, locale="ja-JP")
            context.add_cookies(device_cookies(url, kiosk.credential))
            context.add_init_script(script=axe_script())
            page = context.new_page()
            page.goto(url + "/kiosk/")
            context.set_offline(True)
            network(app).on = False
            for index in range(2):
                answer_all(page, plan(index))
                page.locator("#screen-thanks [data-action=next-person]").click()
            assert queue_counts(page)["pending"] == 2
            with app.app_context():
                device = db.session.get(KioskDevice, kiosk.device_id)
                assert device is not None
                revoke_device(device, user_id=None)
                db.session.remove()
            network(app).on = True
            context.set_offline(False)
            alert = page.locator("#kiosk-alert")
            alert.wait_for(state="visible")
            assert "登録が取り消されたため、回答を送信できません" in alert.inner_text()
            assert page.locator("[data-action=start]").is_disabled()
            assert queue_counts(page) == {"pending": 2, "refused": 0}
            page.reload()  # the server now shows the device's state; the queue stays
            assert "この端末は使えません" in page.locator("h1").inner_text()
            page.locator("#kiosk-pending").wait_for(state="visible")
            assert "未送信 2 件" in page.locator("#kiosk-pending").inner_text()
            assert queue_counts(page)["pending"] == 2
            run_axe(page, "kiosk page of a revoked device")
            browser.close()

        in_browser(work)
        assert count_rows(app) == 0
