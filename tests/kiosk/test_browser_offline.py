"""Real Chromium, persistent profile: twenty responses completed offline survive a browser
restart and arrive exactly once, even when a receipt is lost on the way back."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.browser import (
    answer_all,
    device_cookies,
    in_browser,
    kiosk_app,
    launch_profile,
    live_server,
    network,
    plan,
    queue_counts,
    queued_items,
    stored,
    wait_for_service_worker,
    wait_until,
)
from tests.kiosk.conftest import make_kiosk

pytestmark = pytest.mark.browser
OFFLINE_RESPONSES = 20


def test_offline_queue_survives_a_restart_and_is_delivered_exactly_once(
        app_factory: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture, kiosk_log: None) -> None:
    profile = tmp_path / "tablet-profile"
    app = kiosk_app(app_factory, KIOSK_RETRY_MAX_SECONDS=2)
    with live_server(app) as url:
        kiosk = make_kiosk(app)
        wifi = network(app)

        def first_session(playwright: Any) -> None:
            context = launch_profile(playwright, profile)
            context.add_cookies(device_cookies(url, kiosk.credential))
            page = context.new_page()
            page.goto(url + "/kiosk/")
            wait_for_service_worker(page)  # installed: the kiosk page is kept for offline use
            context.set_offline(True)
            wifi.on = False
            page.reload()  # served by the service worker
            for index in range(OFFLINE_RESPONSES):
                answer_all(page, plan(index))
                page.locator("#screen-thanks [data-action=next-person]").click()
            assert queue_counts(page) == {"pending": OFFLINE_RESPONSES, "refused": 0}
            pending = page.locator("#kiosk-pending")
            assert pending.is_visible() and "未送信 20 件" in pending.inner_text()
            context.close()  # the browser is shut down with the network still off

        in_browser(first_session)
        assert stored(app) == []

        outcomes: list[int] = []

        def second_session(playwright: Any) -> None:
            context = launch_profile(playwright, profile, offline=True)
            page = context.new_page()
            page.goto(url + "/kiosk/")  # after the restart, still offline: the kept page
            assert "アンケートをはじめる" in page.locator("[data-action=start]").inner_text()
            assert queue_counts(page) == {"pending": OFFLINE_RESPONSES, "refused": 0}
            assert "未送信 20 件" in page.locator("#kiosk-pending").inner_text()
            lost = queued_items(page)[0]["client_uuid"]

            def lose_first_receipt(route: Any) -> None:
                body = json.loads(route.request.post_data or "{}")
                if body.get("client_uuid") == lost and not outcomes:
                    response = route.fetch()  # the server stores it …
                    outcomes.append(response.status)
                    route.abort("connectionreset")  # … and the device never hears back
                    return
                if body.get("client_uuid") == lost:
                    outcomes.append(-1)
                route.continue_()

            context.route("**/kiosk/api/responses", lose_first_receipt)
            wifi.on = True
            context.set_offline(False)
            wait_until(lambda: queue_counts(page)["pending"] == 0, timeout=60,
                       message="the queue was not delivered")
            page.locator("#kiosk-pending").wait_for(state="hidden")
            assert outcomes[0] == 201 and -1 in outcomes  # stored, receipt lost, sent again

            # The same UUID with a changed body: refused with 409, logged, not stored.
            status = page.evaluate("""async (uuid) => {
                const kiosk = document.getElementById('kiosk').dataset;
                const r = await fetch('/kiosk/api/responses', {method: 'POST',
                    headers: {'Content-Type': 'application/json'},
                    body: JSON.stringify({client_uuid: uuid, link: kiosk.link, version: Number(kiosk.version),
                                          answers: {course_satisfaction: 'dissatisfied'}})});
                return r.status;
            }""", lost)
            assert status == 409
            context.close()

        with caplog.at_level(logging.WARNING, logger="surveyapp.kiosk"):
            in_browser(second_session)
        rows = stored(app)
        assert len(rows) == OFFLINE_RESPONSES
        assert len({row["_uuid"] for row in rows}) == OFFLINE_RESPONSES
        got = sorted(sorted((k, v) for k, v in row.items() if not k.startswith("_")) for row in rows)
        assert got == sorted(sorted(plan(index).items()) for index in range(OFFLINE_RESPONSES))
        assert any("different body" in record.getMessage() for record in caplog.records)
