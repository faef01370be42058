"""The reliability scenarios, run in full by ``make reliability`` (``harness.py``) and at smoke size
by the test suite: a whole gunicorn killed with ``kill -9`` under load and restarted, and a backup
taken under load and restored. The serving, the client and the exactly-once check are those of
the load benchmark (``tests/bench/loadrun.py``)."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import statistics
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.loadrun import (
    Control,
    Gunicorn,
    LoadRun,
    Stored,
    SurveyappSite,
    compare,
    postgres_database,
    run_load,
    serving,
)

KILL_CONCURRENCY = 8
BACKUP_CONCURRENCY = 8


# --------------------------------------------------------------------------- kill -9


@dataclass
class KillRounds:
    """What ``kill -9`` of the whole gunicorn under load did to the acknowledged responses."""

    backend: str
    rounds: list[LoadRun] = field(default_factory=list)
    restart_seconds: list[float] = field(default_factory=list)
    after: LoadRun | None = None  # the load once the last restart is done
    stored: Stored | None = None  # every run's markers, checked at the end

    @property
    def acknowledged(self) -> int:
        return sum(len(run.acknowledged) for run in self.rounds)

    @property
    def cut_off(self) -> int:
        return sum(run.cut_off for run in self.rounds)

    @property
    def errors(self) -> int:
        """Errors while the server was up (a response cut off by the kill is not one)."""
        return sum(sum(run.errors.values()) for run in [*self.rounds, *([self.after] if self.after else [])])

    @property
    def ok(self) -> bool:
        return self.stored is not None and self.stored.ok and self.errors == 0 and self.after is not None

    def describe(self) -> str:
        restart = (f"restart median {statistics.median(self.restart_seconds):.1f} s, "
                   f"max {max(self.restart_seconds):.1f} s" if self.restart_seconds else "")
        return (f"{self.backend}: {len(self.rounds)} kill -9 rounds, {self.acknowledged} acknowledged before the "
                f"kills, {self.cut_off} cut off in flight, {self.errors} errors; check: "
                f"{self.stored.describe() if self.stored else 'not run'}; {restart}")


def kill_rounds(site: SurveyappSite, rounds: int, *, concurrency: int = KILL_CONCURRENCY,
                before_kill: int = 5, spread: float = 1.0, seed: int = 10,
                server: Gunicorn | None = None) -> KillRounds:
    """``rounds`` times: serve, answer until ``before_kill`` responses are acknowledged, then
    ``kill -9`` master and workers at a random moment within ``spread`` seconds (mid-request,
    mid-transaction) and start again on the same database. At the end, one clean run on the
    restarted server, then every response acknowledged in any round must be stored exactly once.
    A ``server`` given is used (started if need be) and left running."""
    rng = random.Random(seed)
    result = KillRounds(site.backend)
    own = server is None
    server = server or site.server("kill")
    if not server.running:
        server.start()
    try:
        for _round in range(rounds):
            delay = rng.uniform(0, spread)

            async def kill_during(control: Control, delay: float = delay) -> None:
                await control.until_acknowledged(before_kill)
                await asyncio.sleep(delay)
                server.kill()
                control.interrupt()

            result.rounds.append(run_load(site.target(server.base_url), concurrency, 0, during=kill_during,
                                          seed=seed + _round))
            began = time.monotonic()
            server.start()
            result.restart_seconds.append(time.monotonic() - began)

        async def until_served(control: Control) -> None:
            await control.until_acknowledged(before_kill)

        result.after = run_load(site.target(server.base_url), concurrency, 0, during=until_served)
    finally:
        if own:
            server.stop()
    acknowledged: set[str] = set()
    found: Counter[str] = Counter()
    for run in [*result.rounds, result.after]:
        acknowledged |= run.acknowledged
        found.update(site.markers(run.prefix))
    result.stored = compare(acknowledged, found)
    return result


# --------------------------------------------------------------------------- backup under load


@dataclass
class BackupUnderLoad:
    backend: str
    method: str
    before: int = 0  # acknowledged when the backup started
    during: int = 0  # acknowledged while it ran
    seconds: float = 0.0
    restored: Stored | None = None  # the responses acknowledged before the backup, in the restored copy
    restored_total: int = 0  # responses of the run in the restored copy
    serves: bool = False  # the restored copy, served by gunicorn, answers the survey
    integrity: str = ""
    load: LoadRun | None = None

    @property
    def ok(self) -> bool:
        return (self.restored is not None and self.restored.ok and self.serves and self.integrity == "ok"
                and self.load is not None and not self.load.errors)

    def describe(self) -> str:
        return (f"{self.backend} ({self.method}): {self.before} acknowledged before the backup started, "
                f"{self.during} while it ran ({self.seconds:.1f} s); restored copy: "
                f"{self.restored.describe() if self.restored else 'not checked'}, {self.restored_total} of the run "
                f"in it, integrity {self.integrity or 'not checked'}, "
                f"{'serves the survey' if self.serves else 'NOT served'}; "
                f"{sum(self.load.errors.values()) if self.load else '?'} errors under load")


def backup_under_load(site: SurveyappSite, folder: Path, *, concurrency: int = BACKUP_CONCURRENCY,
                      before: int = 20, after: int = 10, server: Gunicorn | None = None,
                      serve_restored: bool = True) -> BackupUnderLoad:
    """Answer until ``before`` responses are acknowledged, take a backup while the answering goes
    on (SQLite: the app's ``flask backup``; PostgreSQL: ``pg_dump``, as the README says), keep
    answering until ``after`` more are acknowledged; then restore the backup into a new database,
    look for every response acknowledged before the backup started and (``serve_restored``) serve
    it with gunicorn and answer once. A ``server`` given is used (started if need be) and left
    running; without ``serve_restored`` the restored copy is opened by the app in this process."""
    folder.mkdir(parents=True, exist_ok=True)
    postgres = site.database_url.startswith("postgresql")
    result = BackupUnderLoad(site.backend, "pg_dump" if postgres else "flask backup")
    dump = folder / ("backup.dump" if postgres else "backup.sqlite3")
    acknowledged_before: set[str] = set()

    async def backup_during(control: Control) -> None:
        await control.until_acknowledged(before)
        acknowledged_before.update(control.run.acknowledged)
        began = time.monotonic()
        await asyncio.to_thread(pg_dump if postgres else flask_backup, site, dump)
        result.seconds = time.monotonic() - began
        result.during = len(control.run.acknowledged) - len(acknowledged_before)
        await control.until_acknowledged(len(control.run.acknowledged) + after)

    own = server is None
    server = server or site.server("backup")
    if not server.running:
        server.start()
    try:
        result.load = run_load(site.target(server.base_url), concurrency, 0, during=backup_during)
    finally:
        if own:
            server.stop()
    result.before = len(acknowledged_before)
    with _restored(site, dump, folder / "restored") as restored:
        result.integrity = _integrity(restored)
        found = restored.markers(result.load.prefix)
        result.restored_total = sum(found.values())
        # Only what was acknowledged before the backup began must be in it (more may be).
        result.restored = compare(acknowledged_before, Counter({m: c for m, c in found.items()
                                                                  if m in acknowledged_before or c > 1}))

        if serve_restored:
            result.serves = _serves(restored)
        else:
            result.serves = _opens(restored)
    return result


def _serves(site: SurveyappSite) -> bool:
    """Served by gunicorn, the survey takes a response, stored once."""

    async def one_response(control: Control) -> None:
        await control.until_acknowledged(1)

    with serving(site.server("restored")) as base_url:
        check = run_load(site.target(base_url), 1, 0, during=one_response)
    return not check.errors and compare(check.acknowledged, site.markers(check.prefix)).ok


def _opens(site: SurveyappSite) -> bool:
    """The app, in this process, opens the restored database and renders the survey's first page."""
    app = site.app()
    try:
        return app.test_client().get(f"/s/{site.code}").status_code == 200
    finally:
        site.close(app)


def flask_backup(site: SurveyappSite, target: Path) -> None:
    """The operator's command, ``flask backup --to FILE``, on the live database (run by the app
    in this process: a new process would spend seconds importing what this one has)."""
    app = site.app()
    try:
        result = app.test_cli_runner().invoke(args=["backup", "--to", str(target)])
    finally:
        site.close(app)
    if result.exit_code != 0:
        raise RuntimeError(f"flask backup failed: {result.output}")


def _libpq_url(database_url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def postgres_tool(name: str) -> str:
    """A PostgreSQL client program: on the PATH, else Debian's server package folder."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if not candidates:
        raise FileNotFoundError(f"{name} not found (install PostgreSQL's client programs)")
    return str(candidates[-1])


def pg_dump(site: SurveyappSite, target: Path) -> None:
    subprocess.run([postgres_tool("pg_dump"), "--format=custom", "--file", str(target), _libpq_url(site.database_url)],
                   check=True, capture_output=True, timeout=600)
    target.chmod(0o600)  # as confidential as the database


@contextmanager
def _restored(site: SurveyappSite, dump: Path, folder: Path) -> Iterator[SurveyappSite]:
    """The backup restored the way an operator would: the SQLite file put in place of the
    database (then ``flask db upgrade``, a no-op at the same version), or ``pg_restore`` into a
    new, empty PostgreSQL database."""
    folder.mkdir(parents=True, exist_ok=True)
    if site.database_url.startswith("postgresql"):
        with postgres_database(site.database_url) as url:
            subprocess.run([postgres_tool("pg_restore"), "--no-owner", "--exit-on-error", "--dbname",
                            _libpq_url(url), str(dump)], check=True, capture_output=True, timeout=600)
            yield _migrated(SurveyappSite(folder, url, site.code, site.secret_key))
        return
    database = folder / "surveyapp.sqlite3"
    shutil.copyfile(dump, database)
    database.chmod(0o600)
    yield _migrated(SurveyappSite(folder, f"sqlite:///{database}", site.code, site.secret_key))


def _migrated(site: SurveyappSite) -> SurveyappSite:
    """``flask db upgrade`` on the restored database (a no-op at the same version, as it should be)."""
    from flask_migrate import upgrade

    app = site.app()
    try:
        with app.app_context():
            upgrade()
    finally:
        site.close(app)
    return site


def _integrity(site: SurveyappSite) -> str:
    """SQLite's own integrity check of the restored file; PostgreSQL: pg_restore succeeded."""
    if site.database_url.startswith("postgresql"):
        return "ok"
    conn = sqlite3.connect(site.database_url.removeprefix("sqlite:///"))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()
