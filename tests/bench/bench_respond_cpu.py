"""Benchmark: the server's CPU time per survey response, surveyapp against the bare limit.

    python -m tests.bench.bench_respond_cpu [--responses 200] [--warm-up 30] [--rounds 10]
                                            [--profile FILE]
    python -m tests.bench.bench_respond_cpu --against DIR [--rounds 20] [--per-round 30]

A plain script, not collected by pytest. Both apps run in this process, called through their
WSGI interface by Werkzeug's test client (no sockets, no gunicorn, no load client): surveyapp
as in production (``create_app`` on a fresh SQLite database with the reference survey
``fixtures/load-anchor.toml`` open) and ``bare.py``, the limit. Each response is walked as the
load benchmark's client walks it (``loadrun.main_form``: open the link, fill the page's form
in, press its button, follow the redirect, until the thank-you page), by a new respondent (no
cookies, an address of its own). ``time.process_time()`` is read around every request, so the
figures are CPU time of this process: they depend far less on the machine's load than the
rates of ``bench_load`` do, and the two apps are measured in alternating rounds so that what
load there is falls on both. Printed: CPU per kind of request and per response for each app,
and the ratio. ``--profile FILE`` also writes a cProfile of surveyapp's measured responses.

``--against DIR`` compares this checkout with another one (e.g. an older commit exported with
``git archive``): each runs in a process of its own, with this interpreter, on its own database;
both are warmed up, then measured in paired rounds (``--per-round`` responses each, the order
swapped every round), so that a change of the machine's speed falls on both sides of each
pair. Printed: the median CPU per kind of request on each side, and the median over the rounds
of this checkout's CPU per response divided by the other's.
"""

from __future__ import annotations

import argparse
import cProfile
import gzip
import importlib
import os
import random
import re
import shutil
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from tests.bench.loadrun import _shape, load_average, main_form, prepare_surveyapp

HEADERS = {"Accept-Language": "ja", "Accept-Encoding": "gzip, deflate, br",
           "Content-Type": "application/x-www-form-urlencoded"}
MAX_STEPS = 12


