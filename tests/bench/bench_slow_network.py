"""Respondent pages on a slow phone connection: every built-in survey answered in Chromium at
390 × 844 over emulated slow 3G, plus the kiosk start screen and the invitation-code page.

    python -m tests.bench.bench_slow_network [--languages ja pt-BR] [--log]

A plain script, not collected by pytest. It serves the app on 127.0.0.1 (a temporary SQLite
database, the built-in surveys open), and drives Debian's Chromium with the DevTools protocol's
network emulation (400 ms latency, 400 kbit/s down and up) in a fresh browser context per survey
and language, so the first page is cold (nothing cached) and later pages use what the browser kept.

What it prints, per survey and language and in total:

* the first page: the survey link opened cold, until its load event (HTML and stylesheet);
* every transition: tap 「次へ」 (or the start button, or 「送信」) until the next page's load
  event, as the browser's own navigation timing measures it (the POST, its redirect and the GET
  of the next page with whatever that page needs), and the bytes received for it (headers and
  bodies as they travelled, compressed or not);
* the kiosk start screen: first load (cold), then again once the service worker has kept it
  (online: the page from the network through the worker, its assets from the worker; offline:
  everything from the worker);
* the invitation-code entry page (``/code``) of a letter: opened cold, then a code typed and sent
  until the survey's start page is loaded.

``--log`` lists every request of every step (method, path, status, bytes, where it came from),
which is how the remaining round trips of a page are checked.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.serving import make_server

from surveyapp import create_app
from surveyapp.extensions import db
from surveyapp.i18n import LANGUAGE_COOKIE, html_lang
from surveyapp.surveys.definitions import SurveyDef
from tests.browser.conftest import CHROMIUM, LAUNCH_ARGS
from tests.browser.helpers import PHONE, SURVEYS, plan_answers
from tests.kiosk.browser import device_cookies

LATENCY_MS = 400
THROUGHPUT = 400_000 // 8  # 400 kbit/s in bytes per second, down and up
SLOW_3G = {"offline": False, "latency": LATENCY_MS, "downloadThroughput": THROUGHPUT,
           "uploadThroughput": THROUGHPUT}
GOAL_TRANSITION_MS = 1000
GOAL_FIRST_MS = 1500
GOAL_BYTES = 4 * 1024
KIOSK_SURVEY = "digital-divide-course"
SUBMIT = "main form button[type=submit]"
NAVIGATION_TIMING = """() => {
    const n = performance.getEntriesByType('navigation')[0];
    return {ms: n.loadEventEnd, redirects: n.redirectCount};
}"""


# --------------------------------------------------------------------------- the app


@contextmanager
def served_app() -> Iterator[tuple[Flask, str]]:
    """The app on a fresh database, served by a process of its own (as in production, and so
    that the browser driver in this process does not share a CPU lock with the server)."""
    from flask_migrate import upgrade

    folder = Path(tempfile.mkdtemp(prefix="surveyapp-slow-network-"))
    config = {"DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
              "INSTANCE_PATH": str(folder / "instance"), "SECRET_KEY": "n" * 48}
    app = create_app(config)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["surveys", "load", "--builtin", "--open"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()  # the server process opens its own connections
    processes = multiprocessing.get_context("fork")
    ports = processes.Queue()
    server = processes.Process(target=_serve, args=(config, ports), daemon=True)
    server.start()
    try:
        yield app, f"http://127.0.0.1:{ports.get(timeout=60)}"
    finally:
        server.terminate()
        server.join(timeout=10)


def _serve(config: dict[str, Any], ports: Any) -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    server = make_server("127.0.0.1", 0, create_app(config), threaded=True)
    ports.put(server.server_port)
    server.serve_forever()


def survey_links(app: Flask) -> tuple[dict[str, str], dict[str, SurveyDef]]:
    from surveyapp.surveys.services import list_surveys, version_definition

    with app.app_context():
        codes, definitions = {}, {}
        for survey in list_surveys():
            version = survey.current_version
            assert version is not None
            codes[survey.key] = survey.links[0].code
            definitions[survey.key] = version_definition(version)
        return codes, definitions


def invitation_code(app: Flask) -> str:
    """One letter's code (a codes-only wave of the digital-services survey)."""
    from surveyapp.invitations.waves import create_codes_wave
    from surveyapp.surveys.services import get_survey

    with app.app_context():
        created = create_codes_wave(get_survey("digital-services"), label="ベンチマーク", count=1)
        return created.invitations[0].code


