"""Benchmark: how long each request of a response takes over HTTP, surveyapp against the bare limit.

    python -m tests.bench.bench_http_steps [--responses 300] [--warm-up 30] [--rounds 3]

A plain script, not collected by pytest. Both apps run under gunicorn as in ``bench_load`` (2 sync
workers, a fresh database each); one respondent at a time (c = 1) answers with a plain httpx
client: open the link, fill the form in (the client's own parsing is timed apart), send it, open
the page the redirect names. Printed per app: the median wall time of each request as the client
sees it (server, network stack and the client's HTTP handling) and the client's own CPU time in
it, the client's parsing of the form, and the sizes of the two pages as sent. Set against
``bench_respond_cpu`` (the server's CPU per request, in process), it shows what each request
costs beyond the app's own work. The apps are measured in alternating rounds, so that a change of
the machine's speed falls on both.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlencode, urljoin

import httpx

from tests.bench.loadrun import FORM_HEADERS, BareSite, Gunicorn, load_average, main_form, prepare_surveyapp

HEADERS = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "ja"}


def _timed(times: dict[str, list[float]], step: str, request: Callable[[], httpx.Response]) -> httpx.Response:
    """Run one request; record its wall time and the client's own CPU time for it."""
    cpu, started = time.process_time(), time.perf_counter()
    response = request()
    times[step].append(time.perf_counter() - started)
    times[f"{step} (the client's CPU)"].append(time.process_time() - cpu)
    return response


def respond(client: httpx.Client, url: str, number: int, rng: random.Random,
            times: dict[str, list[float]]) -> None:
    """One response by a new respondent; adds the time of each step to ``times``."""
    client.cookies.clear()
    client.headers["X-Forwarded-For"] = f"10.1.{number // 256 % 256}.{number % 256}"
    page = _timed(times, "GET start page", lambda: client.get(url))
    started = time.perf_counter()
    form = main_form(page.text)
    times["(client: parse the form)"].append(time.perf_counter() - started)
    if page.status_code != 200 or form is None:
        raise RuntimeError(f"{url} answered {page.status_code} without a form")
    action = urljoin(str(page.url), form.action) if form.action else str(page.url)
    body = urlencode(form.fill(f"steps-{number}", rng))
    sent = _timed(times, "POST answers", lambda: client.post(action, content=body, headers=FORM_HEADERS))
    if not sent.is_redirect:
        raise RuntimeError(f"POST {action} answered {sent.status_code}")
    thanks = _timed(times, "GET thank-you page", lambda: client.get(urljoin(action, sent.headers["location"])))
    if thanks.status_code != 200:
        raise RuntimeError(f"the thank-you page answered {thanks.status_code}")
    times["bytes: start page"].append(int(page.headers.get("content-length") or len(page.content)))
    times["bytes: thank-you page"].append(int(thanks.headers.get("content-length") or len(thanks.content)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=300, help="measured responses per app (default 300)")
    parser.add_argument("--warm-up", type=int, default=30, help="unmeasured responses first (default 30)")
    parser.add_argument("--rounds", type=int, default=3, help="alternate the apps in this many rounds (default 3)")
    args = parser.parse_args()
    rounds = max(args.rounds, 1)
    times: dict[str, dict[str, list[float]]] = {"surveyapp": defaultdict(list), "bare": defaultdict(list)}
    with ExitStack() as stack:
        folder = Path(tempfile.mkdtemp(prefix="surveyapp-steps-"))
        stack.callback(shutil.rmtree, folder, True)
        site = prepare_surveyapp(folder / "surveyapp")
        (folder / "bare").mkdir()
        servers: dict[str, tuple[Gunicorn, str]] = {
            "surveyapp": (site.server(), f"/s/{site.code}"),
            "bare": (BareSite(folder / "bare").server(), "/s/bare"),
        }
        clients: dict[str, tuple[httpx.Client, str]] = {}
        for name, (server, start) in servers.items():
            base = server.start()
            stack.callback(server.stop)
            clients[name] = (stack.enter_context(httpx.Client(headers=HEADERS)), base + start)
        print(f"c = 1 over HTTP, {args.responses} responses per app in {rounds} rounds; {load_average()}")
        rng = random.Random(1)
        number = 0
        for client, url in clients.values():
            for _ in range(args.warm_up):
                respond(client, url, number, rng, defaultdict(list))
                number += 1
        for _round in range(rounds):
            for name, (client, url) in clients.items():
                for _ in range(max(args.responses // rounds, 1)):
                    respond(client, url, number, rng, times[name])
                    number += 1
    for name, steps in times.items():
        print(f"{name}:")
        for step, values in steps.items():
            middle = statistics.median(values)
            shown = f"{middle:8.0f} B" if step.startswith("bytes") else f"{1000 * middle:8.2f} ms"
            print(f"  {step:<40}{shown}  (median of {len(values)})")
    print(f"at the end: {load_average()}")


if __name__ == "__main__":
    main()
