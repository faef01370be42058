"""Real-browser harness: Debian's Chromium driven by Playwright, the app served by a real
WSGI server on 127.0.0.1 in a thread, axe-core from npm, and a recorder whose JSON feeds
``tools/accessibility_report.py``.

Chromium is never downloaded: a missing ``/usr/bin/chromium`` (or ``CHROMIUM_PATH``) or a missing
``node_modules/axe-core`` makes these tests fail, not skip.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from surveyapp.extensions import db
from tests.conftest import make_app

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_SOURCE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
RESULTS = ROOT / "test-results" / "accessibility.json"
# We run as root on a closed network: no sandbox, no GPU, nothing that phones home.
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's package (apt-get install "
                    "chromium) or set CHROMIUM_PATH. The browser tests never download a browser.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as instance:
        yield instance


def launch(playwright: Any, **options: Any) -> Any:
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, **options)


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    chromium = launch(playwright)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        pytest.fail(f"{AXE_SOURCE.relative_to(ROOT)} is missing: run `npm ci` in the repository root.")
    return AXE_SOURCE.read_text(encoding="utf-8")


@dataclass
class LiveServer:
    """The app behind a real HTTP server; ``codes`` maps survey key → web link code."""

    app: Flask
    url: str
    codes: dict[str, str]

    def link(self, survey_key: str) -> str:
        return f"{self.url}/s/{self.codes[survey_key]}"


def serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def live(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One server per test module on a fresh migrated database with the built-in surveys open."""
    from surveyapp.surveys.services import list_surveys

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request is noise
    # Every test is another resident, but all of them come from 127.0.0.1: the per-address limits
    # are raised so that they do not count as one client (tests/screening holds the limits).
    app = make_app(migrated_database, tmp_path_factory.mktemp("live"), SERVER_NAME=None,
                   WTF_CSRF_ENABLED=True, RATE_LIMIT_START="1000 per minute",
                   RATE_LIMIT_ANSWER="5000 per minute")
    result = app.test_cli_runner().invoke(args=["surveys", "load", "--builtin", "--open"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        codes = {survey.key: survey.links[0].code for survey in list_surveys()}
    for url in serve(app):
        yield LiveServer(app, url, codes)


@dataclass
class Recorder:
    """What the browser saw, per page visit, for docs/accessibility.md."""

    visits: list[dict[str, Any]] = field(default_factory=list)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)
    browser_version: str = ""
    axe_version: str = ""
    axe_rules: list[dict[str, Any]] = field(default_factory=list)

    def visit(self, **entry: Any) -> None:
        self.visits.append(entry)

    def check(self, name: str, passed: bool, **details: Any) -> None:
        previous = self.checks.get(name, {"passed": True, "runs": 0})
        self.checks[name] = {**previous, **details, "passed": previous["passed"] and passed,
                             "runs": previous["runs"] + 1}


_OUTCOMES: dict[str, int] = {"passed": 0, "failed": 0, "skipped": 0}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if "tests/browser/" in report.nodeid and (report.when == "call" or report.outcome != "passed"):
        _OUTCOMES[report.outcome] = _OUTCOMES.get(report.outcome, 0) + 1


@pytest.fixture(scope="session")
def recorder(browser: Any) -> Iterator[Recorder]:
    record = Recorder(browser_version=browser.version)
    started = time.monotonic()
    yield record
    if not record.visits:
        return
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    data = {"date": datetime.date.today().isoformat(), "browser": record.browser_version,
            "axe": record.axe_version, "axe_rules": record.axe_rules,
            "seconds": round(time.monotonic() - started, 1), "tests": dict(_OUTCOMES),
            "visits": record.visits, "checks": record.checks}
    RESULTS.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
