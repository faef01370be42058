"""Real Chromium: a tablet enrolled from the staff page's QR code (the code travels in the URL's
fragment), then the device list tells the truth about its queue — the count reaches the server
when a response is queued and again when it is delivered, not a minute later."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from surveyapp.extensions import db
from surveyapp.kiosk.models import KioskDevice
from tests.conftest import PASSWORD, PERSONAS, make_staff
from tests.kiosk.browser import (
    TABLET,
    answer_all,
    in_browser,
    kiosk_app,
    launch_browser,
    live_server,
    plan,
    queue_counts,
    wait_until,
)
from tests.kiosk.conftest import make_session

pytestmark = pytest.mark.browser


def _reported(app: Flask, name: str) -> tuple[int, int] | None:
    with app.app_context():
        device = db.session.scalar(db.select(KioskDevice).where(KioskDevice.name == name))
        result = None if device is None else (device.pending_count, device.refused_count)
        db.session.remove()
        return result


def test_enrolled_by_qr_and_the_queue_is_reported_when_it_changes(app_factory: Any) -> None:
    # A long retry and a long heartbeat: anything the server learns within seconds came from a
    # report on change, not from a timer.
    app = kiosk_app(app_factory, KIOSK_RETRY_MAX_SECONDS=600)
    with live_server(app) as url:
        _session, link_id, _code = make_session(app)
        make_staff(app, "course-staff")

        def work(playwright: Any) -> None:
            browser = launch_browser(playwright)
            staff = browser.new_page(viewport={"width": 1280, "height": 900}, locale="ja-JP")
            staff.goto(url + "/staff/login")
            staff.fill("input[name=email]", PERSONAS["course-staff"])
            staff.fill("input[name=password]", PASSWORD)
            with staff.expect_navigation():
                staff.click("main form button[type=submit]")
            staff.goto(url + "/staff/kiosks")
            staff.fill("#name", "窓口タブレット3")
            staff.fill("#pin", "1357")
            staff.select_option("#link", str(link_id))
            with staff.expect_navigation():
                staff.click("form[action$='/staff/kiosks'] button[type=submit]")
            code = staff.locator("#enroll-code").inner_text()
            label = staff.locator(".enroll-qr svg").get_attribute("aria-label") or ""
            assert label.endswith(f"/kiosk/enroll#code={code}")  # what the QR code opens

            tablet = browser.new_context(viewport=TABLET, locale="ja-JP")
            screen = tablet.new_page()
            screen.goto(url + f"/kiosk/enroll#code={code}")
            assert screen.input_value("#code") == code  # filled in from the QR code's URL
            assert "#" not in screen.url  # and taken out of the address bar
            with screen.expect_navigation():
                screen.click("button[type=submit]")
            screen.locator("[data-action=start]").wait_for()
            wait_until(lambda: _reported(app, "窓口タブレット3") == (0, 0))

            # The server cannot take deliveries for now: the queued response is reported at once.
            tablet.route("**/kiosk/api/responses", lambda route: route.fulfill(status=503, body="{}"))
            answer_all(screen, plan(0))
            assert queue_counts(screen)["pending"] == 1
            wait_until(lambda: _reported(app, "窓口タブレット3") == (1, 0), timeout=10,
                       message="the queued response was not reported")

            # Deliveries work again: once the response is delivered, the server hears 0 at once.
            tablet.unroute("**/kiosk/api/responses")
            screen.evaluate("() => window.dispatchEvent(new Event('online'))")
            wait_until(lambda: queue_counts(screen)["pending"] == 0, timeout=10)
            wait_until(lambda: _reported(app, "窓口タブレット3") == (0, 0), timeout=10,
                       message="the delivery was not reported")

            staff.goto(url + "/staff/kiosks")
            row = staff.locator("tr", has_text="窓口タブレット3").inner_text()
            assert "接続中" in row and "0件" in row and re.search(r"\d+秒前", row)
            browser.close()

        in_browser(work)
