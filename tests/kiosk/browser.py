"""Browser helpers for the kiosk tests, built on the harness in tests/browser (Debian's Chromium,
the live WSGI server, axe-core from npm).

Playwright's sync API runs once per thread, and the harness keeps its session-wide instance
open while other test folders run; so each kiosk browser test drives its own Playwright in a
worker thread (:func:`in_browser`).  Fixtures from tests/browser are not visible here; the
plain helpers are imported and reused.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.kiosk.views import CREDENTIAL_COOKIE, MODE_COOKIE
from surveyapp.respond.models import Answer, Response
from tests.browser.conftest import AXE_SOURCE, CHROMIUM, LAUNCH_ARGS, serve
from tests.browser.helpers import AXE_TAGS, axe_message

TABLET = {"width": 800, "height": 1280}
QUESTION_KEYS = ("course_satisfaction", "understanding", "attend_again", "age_band", "comment")
SATISFACTION = ("satisfied", "somewhat_satisfied", "somewhat_dissatisfied", "dissatisfied")
UNDERSTANDING = ("understood_well", "mostly_understood", "partly_understood", "not_understood")
AGAIN = ("yes", "depends", "no")
AGES = ("18_29", "30_39", "40_49", "50_59", "60_69", "70_over")


def in_browser(work: Callable[[Any], None]) -> None:
    """Run ``work(playwright)`` in a thread of its own; re-raise what it raised."""
    failure: list[BaseException] = []

    def target() -> None:
        from playwright.sync_api import sync_playwright

        try:
            with sync_playwright() as playwright:
                work(playwright)
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            failure.append(exc)

    thread = threading.Thread(target=target, name="kiosk-browser")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class NetworkSwitch:
    """WSGI middleware standing for the tablet's Wi-Fi: when off, every connection is cut
    before the app sees it, so the browser's fetch fails as on a dropped network.

    Playwright's offline emulation covers the pages, but a service worker that Chromium has
    just restarted can reach the network before the emulation is applied to it; the tests
    switch both.
    """

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app
        self.on = True
        self.cut = 0

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if self.on:
            return self.wsgi_app(environ, start_response)
        self.cut += 1
        connection = environ.get("werkzeug.socket")
        if connection is not None:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
        start_response("503 Service Unavailable", [("Content-Length", "0")])
        return []


@contextmanager
def live_server(app: Flask) -> Iterator[str]:
    """The harness's live server for one app (our apps carry test-time kiosk settings);
    ``app.extensions["network"]`` is the :class:`NetworkSwitch` in front of it."""
    switch = NetworkSwitch(app.wsgi_app)
    app.wsgi_app = switch  # type: ignore[method-assign]
    app.extensions["network"] = switch
    yield from serve(app)


def network(app: Flask) -> NetworkSwitch:
    return app.extensions["network"]  # type: ignore[no-any-return]


def launch_browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)


def launch_profile(playwright: Any, profile: Path, **options: Any) -> Any:
    """A persistent context: IndexedDB, caches and the service worker survive a restart."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=str(CHROMIUM), args=LAUNCH_ARGS, viewport=TABLET,
        locale="ja-JP", **options)


def device_cookies(base_url: str, credential: str) -> list[dict[str, Any]]:
    """What enrollment leaves in the tablet's browser."""
    host = urlsplit(base_url).hostname
    return [
        {"name": CREDENTIAL_COOKIE, "value": credential, "domain": host, "path": "/kiosk",
         "httpOnly": True, "sameSite": "Strict"},
        {"name": MODE_COOKIE, "value": "1", "domain": host, "path": "/", "httpOnly": True,
         "sameSite": "Lax"},
    ]


