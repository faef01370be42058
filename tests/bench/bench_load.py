"""Benchmark: complete survey responses per second under gunicorn, surveyapp against the bare limit.

    python -m tests.bench.bench_load [--seconds 20] [--concurrency 1 8 32] [--database postgresql]
                                     [--workers 2] [--threads 1] [--guarded]
    python -m tests.bench.bench_load --smoke

A plain script, not collected by pytest. Both apps run under gunicorn with 2 sync workers on
127.0.0.1, each on a fresh database in a temporary folder: surveyapp (the production app) with
the reference survey ``fixtures/load-anchor.toml`` open (four required five-point questions and a
free-text question on one page), and ``bare.py``, the limit (a bare Flask app serving the same
form and storing each response as durably as surveyapp promises). The same client drives both in
the same run (see ``loadrun.py``): at each concurrency, that many respondents answer one after the
other for a fixed time, surveyapp first, then the bare app. A response = open the link, answer,
submit, reach the thank-you page; its latency is that whole sequence.

After each run the database is read back: every acknowledged response must be there exactly once
(found by its marker in the free text). Errors or a failed check make the exit status non-zero.

``--database postgresql`` serves surveyapp on a new database of the PostgreSQL server named by
``TEST_DATABASE_URL`` (without it, the script runs itself under ``tools/with-postgres``); the
bare limit stays on SQLite.

Each run also reports the CPU time per complete response of the load client and of the app's
gunicorn (master and workers, from /proc): at c = 1 nothing overlaps, so a response takes about
the sum of the two, and the difference from the limit shows on which side the time goes.

``--guarded`` also measures ``bare_guarded.py``, the bare limit with the machinery of surveyapp's
guarantees (the session cookie holding the client id, CSRF, the security headers, compression)
and nothing else, after the bare app at each level: it shows how much of the gap to the limit the
guarantees cost by themselves.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack, nullcontext
from pathlib import Path

from tests.bench.loadrun import (
    REPO,
    WORKERS,
    BareSite,
    GuardedSite,
    Gunicorn,
    LoadRun,
    Stored,
    SurveyappSite,
    Target,
    compare,
    load_average,
    postgres_database,
    prepare_surveyapp,
    run_load,
    serving,
)

SMOKE_SECONDS = 2.0
SMOKE_CONCURRENCY = [1, 8]
WARM_UP_SECONDS = 2.0


def measure(concurrency: list[int], seconds: float, database_url: str | None = None,
            folder: Path | None = None, *, report: bool = True, warm_up: float = WARM_UP_SECONDS,
            served: tuple[SurveyappSite, Gunicorn] | None = None, workers: int = WORKERS,
            threads: int = 1, guarded: bool = False) -> list[tuple[LoadRun, Stored]]:
    """Serve both apps, run every concurrency level on each, check every run; returns the runs.
    ``served``: surveyapp already running (its database_url is then not used). ``workers`` and
    ``threads`` (gthread when more than one) apply to every app alike. ``guarded``: also the
    bare limit with the guarantees' machinery (``bare_guarded.py``), measured after the bare one."""
    results: list[tuple[LoadRun, Stored]] = []
    with ExitStack() as stack:
        if folder is None:
            folder = Path(tempfile.mkdtemp(prefix="surveyapp-load-"))
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        if served is None:
            url = stack.enter_context(postgres_database(database_url) if database_url else nullcontext(None))
            site = prepare_surveyapp(folder / "surveyapp", url)
            server = _configured(site.server(), workers, threads)
            base_url = stack.enter_context(serving(server))
        else:
            site, server = served
            base_url = server.base_url
        bare = BareSite(folder / "bare")
        limits = [bare, GuardedSite(folder / "guarded")] if guarded else [bare]
        apps = [(site.target(base_url), site.markers, server)]
        for limit in limits:
            limit.folder.mkdir(parents=True, exist_ok=True)
            limit_server = _configured(limit.server(), workers, threads)
            apps.append((limit.target(stack.enter_context(serving(limit_server))), limit.markers, limit_server))
        for target, _markers, _server in apps:  # unmeasured: templates compiled, connections opened
            if warm_up:
                run_load(target, 2, warm_up)
        for level in concurrency:
            for target, markers, app_server in apps:
                run = _timed_run(target, level, seconds, app_server)
                stored = compare(run.acknowledged, markers(run.prefix))
                results.append((run, stored))
                if report:
                    print(f"  c={level:<3} {target.name:<9} {run.rate:7.1f} /s  p50 {run.percentile_ms(50):6.0f} ms  "
                          f"p95 {run.percentile_ms(95):6.0f} ms  errors {sum(run.errors.values())}  "
                          f"CPU per response: client {_ms(run.cpu_ms(run.client_cpu))}, "
                          f"server {_ms(run.cpu_ms(run.server_cpu))}  "
                          f"check: {stored.describe()}  ({load_average()})", flush=True)
        if report:
            print(f"surveyapp database: {site.backend}; bare limit{'s' if guarded else ''}: SQLite", flush=True)
    return results


def _timed_run(target: Target, concurrency: int, seconds: float, server: Gunicorn) -> LoadRun:
    """A load run with the CPU time the client (this process) and the server used during it."""
    client, served = time.process_time(), server.cpu_seconds()
    run = run_load(target, concurrency, seconds)
    run.client_cpu = time.process_time() - client
    after = server.cpu_seconds()
    run.server_cpu = after - served if after is not None and served is not None else None
    return run


def _configured(server: Gunicorn, workers: int, threads: int) -> Gunicorn:
    server.workers, server.threads = workers, threads
    return server


