"""Generous rate limits per address, a friendly 429 in the respondent's language, kiosks apart.

The tests count against daily limits: a per-minute window could roll over in the middle of a
test and let one more request through.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import link_code, load_builtin_surveys
from tests.kiosk.conftest import count_rows, device_client, make_kiosk, post_response
from tests.screening.helpers import flags_of, from_address


def _starts(app: Flask, client: Any, times: int) -> list[int]:
    code = link_code(app, "digital-services")
    return [client.post(f"/s/{code}").status_code for _ in range(times)]


def test_over_the_limit_a_friendly_page_in_the_respondents_language(app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_START="3 per day"))
    client = from_address(app, "203.0.113.5")
    assert _starts(app, client, 4) == [303, 303, 303, 429]
    refused = client.post(f"/s/{link_code(app, 'digital-services')}")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "ただいま送信が集中しています" in html and "回答は保存されています" in html
    assert int(refused.headers["Retry-After"]) > 0
    client.set_cookie("lang", "en", domain="survey.test")
    english = client.post(f"/s/{link_code(app, 'digital-services')}").get_data(as_text=True)
    assert "Too many submissions right now" in english and '<html lang="en"' in english
    # Per address: another browser on the same Wi-Fi shares the count, another address does not.
    assert _starts(app, from_address(app, "203.0.113.5"), 1) == [429]
    assert _starts(app, from_address(app, "198.51.100.1"), 1) == [303]


def test_answer_pages_have_their_own_generous_limit(app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_ANSWER="2 per day"))
    client = from_address(app, "203.0.113.5")
    code = link_code(app, "digital-services")
    client.post(f"/s/{code}")
    statuses = [client.post(f"/s/{code}/p/1", data={"digital_satisfaction": "satisfied"}).status_code
                for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert client.get(f"/s/{code}/p/1").status_code == 200  # reading a page is never limited


def test_the_limits_can_be_switched_off(app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_START="1 per minute", RATE_LIMIT_ENABLED=False))
    assert _starts(app, from_address(app, "203.0.113.5"), 3) == [303, 303, 303]


def test_a_kiosk_tablet_posting_thirty_responses_is_neither_limited_nor_flagged(app: Flask) -> None:
    kiosk = make_kiosk(app)
    client = device_client(app, kiosk.credential)
    statuses = [post_response(client, kiosk).status_code for _ in range(30)]
    assert statuses == [201] * 30
    assert count_rows(app) == 30
    assert flags_of(app) == [[]] * 30


def test_kiosk_devices_have_their_own_sanity_limit_answered_in_json(app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_KIOSK="5 per day", RATE_LIMIT_START="2 per day"))
    first = make_kiosk(app)
    second = make_kiosk(app, name="蘇原会場タブレット1")
    client = device_client(app, first.credential)
    statuses = [post_response(client, first).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    limited = post_response(client, first)
    assert limited.is_json and limited.get_json()["error"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) > 0  # the tablet's queue waits that long
    # The other tablet, at the same venue address, is not held back …
    assert post_response(device_client(app, second.credential), second).status_code == 201
    # … and the tablets' deliveries do not use up the address limit of residents' phones there.
    assert _starts(app, app.test_client(), 2) == [303, 303]


def _wait_for(path: Path) -> None:
    deadline = time.monotonic() + 10
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError("redis-server did not start")
        time.sleep(0.05)


@contextmanager
def _redis_server(socket: Path) -> Iterator[str]:
    """A private redis-server on a Unix socket, stopped at the end."""
    server = subprocess.Popen(  # noqa: S603
        [shutil.which("redis-server") or "redis-server", "--port", "0", "--unixsocket", str(socket),
         "--save", "", "--appendonly", "no", "--dir", str(socket.parent)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for(socket)
        yield f"redis+unix://{socket}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    with _redis_server(tmp_path / "redis.sock") as url:
        yield url


WORKER = """
import json, sys
from surveyapp import create_app
config = json.loads(sys.argv[1])
app = create_app(config)
client = app.test_client()
client.environ_base["REMOTE_ADDR"] = "203.0.113.6"
print(json.dumps([client.post("/s/" + sys.argv[2]).status_code for _ in range(int(sys.argv[3]))]))
"""


def _other_worker(app: Flask, tmp_path: Path, starts: int) -> list[int]:
    """Starts sent through another process (another gunicorn worker) on the same database."""
    config = {key: app.config[key] for key in ("TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "SERVER_NAME")}
    config.update({"INSTANCE_PATH": str(tmp_path / "worker-instance"),
                   "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                   "RATE_LIMIT_START": app.config["RATE_LIMIT_START"],
                   "RATE_LIMIT_STORAGE_URI": app.config["RATE_LIMIT_STORAGE_URI"]})
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", WORKER, json.dumps(config), link_code(app, "digital-services"), str(starts)],
        capture_output=True, text=True, timeout=120, check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_workers_share_the_count_only_through_a_shared_store(
        app_factory: Any, redis_url: str, tmp_path: Path, storage: str) -> None:
    """In memory every worker process counts on its own (the limit is per worker); with Redis
    the limit holds for all of them together."""
    uri = redis_url if storage == "redis" else "memory://"
    app = load_builtin_surveys(app_factory(RATE_LIMIT_START="3 per day", RATE_LIMIT_STORAGE_URI=uri))
    assert _starts(app, from_address(app, "203.0.113.6"), 2) == [303, 303]
    expected = [303, 429] if storage == "redis" else [303, 303]
    assert _other_worker(app, tmp_path, 2) == expected


def test_a_shared_store_that_is_down_never_costs_an_answer(app_factory: Any, tmp_path: Path) -> None:
    app = load_builtin_surveys(app_factory(RATE_LIMIT_STORAGE_URI=f"redis+unix://{tmp_path}/none.sock",
                                           RATE_LIMIT_START="2 per day"))
    # The store is unreachable: the limits fall back to this process's memory.
    assert _starts(app, from_address(app, "203.0.113.5"), 3) == [303, 303, 429]
    kiosk = make_kiosk(app)
    payload = {"client_uuid": str(uuid.uuid4()), "link": kiosk.code, "version": kiosk.version_id,
               "answers": {"course_satisfaction": "satisfied"}}
    delivered = device_client(app, kiosk.credential).post(
        "/kiosk/api/responses", data=json.dumps(payload),
        headers={"Content-Type": "application/json", "Sec-Fetch-Site": "same-origin"})
    assert delivered.status_code == 201


def test_a_store_that_comes_back_counts_for_every_worker_again(
        app_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from surveyapp import ratelimits

    monkeypatch.setattr(ratelimits, "STORE_RETRY_SECONDS", 0.0)  # try the store again at once
    socket = tmp_path / "redis.sock"
    app = load_builtin_surveys(app_factory(RATE_LIMIT_STORAGE_URI=f"redis+unix://{socket}",
                                           RATE_LIMIT_START="3 per day"))
    client = from_address(app, "203.0.113.6")
    assert _starts(app, client, 1) == [303]  # the store is down: counted in this process
    with _redis_server(socket):
        assert _starts(app, client, 1) == [303]  # counted in the store again
        # Another worker sees that one start (not the one kept in memory): its third is over.
        assert _other_worker(app, tmp_path, 3) == [303, 303, 429]


def test_counting_in_memory_starts_no_thread_and_forgets_ended_windows(
        app_factory: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker's memory store counts in the request's own thread (the library's store would
    start one after every count) and still drops the counters of windows that have ended."""
    import threading

    from surveyapp import ratelimits

    monkeypatch.setattr(ratelimits, "MEMORY_CLEANUP_SECONDS", 0.0)  # at every count
    app = load_builtin_surveys(app_factory(RATE_LIMIT_START="100 per second"))
    # The four counts below fall in one window of a second: start them as a second begins.
    time.sleep(1.02 - time.time() % 1)
    assert _starts(app, from_address(app, "203.0.113.1"), 1) == [303]  # the store is made
    started: list[threading.Thread] = []
    real_start = threading.Thread.start
    monkeypatch.setattr(threading.Thread, "start", lambda thread: (started.append(thread), real_start(thread)))
    assert _starts(app, from_address(app, "203.0.113.2"), 3) == [303] * 3
    assert started == []
    counters = app.extensions["surveyapp.ratelimits"].memory.storage.storage
    assert len(counters) == 2  # the current one-second windows of the two addresses
    time.sleep(2.1)  # both windows ended (a counter is kept for two windows)
    assert _starts(app, from_address(app, "203.0.113.3"), 1) == [303]
    assert len(app.extensions["surveyapp.ratelimits"].memory.storage.storage) == 1


def test_the_429_page_is_in_the_links_language_when_nobody_chose_one(app_factory: Any) -> None:
    from surveyapp.extensions import db
    from surveyapp.surveys.services import get_survey

    app = load_builtin_surveys(app_factory(RATE_LIMIT_START="1 per day"))
    with app.app_context():
        get_survey("digital-services").links[0].default_language = "pt-BR"
        db.session.commit()
    client = from_address(app, "203.0.113.5")
    assert _starts(app, client, 1) == [303]
    refused = client.post(f"/s/{link_code(app, 'digital-services')}")
    assert refused.status_code == 429
    assert "Muitos envios neste momento" in refused.get_data(as_text=True)
