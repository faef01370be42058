"""The course staff pages and the tablet's own staff pages under axe-core in Chromium."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import PASSWORD, PERSONAS, make_staff
from tests.kiosk.browser import axe_script, device_cookies, in_browser, kiosk_app, launch_browser, live_server, run_axe
from tests.kiosk.conftest import SATISFIED, device_client, make_kiosk, post_response

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1280, "height": 900}


def test_course_and_device_pages_have_no_axe_violations(app_factory: Any) -> None:
    app = kiosk_app(app_factory)
    with live_server(app) as url:
        kiosk = make_kiosk(app)
        client = device_client(app, kiosk.credential)
        for _ in range(6):
            post_response(client, kiosk, SATISFIED, client_uuid=str(uuid.uuid4()))
        make_staff(app, "course-staff")
        with app.app_context():
            from surveyapp.kiosk.courses import get_session

            session = get_session(kiosk.session_id)
            assert session is not None
            course_id = session.course_id
        pages = ["/staff/courses", f"/staff/courses/{course_id}", f"/staff/courses/sessions/{kiosk.session_id}",
                 "/staff/courses/sessions/new", "/staff/kiosks"]

        def work(playwright: Any) -> None:
            browser = launch_browser(playwright)
            staff = browser.new_context(viewport=DESKTOP, locale="ja-JP")
            staff.add_init_script(script=axe_script())
            page = staff.new_page()
            page.goto(url + "/staff/login")
            page.fill("input[name=email]", PERSONAS["course-staff"])
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
            for path in pages:
                page.goto(url + path)
                assert "/staff/login" not in page.url, path
                run_axe(page, path)
            page.fill("#name", "窓口タブレット1")
            page.fill("#pin", "1357")
            with page.expect_navigation():
                page.click("form[action$='/staff/kiosks'] button[type=submit]")
            assert page.locator("#enroll-code").is_visible()
            run_axe(page, "enrollment code")

            tablet = browser.new_context(viewport={"width": 800, "height": 1280}, locale="ja-JP")
            tablet.add_init_script(script=axe_script())
            screen = tablet.new_page()
            screen.goto(url + "/kiosk/enroll")
            run_axe(screen, "/kiosk/enroll")
            tablet.add_cookies(device_cookies(url, kiosk.credential))
            screen.goto(url + "/kiosk/exit")
            run_axe(screen, "/kiosk/exit")
            screen.fill("#pin", "0000")
            with screen.expect_navigation():
                screen.click("button[type=submit]")
            run_axe(screen, "/kiosk/exit with an error")
            screen.fill("#pin", "2468")
            with screen.expect_navigation():
                screen.click("button[type=submit]")
            assert screen.url.endswith("/kiosk/device")
            run_axe(screen, "/kiosk/device")
            browser.close()

        in_browser(work)