def table(results: list[tuple[LoadRun, Stored]]) -> str:
    """The Markdown table: one row per concurrency, surveyapp and the limit side by side (and the
    guarded limit, when it was measured: its rate and its share of the bare limit)."""
    by_level = _by_level(results)
    guarded = any(run.app == "guarded" for run, _stored in results)
    header = "| concurrency | surveyapp | bare Flask+SQLite (limit) | surveyapp / limit |"
    if guarded:
        header += " guarded limit | guarded / limit |"
    lines = [header, "|---" * header.count(" | ") + "|---|"]
    for level, runs in by_level.items():
        app, bare = runs.get("surveyapp"), runs.get("bare")
        line = f"| {level} | {_cell(app)} | {_cell(bare)} | {_share(app, bare)} |"
        if guarded:
            line += f" {_cell(runs.get('guarded'))} | {_share(runs.get('guarded'), bare)} |"
        lines.append(line)
    return "\n".join(lines)


def cpu_table(results: list[tuple[LoadRun, Stored]]) -> str:
    """The Markdown table of CPU milliseconds per complete response, client + server, per app."""
    apps = list(dict.fromkeys(run.app for run, _stored in results))
    header = "| concurrency | " + " | ".join(f"{app}: client + server" for app in apps) + " |"
    lines = [header, "|---" * (len(apps) + 1) + "|"]
    for level, runs in _by_level(results).items():
        cells = [_cpu_cell(runs.get(app)) for app in apps]
        lines.append(f"| {level} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _by_level(results: list[tuple[LoadRun, Stored]]) -> dict[int, dict[str, LoadRun]]:
    by_level: dict[int, dict[str, LoadRun]] = {}
    for run, _stored in results:
        by_level.setdefault(run.concurrency, {})[run.app] = run
    return by_level


def _cpu_cell(run: LoadRun | None) -> str:
    if run is None:
        return "–"
    return f"{_ms(run.cpu_ms(run.client_cpu))} + {_ms(run.cpu_ms(run.server_cpu))} ms"


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.2f}"


def _share(run: LoadRun | None, limit: LoadRun | None) -> str:
    return f"{run.rate / limit.rate:.0%}" if run and limit and limit.rate else "–"


def _cell(run: LoadRun | None) -> str:
    if run is None:
        return "–"
    errors = sum(run.errors.values())
    return (f"{run.rate:.1f} /s, p50 {run.percentile_ms(50):.0f} ms, p95 {run.percentile_ms(95):.0f} ms"
            + (f", {errors} errors" if errors else ""))


def summary(results: list[tuple[LoadRun, Stored]]) -> tuple[str, bool]:
    acknowledged = sum(stored.acknowledged for _run, stored in results)
    errors = sum(sum(run.errors.values()) for run, _stored in results)
    lost = sum(len(stored.lost) for _run, stored in results)
    duplicated = sum(len(stored.duplicated) for _run, stored in results)
    ok = errors == 0 and lost == 0 and duplicated == 0
    text = (f"{errors} errors, {acknowledged:,} acknowledged responses: {lost} lost, "
            f"{duplicated} stored more than once")
    for run, _stored in results:
        for message, count in run.errors.most_common():
            text += f"\n  {run.app} c={run.concurrency}: {count} × {message}"
    return text, ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each run (default 20)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite",
                        help="surveyapp's database (the bare limit always uses SQLite)")
    parser.add_argument("--smoke", action="store_true",
                        help=f"a quick check: {SMOKE_SECONDS:.0f} s at c = {SMOKE_CONCURRENCY}")
    parser.add_argument("--workers", type=int, default=WORKERS, help=f"gunicorn workers per app (default {WORKERS})")
    parser.add_argument("--threads", type=int, default=1,
                        help="threads per worker; more than 1 uses gunicorn's gthread worker class (default 1: sync)")
    parser.add_argument("--guarded", action="store_true",
                        help="also measure the bare limit with the guarantees' machinery (bare_guarded.py)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.smoke:
        args.seconds, args.concurrency = SMOKE_SECONDS, SMOKE_CONCURRENCY
    database_url = None
    if args.database == "postgresql":
        database_url = os.environ.get("TEST_DATABASE_URL")
        if not database_url:
            wrapper = str(REPO / "tools" / "with-postgres")
            os.execv(wrapper, [wrapper, sys.executable, "-m", "tests.bench.bench_load", *sys.argv[1:]])  # noqa: S606
    kind = f"gthread workers × {args.threads} threads" if args.threads > 1 else "sync workers"
    print(f"gunicorn, {args.workers} {kind} per app, client on the same machine; {args.seconds:g} s per run; "
          f"{load_average()}", flush=True)
    results = measure(args.concurrency, args.seconds, database_url, workers=args.workers, threads=args.threads,
                      guarded=args.guarded)
    print()
    print(table(results))
    print()
    print("CPU time per complete response (the load client's, then gunicorn's: master and workers):")
    print()
    print(cpu_table(results))
    text, ok = summary(results)
    print()
    print(text)
    print(f"at the end: {load_average()}")
    if args.json:
        args.json.write_text(json.dumps([
            {"app": run.app, "concurrency": run.concurrency, "seconds": run.seconds, "completed": run.completed,
             "per_second": run.rate, "p50_ms": run.percentile_ms(50), "p95_ms": run.percentile_ms(95),
             "client_cpu_ms": run.cpu_ms(run.client_cpu), "server_cpu_ms": run.cpu_ms(run.server_cpu),
             "errors": dict(run.errors), "acknowledged": stored.acknowledged, "lost": len(stored.lost),
             "duplicated": len(stored.duplicated)} for run, stored in results], indent=1), encoding="utf-8")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