class Walker:
    """One app behind Werkzeug's test client; walks responses and adds up the CPU per request."""

    def __init__(self, name: str, app: Any, start_path: str, thanks: re.Pattern[str]) -> None:
        self.name = name
        self.app = app
        self.start_path = start_path
        self.thanks = thanks
        self.cpu: dict[str, list[float]] = defaultdict(list)
        self.responses = 0

    def _request(self, client: Any, method: str, path: str, measure: bool, **kwargs: Any) -> Any:
        started = time.process_time()
        response = client.open(path, method=method, headers=HEADERS, **kwargs)
        response.get_data()  # the body is produced (and compressed) while it is read
        spent = time.process_time() - started
        if measure:
            self.cpu[f"{method} {_shape(path)}"].append(spent)
        return response

    def respond(self, number: int, rng: random.Random, *, measure: bool) -> None:
        client = self.app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.{number // 65536 % 256}.{number // 256 % 256}.{number % 256}"
        response = self._request(client, "GET", self.start_path, measure)
        path = self.start_path
        for _step in range(MAX_STEPS):
            if response.status_code != 200:
                raise RuntimeError(f"{self.name}: {path} answered {response.status_code}")
            form = main_form(_text(response))
            if form is None:
                break
            action = urljoin(path, form.action) if form.action else path
            posted = self._request(client, "POST", action, measure,
                                   data=urlencode(form.fill(f"cpu-{number}", rng)))
            if posted.status_code not in (302, 303):
                raise RuntimeError(f"{self.name}: POST {action} answered {posted.status_code}")
            path = urlsplit(urljoin(action, posted.headers["Location"])).path
            response = self._request(client, "GET", path, measure)
        if not self.thanks.search(path):
            raise RuntimeError(f"{self.name}: ended on {path}, not the thank-you page")
        if measure:
            self.responses += 1

    @property
    def per_response_ms(self) -> float:
        return 1000 * sum(sum(times) for times in self.cpu.values()) / max(self.responses, 1)

    def report(self) -> str:
        lines = [f"{self.name}: {self.responses} responses"]
        for kind, times in self.cpu.items():
            lines.append(f"  {kind:<28} {1000 * sum(times) / len(times):6.2f} ms CPU  ({len(times)} requests)")
        lines.append(f"  {'per response':<28} {self.per_response_ms:6.2f} ms CPU")
        return "\n".join(lines)


def _text(response: Any) -> str:
    """The page as a browser reads it (the test client does not undo the compression)."""
    body = response.get_data()
    encoding = response.headers.get("Content-Encoding", "")
    if encoding == "br":
        import brotli

        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    elif encoding == "deflate":
        body = zlib.decompress(body)
    return str(body.decode("utf-8"))


def run(walkers: list[Walker], responses: int, warm_up: int, rounds: int,
        profile: cProfile.Profile | None = None) -> None:
    """Warm every app up, then measure them in alternating rounds (the machine's state changes
    during a run; each app sees the same share of it). The profile covers surveyapp only."""
    rngs = {walker.name: random.Random(1) for walker in walkers}
    for walker in walkers:
        for number in range(warm_up):  # unmeasured: templates compiled, caches filled
            walker.respond(number, rngs[walker.name], measure=False)
    per_round = max(responses // rounds, 1)
    for start in range(warm_up, warm_up + responses, per_round):
        numbers = range(start, min(start + per_round, warm_up + responses))
        for walker in walkers:
            def measured(walker: Walker = walker, numbers: range = numbers) -> None:
                for number in numbers:
                    walker.respond(number, rngs[walker.name], measure=True)

            if profile is not None and walker.name == "surveyapp":
                profile.runcall(measured)
            else:
                measured()


WORKER = """
import random, re, sys, tempfile
from pathlib import Path
from tests.bench.bench_respond_cpu import Walker
from tests.bench.loadrun import prepare_surveyapp
site = prepare_surveyapp(Path(tempfile.mkdtemp(prefix="surveyapp-cpu-")) / "surveyapp")
app = site.app()
rng = random.Random(1)
number = 0
def walker():
    return Walker("surveyapp", app, "/s/" + site.code, re.compile(r"^/s/[^/]+/done$"))
warm = walker()
for _ in range(int(sys.argv[1])):
    warm.respond(number, rng, measure=False)
    number += 1
print("ready", flush=True)
for line in sys.stdin:
    measured = walker()
    for _ in range(int(line)):
        measured.respond(number, rng, measure=True)
        number += 1
    kinds = {kind: 1000 * sum(times) / len(times) for kind, times in measured.cpu.items()}
    print(repr({**kinds, "per response": measured.per_response_ms}), flush=True)
"""


def compare(checkouts: dict[str, Path], rounds: int, per_round: int, warm_up: int) -> None:
    """Paired rounds of the same walk in one process per checkout (see ``--against``)."""
    import ast
    import statistics
    import subprocess

    workers = {}
    for name, folder in checkouts.items():
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))}
        workers[name] = subprocess.Popen(  # noqa: S603
            [sys.executable, "-c", WORKER, str(warm_up)], cwd=folder, env=env, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        for worker in workers.values():
            assert worker.stdout is not None
            if worker.stdout.readline().strip() != "ready":
                raise RuntimeError("a worker did not start (see its checkout)")
        print(f"paired rounds: {rounds} × {per_round} responses per checkout, after {warm_up} unmeasured; "
              f"{load_average()}", flush=True)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in workers}
        for number in range(rounds):
            order = list(workers) if number % 2 == 0 else list(reversed(workers))
            for name in order:
                worker = workers[name]
                assert worker.stdin is not None and worker.stdout is not None
                worker.stdin.write(f"{per_round}\n")
                worker.stdin.flush()
                results[name].append(ast.literal_eval(worker.stdout.readline()))
    finally:
        for worker in workers.values():
            if worker.stdin is not None:
                worker.stdin.close()
            worker.wait(timeout=60)
    for name, rows in results.items():
        print(f"{name}: {checkouts[name]}")
        for kind in rows[0]:
            print(f"  {kind:<28} {statistics.median(row[kind] for row in rows):6.2f} ms CPU (median of the rounds)")
    this, other = (results[name] for name in workers)
    ratios = [a["per response"] / b["per response"] for a, b in zip(this, other, strict=True)]
    print(f"\nthis / other, CPU per response: median {statistics.median(ratios):.3f} over {rounds} pairs "
          f"(lowest {min(ratios):.3f}, highest {max(ratios):.3f}); at the end: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=200, help="measured responses per app (default 200)")
    parser.add_argument("--warm-up", type=int, default=30, help="unmeasured responses first (default 30)")
    parser.add_argument("--rounds", type=int, default=10,
                        help="measure the apps alternately in this many rounds (default 10)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of surveyapp's measured responses here")
    parser.add_argument("--against", type=Path, metavar="DIR",
                        help="compare with the checkout in DIR in paired rounds (surveyapp only)")
    parser.add_argument("--per-round", type=int, default=30, help="with --against: responses per round (default 30)")
    args = parser.parse_args()
    if args.against is not None:
        here = Path(__file__).resolve().parents[2]
        compare({"this checkout": here, "the other": args.against.resolve()},
                max(args.rounds, 2), args.per_round, args.warm_up)
        return
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-cpu-"))
    try:
        os.environ["BARE_DB"] = str(folder / "bare.sqlite3")
        bare = importlib.import_module("tests.bench.bare")
        site = prepare_surveyapp(folder / "surveyapp")
        app = site.app()
        walkers = [Walker("surveyapp", app, f"/s/{site.code}", re.compile(r"^/s/[^/]+/done$")),
                   Walker("bare", bare.app, "/s/bare", re.compile(r"^/s/bare/thanks$"))]
        print(f"in-process WSGI, {args.responses} responses per app after {args.warm_up} unmeasured, "
              f"in {args.rounds} alternating rounds; "
              f"{load_average()}", flush=True)
        profile = cProfile.Profile() if args.profile else None
        run(walkers, args.responses, args.warm_up, args.rounds, profile)
        if profile is not None and args.profile:
            profile.dump_stats(str(args.profile))
        for walker in walkers:
            print(walker.report(), flush=True)
        surveyapp, limit = walkers
        print(f"\nsurveyapp / limit, CPU per response: {surveyapp.per_response_ms:.2f} ms / "
              f"{limit.per_response_ms:.2f} ms = {surveyapp.per_response_ms / limit.per_response_ms:.1f}×; "
              f"at the end: {load_average()}")
        site.close(app)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