def plan(index: int) -> dict[str, str]:
    """Answers of respondent ``index`` (varied so that every option is used)."""
    return {"course_satisfaction": SATISFACTION[index % 4], "understanding": UNDERSTANDING[(index // 2) % 4],
            "attend_again": AGAIN[index % 3], "age_band": AGES[index % 6],
            "comment": f"{index + 1}番目の回答です。<b>\"ok\" & ok</b>"}


def describe(page: Any) -> str:
    """The kiosk page's state, for failure messages."""
    return str(page.evaluate("""() => {
        const byId = (id) => document.getElementById(id);
        const start = document.querySelector('[data-action=start]');
        return {
            url: location.href,
            shown: [...document.querySelectorAll('.screen')].filter((e) => !e.hidden).map((e) => e.id),
            inert: byId('kiosk') && byId('kiosk').inert,
            warning: byId('idle-warning') && !byId('idle-warning').hidden,
            start_disabled: start && start.disabled,
            alert: byId('kiosk-alert') && byId('kiosk-alert').textContent,
        };
    }"""))


def answer_all(page: Any, answers: dict[str, str]) -> None:
    """Go from the start screen through every question and submit."""
    try:
        page.click("[data-action=start]", timeout=15000)
    except Exception as exc:
        raise AssertionError(f"cannot start: {describe(page)} {page.content()[:600]}") from exc
    for key in QUESTION_KEYS:
        section = page.locator(f"section[data-question={key}]")  # clicks wait until it shows
        value = answers.get(key)
        if value is not None and key == "comment":
            section.locator("textarea").fill(value)
        elif value is not None:
            section.locator(f"input[value='{value}']").check()
        section.locator("[data-action=next]").click()
    page.locator("#screen-thanks").wait_for(state="visible")


def shown_answers(page: Any) -> int:
    """How many answers the page still holds anywhere in its form (must be 0 between people)."""
    return int(page.evaluate("""() => {
        const form = document.getElementById('kiosk-form');
        if (!form) { return 0; }
        const ticked = form.querySelectorAll('input:checked').length;
        const typed = [...form.querySelectorAll('textarea, input[type=text]')].filter((e) => e.value).length;
        return ticked + typed;
    }"""))


def queue_counts(page: Any) -> dict[str, int]:
    """The device's own IndexedDB queue, read directly."""
    return dict(page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open('surveyapp-kiosk');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains('queue')) { resolve({pending: 0, refused: 0}); return; }
            const tx = db.transaction(['queue', 'refused'], 'readonly');
            const a = tx.objectStore('queue').count();
            const b = tx.objectStore('refused').count();
            tx.oncomplete = () => { resolve({pending: a.result, refused: b.result}); db.close(); };
        };
    })"""))


def queued_items(page: Any) -> list[dict[str, Any]]:
    return list(page.evaluate("""() => new Promise((resolve) => {
        const open = indexedDB.open('surveyapp-kiosk');
        open.onsuccess = () => {
            const request = open.result.transaction(['queue']).objectStore('queue').getAll();
            request.onsuccess = () => resolve(request.result);
        };
    })"""))


def wait_for_service_worker(page: Any) -> None:
    """Until the worker controls the page and has kept the kiosk page for offline use.

    Polled from here: Playwright's in-page polling evaluates strings, which our CSP forbids."""
    wait_until(lambda: bool(page.evaluate("() => navigator.serviceWorker.controller !== null")),
               message="the service worker never took control")
    wait_until(lambda: bool(page.evaluate("""async () => {
        const kept = await caches.match(location.pathname, {ignoreVary: true});
        const script = document.querySelector('script[src*="/static/js/kiosk."]');
        const kept_script = script && await caches.match(script.src, {ignoreVary: true});
        return Boolean(kept && kept_script);
    }""")), message="the kiosk page was not kept for offline use")


def wait_until(condition: Callable[[], bool], timeout: float = 20.0, message: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message or "condition not met in time")


def stored(app: Flask) -> list[dict[str, Any]]:
    """Every stored response as {question: answer} plus its channel and client id."""
    with app.app_context():
        rows = []
        for response in db.session.scalars(sa.select(Response).order_by(Response.id)):
            answers: dict[str, Any] = {"_uuid": str(response.client_uuid), "_channel": response.channel,
                                       "_link": response.link_id}
            for answer in db.session.scalars(sa.select(Answer).where(Answer.response_id == response.id)):
                answers[answer.question_key] = answer.text if answer.text is not None else answer.option_code
            rows.append(answers)
        db.session.remove()
        return rows


def run_axe(page: Any, where: str) -> None:
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {violations: r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}))};
        }""", AXE_TAGS)
    assert result["violations"] == [], axe_message(result, where)


def axe_script() -> str:
    return AXE_SOURCE.read_text(encoding="utf-8")


def kiosk_app(app_factory: Any, **overrides: Any) -> Flask:
    """An app for a live server: built-in surveys open, test-time kiosk settings."""
    import logging

    from tests.conftest import load_builtin_surveys

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    return load_builtin_surveys(app_factory(SERVER_NAME=None, **overrides))