def kiosk_credential(app: Flask) -> str:
    """A course session of the course survey and a tablet enrolled for its kiosk link."""
    from datetime import date

    from surveyapp.kiosk.courses import SessionInput, add_course, course_surveys, create_session
    from surveyapp.kiosk.services import create_device, enroll_device

    with app.app_context():
        course = add_course("スマートフォン入門", user_id=None)
        survey = next(s for s in course_surveys() if s.key == KIOSK_SURVEY)
        session = create_session(course, survey, SessionInput(date(2026, 11, 20), "川島会館",
                                                              "各務 花子", 40), user_id=None)
        enrollment = create_device("計測用タブレット", "2468", session.link, user_id=None)
        _device, credential = enroll_device(enrollment.code)
        return credential


# --------------------------------------------------------------------------- measuring


@dataclass
class Step:
    name: str
    ms: float
    received: int
    requests: list[dict[str, Any]] = field(default_factory=list)


class Meter:
    """The DevTools network log of one page: what each request cost and where it came from."""

    def __init__(self, context: Any, page: Any, *, slow: bool = True) -> None:
        self.page = page
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        if slow:
            self.cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._received)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.loadingFailed", self._failed)
        self.cdp.on("Network.requestServedFromCache", self._from_cache)
        self.entries: dict[str, list[dict[str, Any]]] = {}

    def reset(self) -> None:
        self.entries = {}

    def _sent(self, event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if url.startswith(("data:", "about:", "blob:")):
            return
        chain = self.entries.setdefault(event["requestId"], [])
        redirect = event.get("redirectResponse")
        if redirect and chain:
            chain[-1].update(status=redirect["status"], bytes=int(redirect.get("encodedDataLength", 0)),
                             source=_source(redirect))
        parts = urlsplit(url)
        chain.append({"method": event["request"]["method"],
                      "path": parts.path + (f"?{parts.query}" if parts.query else ""),
                      "status": None, "bytes": 0,
                      "source": "network", "by": "worker" if event.get("worker") else "page"})

    def _from_cache(self, event: dict[str, Any]) -> None:
        chain = self.entries.get(event["requestId"])
        if chain:
            chain[-1]["source"] = "cache"

    def _received(self, event: dict[str, Any]) -> None:
        chain = self.entries.get(event["requestId"])
        if chain and chain[-1]["source"] != "cache":
            chain[-1].update(status=event["response"]["status"], source=_source(event["response"]))
        elif chain:
            chain[-1]["status"] = event["response"]["status"]

    def _finished(self, event: dict[str, Any]) -> None:
        chain = self.entries.get(event["requestId"])
        if chain:
            chain[-1]["bytes"] = int(event.get("encodedDataLength", 0))

    def _failed(self, event: dict[str, Any]) -> None:
        chain = self.entries.get(event["requestId"])
        if chain:
            chain[-1].update(status="failed", source=event.get("errorText", ""))

    def step(self, name: str, action: Callable[[], Any]) -> Step:
        """Run a navigation; its duration from the browser's navigation timing."""
        self.reset()
        action()
        self.page.wait_for_load_state("load")
        timing = self.page.evaluate(NAVIGATION_TIMING)
        self.cdp.send("Page.getFrameTree")  # one round trip: the network events before it are in
        requests = [entry for chain in self.entries.values() for entry in chain]
        received = sum(entry["bytes"] for entry in requests if entry["source"] == "network")
        return Step(name, float(timing["ms"]), received, requests)


class WorkerLink:
    """The service worker's own network, slowed down like the page's and logged into the same
    meter: a page's DevTools session neither throttles nor sees what the worker fetches. The
    browser's session attaches to the worker target and talks to it through Target messages."""

    def __init__(self, browser: Any, meter: Meter) -> None:
        self.meter = meter
        self.page = meter.page
        self.session = browser.new_browser_cdp_session()
        self.session.on("Target.receivedMessageFromTarget", self._message)
        self.attached: dict[str, str] = {}
        self.replies: set[int] = set()
        self.next_id = 0

    def attach(self) -> None:
        """Throttle every service worker running now (waits until each has confirmed)."""
        self._conditions(SLOW_3G)

    def set_offline(self, offline: bool) -> None:
        self._conditions({**SLOW_3G, "offline": offline})

    def _conditions(self, conditions: dict[str, Any]) -> None:
        waiting = []
        for target in self.session.send("Target.getTargets")["targetInfos"]:
            if target["type"] != "service_worker":
                continue
            session_id = self.attached.get(target["targetId"])
            if session_id is None:
                session_id = self.session.send("Target.attachToTarget", {
                    "targetId": target["targetId"], "flatten": False})["sessionId"]
                self.attached[target["targetId"]] = session_id
                waiting.append(self._command(session_id, "Network.enable", {}))
            waiting.append(self._command(session_id, "Network.emulateNetworkConditions", conditions))
        deadline = time.monotonic() + 10
        while not set(waiting) <= self.replies:
            assert time.monotonic() < deadline, "the service worker did not answer"
            self.page.wait_for_timeout(20)  # lets Playwright deliver the events

    def _command(self, session_id: str, method: str, params: dict[str, Any]) -> int:
        self.next_id += 1
        message = json.dumps({"id": self.next_id, "method": method, "params": params})
        self.session.send("Target.sendMessageToTarget", {"sessionId": session_id, "message": message})
        return self.next_id

    def _message(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self.replies.add(message["id"])
            return
        handler = {"Network.requestWillBeSent": self.meter._sent,
                   "Network.responseReceived": self.meter._received,
                   "Network.loadingFinished": self.meter._finished,
                   "Network.loadingFailed": self.meter._failed}.get(message.get("method", ""))
        if handler is not None:
            params = dict(message["params"])
            params["requestId"] = "worker:" + params["requestId"]
            params["worker"] = True
            handler(params)


def _source(response: dict[str, Any]) -> str:
    if response.get("fromServiceWorker"):
        return "service worker"
    if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
        return "cache"
    return "network"


def click_and_wait(page: Any, selector: str) -> Callable[[], None]:
    def run() -> None:
        with page.expect_navigation(wait_until="load"):
            page.click(selector)
    return run


def fill(page: Any, defn: SurveyDef, keys: list[str], answers: dict[str, Any]) -> None:
    for key in keys:
        question, value = defn.question(key), answers[key]
        if question.type == "single":
            page.check(f'input[name="{key}"][value="{value}"]')
        elif question.type == "multiple":
            for code in value:
                page.check(f'input[name="{key}"][value="{code}"]')
        else:
            page.fill(f'[name="{key}"]', value)


# --------------------------------------------------------------------------- the runs


def answer_survey(browser: Any, base: str, code: str, defn: SurveyDef, language: str, *,
                  slow: bool = True) -> list[Step]:
    """The survey from its link to the thank-you page in a fresh (cold) browser context."""
    context = browser.new_context(viewport=PHONE, locale="ja-JP", service_workers="block")
    try:
        if language != "ja":
            context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": base}])
        page = context.new_page()
        meter = Meter(context, page, slow=slow)
        # The start page carries the first page's questions.
        steps = [meter.step("first page", lambda: page.goto(f"{base}/s/{code}"))]
        answers = plan_answers(defn, 0, language)
        pages = defn.pages()
        for number, questions in enumerate(pages, start=1):
            fill(page, defn, [q.key for q in questions], answers)
            target = "thank-you" if number == len(pages) else f"page {number + 1}"
            steps.append(meter.step(f"page {number} → {target}", click_and_wait(page, SUBMIT)))
        assert page.url.endswith(f"/s/{code}/done"), page.url
        assert page.get_attribute("html", "lang") == html_lang(language)
        return steps
    finally:
        context.close()


def invitation_steps(browser: Any, base: str, code: str) -> list[Step]:
    """The code entry page of an invitation letter (cold), then the code typed and sent."""
    context = browser.new_context(viewport=PHONE, locale="ja-JP", service_workers="block")
    try:
        page = context.new_page()
        meter = Meter(context, page)
        steps = [meter.step("code entry page, first load", lambda: page.goto(f"{base}/code"))]
        page.fill("#code", f"{code[:3]}-{code[3:6]}-{code[6:]}".lower())
        steps.append(meter.step("code entry → survey start", click_and_wait(page, SUBMIT)))
        assert page.url.endswith("/code/start"), page.url  # the survey start page of the letter
        return steps
    finally:
        context.close()


def kiosk_steps(browser: Any, base: str, credential: str) -> list[Step]:
    """The kiosk start screen cold, then from the service worker (online and offline)."""
    context = browser.new_context(viewport={"width": 800, "height": 1280}, locale="ja-JP")
    try:
        context.add_cookies(device_cookies(base, credential))
        page = context.new_page()
        meter = Meter(context, page)
        steps = [meter.step("kiosk start screen, first load", lambda: page.goto(f"{base}/kiosk/"))]
        _wait_until_kept(page)
        worker = WorkerLink(browser, meter)
        worker.attach()
        steps.append(meter.step("kiosk start screen, service worker (online)", page.reload))
        context.set_offline(True)
        worker.set_offline(True)
        steps.append(meter.step("kiosk start screen, service worker (offline)", page.reload))
        return steps
    finally:
        context.close()


def _wait_until_kept(page: Any, timeout: float = 120.0) -> None:
    """Until the worker controls the page and keeps every URL the page asked it to keep and
    every script and stylesheet the page loaded."""
    check = """async () => {
        if (!navigator.serviceWorker.controller) { return false; }
        const urls = [location.pathname, ...JSON.parse(document.getElementById('kiosk').dataset.precache),
            ...[...document.scripts].map((s) => s.src),
            ...[...document.querySelectorAll('link[rel=stylesheet]')].map((l) => l.href)];
        const kept = await Promise.all(urls.map((u) => caches.match(u, {ignoreVary: true})));
        return kept.every(Boolean);
    }"""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate(check):
            return
        time.sleep(0.2)
    raise AssertionError("the service worker did not keep the kiosk page and its assets")


# --------------------------------------------------------------------------- report


def summary(steps: list[Step]) -> str:
    firsts = [s for s in steps if s.name == "first page"]
    moves = [s for s in steps if s.name != "first page"]
    times = [s.ms for s in moves]
    sizes = [s.received for s in moves]
    requests = max(sum(r["source"] == "network" for r in s.requests) for s in moves)
    first = max(firsts, key=lambda s: s.ms)
    typical = f"median {statistics.median(s.ms for s in firsts):5.0f} ms, " if len(firsts) > 1 else ""
    return (f"first page {typical}max {first.ms:5.0f} ms {first.received / 1024:4.1f} KB | "
            f"{len(moves):2d} transitions: median {statistics.median(times):5.0f} ms, "
            f"max {max(times):5.0f} ms | bytes median {statistics.median(sizes) / 1024:4.1f} KB, "
            f"max {max(sizes) / 1024:4.1f} KB | at most {requests} requests")


def print_log(steps: list[Step]) -> None:
    for step in steps:
        print(f"    {step.name}: {step.ms:.0f} ms, {step.received} B received")
        for entry in step.requests:
            print(f"      {entry['by']:6} {entry['method']:4} {entry['path']:<48} {entry['status']!s:>6} "
                  f"{entry['bytes']:6d} B  {entry['source']}")


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", nargs="+", default=["ja", "pt-BR"])
    parser.add_argument("--surveys", nargs="+", default=list(SURVEYS))
    parser.add_argument("--log", action="store_true", help="list every request of every step")
    parser.add_argument("--json", type=Path, help="also write every step to this file")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    everything: list[Step] = []
    kiosk: list[Step] = []
    print(f"Chromium {CHROMIUM}, {PHONE['width']}x{PHONE['height']}, latency {LATENCY_MS} ms, "
          f"{THROUGHPUT * 8 // 1000} kbit/s down and up, cold cache per survey and language; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    with served_app() as (app, base), sync_playwright() as playwright:
        codes, definitions = survey_links(app)
        credential = kiosk_credential(app)
        letter = invitation_code(app)
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            # Unmeasured, at full speed: the server compiles its templates on first use.
            warm = "digital-services"
            answer_survey(browser, base, codes[warm], definitions[warm], "ja", slow=False)
            for language in args.languages:
                for key in args.surveys:
                    steps = answer_survey(browser, base, codes[key], definitions[key], language)
                    everything.extend(steps)
                    print(f"{key:<24} {language:<6} {summary(steps)}")
                    if args.log:
                        print_log(steps)
            kiosk = kiosk_steps(browser, base, credential) + invitation_steps(browser, base, letter)
        finally:
            browser.close()
    print(f"{'all':<24} {'':<6} {summary(everything)}")
    for step in kiosk:
        print(f"{step.name:<46} {step.ms:6.0f} ms {step.received / 1024:5.1f} KB received")
    if args.log:
        print_log(kiosk)
    moves = [s for s in everything if s.name != "first page"]
    firsts = [s for s in everything if s.name == "first page"]
    goals = {
        f"every transition <= {GOAL_TRANSITION_MS} ms": max(s.ms for s in moves) <= GOAL_TRANSITION_MS,
        f"first page <= {GOAL_FIRST_MS} ms": max(s.ms for s in firsts) <= GOAL_FIRST_MS,
        f"<= {GOAL_BYTES // 1024} KB per transition": max(s.received for s in moves) <= GOAL_BYTES,
    }
    print(f"load average at the end {os.getloadavg()[0]:.1f} (a busy machine lengthens every step)")
    for goal, met in goals.items():
        print(f"goal {goal}: {'met' if met else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps([s.__dict__ for s in everything + kiosk], ensure_ascii=False,
                                        indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
