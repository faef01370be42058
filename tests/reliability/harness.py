"""The reliability harness (``make reliability``): writes docs/reliability.md with the figures.

    tools/with-postgres python -m tests.reliability.harness [--rounds 20] [--load-seconds 5]

(a) the load benchmark (``tests/bench/bench_load.py``) at a modest size, on SQLite and PostgreSQL;
(b) ``kill -9`` of the whole gunicorn (master and workers) under load, restarted on the same
    database, ``--rounds`` times on each database: every acknowledged response stored exactly once;
(c) the fuzz and authorization tests, on each database;
(d) a backup taken under load (SQLite: ``flask backup``; PostgreSQL: ``pg_dump``) restored into a
    new database and served: every response acknowledged before the backup started is in it.

PostgreSQL is the server named by ``TEST_DATABASE_URL`` (each part gets a new database on it);
without it, the harness runs itself under ``tools/with-postgres``. The exit status is non-zero if
any part failed; the document is written either way.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

from tests.bench.bench_load import measure, table
from tests.bench.loadrun import REPO, WORKERS, LoadRun, Stored, postgres_database, prepare_surveyapp
from tests.reliability.scenarios import BackupUnderLoad, KillRounds, backup_under_load, kill_rounds

TEST_FILES = ["tests/app/test_fuzz.py", "tests/staff/test_access.py"]
LOAD_LEVELS = [1, 8, 32]
OUTPUT = REPO / "docs" / "reliability.md"


@dataclass
class Report:
    started: datetime
    load_before: float
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def fail(self, what: str) -> None:
        self.failures.append(what)


@contextmanager
def database(backend: str, server_url: str) -> Iterator[str | None]:
    with postgres_database(server_url) if backend == "PostgreSQL" else nullcontext(None) as url:
        yield url


def part(report: Report, name: str, run: Callable[[], None]) -> None:
    """Run one part; an exception is a failure of that part, written into the document."""
    print(f"== {name} ({_load()})", flush=True)
    began = time.monotonic()
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - the report says what broke; the other parts still run
        traceback.print_exc()
        report.fail(f"{name}: {type(exc).__name__}: {exc}")
        report.add("", f"**Did not complete:** `{type(exc).__name__}: {str(exc)[:300]}`")
    print(f"   {name}: {time.monotonic() - began:.0f} s", flush=True)


def _load() -> str:
    return f"load average {os.getloadavg()[0]:.1f}"


# --------------------------------------------------------------------------- the parts


def load_part(report: Report, server_url: str, seconds: float, folder: Path) -> None:
    report.add("", "## (a) Load", "",
               f"`tests/bench/bench_load.py` at c = {', '.join(map(str, LOAD_LEVELS))}, {seconds:g} s each, gunicorn "
               f"with {WORKERS} sync workers per app; surveyapp on the database named, the bare limit on SQLite. "
               "Responses per second count complete responses (link → answers → thank-you page); latency is "
               "that whole sequence. After each run every acknowledged response was looked up by its marker.")
    for backend in ("SQLite", "PostgreSQL"):
        def run(backend: str = backend) -> None:
            with database(backend, server_url) as url:
                results = measure(LOAD_LEVELS, seconds, url, folder / f"load-{backend}")
            report.add("", f"### surveyapp on {backend} ({_load()} at the end)", "", table(results), "",
                       _load_check(results))
            for run, stored in results:
                if run.errors or not stored.ok:
                    report.fail(f"load on {backend}, {run.app} c={run.concurrency}: {dict(run.errors)}; "
                                f"{stored.describe()}")

        part(report, f"load on {backend}", run)


def _load_check(results: list[tuple[LoadRun, Stored]]) -> str:
    acknowledged = sum(stored.acknowledged for _run, stored in results)
    lost = sum(len(stored.lost) for _run, stored in results)
    twice = sum(len(stored.duplicated) for _run, stored in results)
    errors = sum(sum(run.errors.values()) for run, _stored in results)
    return (f"{errors} errors; {acknowledged:,} acknowledged responses, {lost} lost, {twice} stored more than once.")


def kill_part(report: Report, server_url: str, rounds: int, folder: Path) -> None:
    report.add("", "## (b) kill -9 of the whole server under load", "",
               f"{rounds} rounds per database: gunicorn ({WORKERS} sync workers) serves the reference survey to "
               "8 simultaneous respondents; once 5 responses of the round are acknowledged, master and workers "
               "get `kill -9` together (one signal to the process group) at a random moment within the next "
               "second, mid-request and mid-transaction; then gunicorn starts again on the same database. "
               "After the last restart the respondents answer again; then every response acknowledged in any "
               "round is looked up. A response *cut off* was under way at the kill and never acknowledged: "
               "it may be stored (at most once) or not.", "",
               "| database | rounds | acknowledged | lost | stored twice | cut off in flight | stored without "
               "acknowledgement | errors while up | restart (median / max) |",
               "|---|---|---|---|---|---|---|---|---|")
    for backend in ("SQLite", "PostgreSQL"):
        def run(backend: str = backend) -> None:
            with database(backend, server_url) as url:
                site = prepare_surveyapp(folder / f"kill-{backend}", url)
                result = kill_rounds(site, rounds)
            print("   " + result.describe(), flush=True)
            report.add(_kill_row(result))
            if not result.ok:
                report.fail(f"kill -9 on {backend}: {result.describe()}")

        part(report, f"kill -9 on {backend}", run)


def _kill_row(result: KillRounds) -> str:
    stored = result.stored
    assert stored is not None
    restart = result.restart_seconds
    return (f"| {result.backend} | {len(result.rounds)} | {stored.acknowledged:,} | {len(stored.lost)} | "
            f"{len(stored.duplicated)} | {result.cut_off} | {stored.unacknowledged} | {result.errors} | "
            f"{statistics.median(restart):.1f} s / {max(restart):.1f} s |")


def tests_part(report: Report, server_url: str) -> None:
    present = [name for name in TEST_FILES if (REPO / name).exists()]
    missing = [name for name in TEST_FILES if name not in present]
    report.add("", "## (c) Fuzz and authorization tests", "",
               "Run with pytest on each database: " + ", ".join(f"`{name}`" for name in present)
               + (". Not in this checkout: " + ", ".join(f"`{n}`" for n in missing) if missing else "") + ".", "",
               "| database | tests | passed | failed | errors | skipped | time |", "|---|---|---|---|---|---|---|")
    for backend in ("SQLite", "PostgreSQL"):
        def run(backend: str = backend) -> None:
            counts = _pytest(present, server_url if backend == "PostgreSQL" else None)
            report.add(f"| {backend} | {counts['tests']} | {counts['passed']} | {counts['failures']} | "
                       f"{counts['errors']} | {counts['skipped']} | {counts['time']:.0f} s |")
            if counts["failures"] or counts["errors"] or not counts["tests"]:
                report.fail(f"fuzz and authorization tests on {backend}: {counts}")

        part(report, f"fuzz and authorization tests on {backend}", run)


def _pytest(files: list[str], database_url: str | None) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k != "TEST_DATABASE_URL"}
    if database_url:
        env["TEST_DATABASE_URL"] = database_url
    with tempfile.TemporaryDirectory() as folder:
        junit = Path(folder) / "junit.xml"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}",
                        *files], cwd=REPO, env=env, check=False)
        suite = ElementTree.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts: dict[str, Any] = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    counts["passed"] = counts["tests"] - counts["failures"] - counts["errors"] - counts["skipped"]
    counts["time"] = float(suite.get("time", 0))
    return counts


def backup_part(report: Report, server_url: str, folder: Path) -> None:
    report.add("", "## (d) Backup under load", "",
               "8 respondents answer; once 20 responses are acknowledged the backup starts while they go on "
               "answering (SQLite: the app's `flask backup`, SQLite's online backup API; PostgreSQL: `pg_dump "
               "--format=custom`, as the README says), and they answer until 10 more are acknowledged after it. "
               "The backup is then restored into a new database (SQLite: the file put in place, then `flask db "
               "upgrade`; PostgreSQL: `pg_restore` into an empty database), served by gunicorn, and answered once.",
               "", "| database | method | acknowledged before the backup | of them in the restored copy | "
               "acknowledged while it ran | backup time | restored copy: responses of the run | integrity | "
               "restored copy serves the survey |", "|---|---|---|---|---|---|---|---|---|")
    for backend in ("SQLite", "PostgreSQL"):
        def run(backend: str = backend) -> None:
            with database(backend, server_url) as url:
                site = prepare_surveyapp(folder / f"backup-{backend}", url)
                result = backup_under_load(site, folder / f"backup-{backend}" / "backup")
            print("   " + result.describe(), flush=True)
            report.add(_backup_row(result))
            if not result.ok:
                report.fail(f"backup under load on {backend}: {result.describe()}")

        part(report, f"backup under load on {backend}", run)


def _backup_row(result: BackupUnderLoad) -> str:
    stored = result.restored
    assert stored is not None
    present = stored.acknowledged - len(stored.lost)
    return (f"| {result.backend} | {result.method} | {result.before} | {present} (lost {len(stored.lost)}, "
            f"twice {len(stored.duplicated)}) | {result.during} | {result.seconds:.1f} s | {result.restored_total} | "
            f"{result.integrity} | {'yes' if result.serves else 'NO'} |")


# --------------------------------------------------------------------------- the document


def document(report: Report, args: argparse.Namespace) -> str:
    finished = datetime.now(UTC)
    verdict = ("**All parts passed.**" if not report.failures else
               "**Failed:**\n\n" + "\n".join(f"- {failure}" for failure in report.failures))
    head = [
        "# Reliability",
        "",
        "Generated by `make reliability` (`tests/reliability/harness.py`); do not edit by hand. A smoke-sized "
        "version of each part runs with the test suite (`tests/reliability/test_smoke.py`).",
        "",
        f"Run {report.started:%Y-%m-%d %H:%M} to {finished:%H:%M} UTC on a machine with {os.cpu_count()} CPUs, "
        f"shared with other work: load average {report.load_before:.1f} at the start, "
        f"{os.getloadavg()[0]:.1f} at the end. Client and servers on the same machine. Options: "
        f"`--rounds {args.rounds} --load-seconds {args.load_seconds:g}`.",
        "",
        verdict,
    ]
    return "\n".join(head + report.lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="kill -9 rounds per database (default 20)")
    parser.add_argument("--load-seconds", type=float, default=5.0, help="seconds per load run (default 5)")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        wrapper = str(REPO / "tools" / "with-postgres")
        os.execv(wrapper, [wrapper, sys.executable, "-m", "tests.reliability.harness", *sys.argv[1:]])  # noqa: S606
    report = Report(datetime.now(UTC), os.getloadavg()[0])
    folder = Path(tempfile.mkdtemp(prefix="surveyapp-reliability-"))
    try:
        load_part(report, server_url, args.load_seconds, folder)
        kill_part(report, server_url, args.rounds, folder)
        tests_part(report, server_url)
        backup_part(report, server_url, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    args.output.write_text(document(report, args), encoding="utf-8")
    print(f"wrote {args.output}; " + ("all parts passed" if not report.failures else
                                      f"{len(report.failures)} failed:\n  " + "\n  ".join(report.failures)))
    sys.exit(1 if report.failures else 0)


if __name__ == "__main__":
    main()
