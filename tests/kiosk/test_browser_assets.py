"""Real Chromium: the kiosk's service worker keeps the content-hashed assets; after an update the
tablet shows the changed stylesheet on its next load, works offline with it, and the worker drops
the old one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.kiosk.browser import (
    TABLET,
    device_cookies,
    in_browser,
    kiosk_app,
    launch_browser,
    live_server,
    network,
    wait_for_service_worker,
    wait_until,
)
from tests.kiosk.conftest import make_kiosk

pytestmark = pytest.mark.browser

STYLESHEET = "link[rel=stylesheet]"
KEPT = "(url) => caches.match(url, {ignoreVary: true}).then((hit) => Boolean(hit))"
# The start button's letter spacing, which the added rule changes.
SPACING = "() => getComputedStyle(document.querySelector('[data-action=start]')).letterSpacing"


def test_a_changed_stylesheet_reaches_the_tablet_and_the_old_one_is_dropped(app_factory: Any,
                                                                             tmp_path: Path) -> None:
    app = kiosk_app(app_factory)
    static = tmp_path / "static"
    shutil.copytree(app.static_folder or "", static)
    app.static_folder = str(static)
    with live_server(app) as url:
        kiosk = make_kiosk(app)

        def work(playwright: Any) -> None:
            browser = launch_browser(playwright)
            context = browser.new_context(viewport=TABLET, locale="ja-JP")
            context.add_cookies(device_cookies(url, kiosk.credential))
            page = context.new_page()
            assets: list[Any] = []
            page.on("response", lambda r: assets.append(r) if "/static/" in r.url else None)
            page.goto(url + "/kiosk/")
            wait_for_service_worker(page)
            old = page.eval_on_selector(STYLESHEET, "(link) => link.href")
            wait_until(lambda: bool(page.evaluate(KEPT, old)), message="stylesheet not kept")
            spacing = page.evaluate(SPACING)
            assert spacing != "3px"

            # Reloading fetches no asset from the network: the worker has them all.
            assets.clear()
            page.reload()
            assert page.evaluate(SPACING) == spacing
            assert assets and all(r.from_service_worker for r in assets), [r.url for r in assets]

            # An update changes the stylesheet: the next load links a new URL and applies it.
            sheet = static / "css" / "kiosk.css"
            sheet.write_text(sheet.read_text(encoding="utf-8")
                             + "\n.kiosk .kiosk-start { letter-spacing: 3px; }\n", encoding="utf-8")
            page.reload()
            new = page.eval_on_selector(STYLESHEET, "(link) => link.href")
            assert new != old
            assert page.evaluate(SPACING) == "3px"
            wait_until(lambda: bool(page.evaluate(KEPT, new)) and not page.evaluate(KEPT, old),
                       message="the worker did not keep the new stylesheet or kept the old one")

            # Offline, the kept page and the new stylesheet.
            context.set_offline(True)
            network(app).on = False
            page.reload()
            assert page.eval_on_selector(STYLESHEET, "(link) => link.href") == new
            assert page.evaluate(SPACING) == "3px"
            network(app).on = True
            browser.close()

        in_browser(work)
