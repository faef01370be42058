"""Load runs, shared by the load benchmark (``bench_load.py``) and the reliability harness
(``tests/reliability/``): surveyapp and the bare reference app served by gunicorn, a client that
answers the survey the way a browser does, and the check that every acknowledged response is
stored exactly once.

The client: one ``httpx.AsyncClient`` per simulated respondent (its own cookie jar, cleared
before each response, so every response is a new respondent). It opens the survey link, finds the
page's form (the POST form with the most fields), fills it in as a person would (one option of
every radio group and checkbox group, the first option of every select, hidden fields and
prefilled values as they are — the CSRF token and the response id among them — and a marker in
every free-text box; empty text inputs stay empty), presses the form's default button (the
first submit button), follows the redirect and repeats until a page has no form. Nothing about
surveyapp's URLs or field names is built in: only the link and what the thank-you page's path
looks like.

Each response comes from an address of its own (``X-Forwarded-For``, which the served surveyapp
is set to believe from one proxy), as residents answering on their own phones do: limits and
checks per address see what they would see in production, not one client answering hundreds of
times.

A response counts as *acknowledged* when the server answered its last POST with a redirect to the
thank-you page (the server's promise that it is stored), and as *completed* when the thank-you
page arrived (responses per second count those). The marker in the free text, unique per
response, is how the check finds each one in the database afterwards.
"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ANCHOR = HERE / "fixtures" / "load-anchor.toml"
ANCHOR_KEY = "load-anchor"
SURVEYAPP_WSGI = "tests.bench.served:app"
BARE_WSGI = "tests.bench.bare:app"
GUARDED_WSGI = "tests.bench.bare_guarded:app"
WORKERS = 2
START_TIMEOUT = 180.0  # a busy machine imports numpy/scipy slowly
REQUEST_TIMEOUT = 60.0
MAX_STEPS = 12  # pages of one response before the client gives up
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded"}


# --------------------------------------------------------------------------- the form of a page


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)
    textareas: list[str] = field(default_factory=list)
    buttons: list[tuple[str | None, str]] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.fields) + len(self.radios) + len(self.checkboxes) + len(self.selects) + len(self.textareas)

    def fill(self, marker: str, rng: random.Random) -> list[tuple[str, str]]:
        """What a browser sends once a person has answered everything and pressed the default button."""
        data = list(self.fields)
        data += [(name, rng.choice(values)) for name, values in self.radios.items()]
        data += [(name, rng.choice(values)) for name, values in self.checkboxes.items()]
        data += [(name, next((v for v in values if v), values[0])) for name, values in self.selects.items()
                 if values]
        data += [(name, marker) for name in self.textareas]
        if self.buttons and self.buttons[0][0]:
            name, value = self.buttons[0]
            data.append((name or "", value))
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "image"):
                form.buttons.append((name, a.get("value", "")))
            elif not name or kind in ("button", "reset", "file"):
                return
            elif kind == "radio":
                form.radios.setdefault(name, []).append(a.get("value", "on"))
            elif kind == "checkbox":
                form.checkboxes.setdefault(name, []).append(a.get("value", "on"))
            else:
                form.fields.append((name, a.get("value", "")))
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            form.textareas.append(name)
        elif tag == "select" and name:
            self._select = name
            form.selects[name] = []
        elif tag == "option" and self._select is not None:
            form.selects[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def main_form(html: str) -> Form | None:
    """The page's form to answer: the POST form with the most fields (None: no form to send)."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    forms = [form for form in parser.forms if form.method == "post"]
    return max(forms, key=lambda form: form.size) if forms else None


# --------------------------------------------------------------------------- answering


@dataclass(frozen=True)
class Target:
    """An app as served: where its survey starts and what its thank-you page's path looks like."""

    name: str
    base_url: str
    start_path: str
    thanks: re.Pattern[str]


class Rejected(Exception):
    """A step of a response did not go the way it goes for a person in a browser."""


async def answer_once(client: httpx.AsyncClient, target: Target, marker: str, rng: random.Random,
                      acknowledged: set[str], address: str = "10.0.0.1") -> None:
    """One response from the survey link to the thank-you page, by a new respondent at ``address``."""
    client.cookies.clear()
    client.headers["X-Forwarded-For"] = address
    response = await client.get(target.base_url + target.start_path, follow_redirects=True)
    for _step in range(MAX_STEPS):
        _expect_ok(response)
        form = main_form(response.text)
        if form is None:
            break
        action = urljoin(str(response.url), form.action) if form.action else str(response.url)
        response = await client.post(action, content=urlencode(form.fill(marker, rng)), headers=FORM_HEADERS)
        if response.is_redirect:
            location = urljoin(action, response.headers["location"])
            if target.thanks.search(urlsplit(location).path):
                acknowledged.add(marker)
            response = await client.get(location, follow_redirects=True)
    else:
        raise Rejected(f"no thank-you page after {MAX_STEPS} pages")
    if not target.thanks.search(response.url.path):
        raise Rejected(f"ended on a page without a form: {_shape(response.url.path)}")


def _expect_ok(response: httpx.Response) -> None:
    if response.status_code != 200:
        raise Rejected(f"{response.request.method} {_shape(response.url.path)}: {response.status_code}")


def _shape(path: str) -> str:
    """A path with its link code and numbers generalised, so errors group by kind."""
    return re.sub(r"^/s/[^/]+", "/s/<code>", re.sub(r"/\d+", "/<n>", path))


@dataclass
class LoadRun:
    """What one load run did, as the client saw it."""

    app: str
    concurrency: int
    prefix: str
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: set[str] = field(default_factory=set)
    started: int = 0
    cut_off: int = 0  # responses under way when the server was killed (not errors)
    client_cpu: float | None = None  # CPU seconds of the load client during the run
    server_cpu: float | None = None  # CPU seconds of the gunicorn master and its workers

    def cpu_ms(self, seconds: float | None) -> float | None:
        """CPU milliseconds per complete response."""
        return seconds / self.completed * 1000 if seconds is not None and self.completed else None

    @property
    def completed(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    def percentile_ms(self, q: int) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0] * 1000
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000


class Control:
    """Handed to a ``during`` coroutine: the run so far, and a way to end it."""

    def __init__(self, run: LoadRun) -> None:
        self.run = run
        self.stopped = asyncio.Event()
        self.interrupted = False

    def stop(self) -> None:
        """No new responses; those under way are finished."""
        self.stopped.set()

    def interrupt(self) -> None:
        """The server was just killed: responses under way fail, and are counted as cut off."""
        self.interrupted = True
        self.stopped.set()

    async def until_acknowledged(self, count: int, timeout: float = 300.0) -> None:
        """Wait until ``count`` responses of this run are acknowledged."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.run.acknowledged) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{len(self.run.acknowledged)} of {count} responses acknowledged "
                                   f"after {timeout:.0f} s; errors: {dict(self.run.errors)}")
            await asyncio.sleep(0.02)


async def load(target: Target, concurrency: int, seconds: float, *,
               during: Callable[[Control], Awaitable[None]] | None = None, seed: int = 1) -> LoadRun:
    """``concurrency`` respondents answering one after the other for ``seconds`` (responses under
    way at the end are finished), or — with ``during`` — until that coroutine returns."""
    run = LoadRun(target.name, concurrency, prefix=f"load-{secrets.token_hex(5)}")
    control = Control(run)
    loop = asyncio.get_running_loop()
    begin = loop.time()

    async def respondent(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        timeout = httpx.Timeout(REQUEST_TIMEOUT)
        async with httpx.AsyncClient(timeout=timeout, headers={"Accept-Language": "ja"}) as client:
            sequence = 0
            while not control.stopped.is_set():
                sequence += 1
                marker = f"{run.prefix}-{number}-{sequence}"
                address = str(ipaddress.IPv4Address(0x0A000000 + run.started % 2**24))
                run.started += 1
                start = time.perf_counter()
                try:
                    await answer_once(client, target, marker, rng, run.acknowledged, address)
                except (Rejected, httpx.HTTPError) as exc:
                    if control.interrupted:
                        run.cut_off += 1
                        break
                    run.errors[str(exc) if isinstance(exc, Rejected) else type(exc).__name__] += 1
                    await asyncio.sleep(0.05)  # a refused connection fails at once
                else:
                    run.latencies.append(time.perf_counter() - start)

    respondents = [asyncio.create_task(respondent(n)) for n in range(concurrency)]
    try:
        if during is None:
            await asyncio.sleep(seconds)
        else:
            await during(control)
    finally:
        control.stop()
        await asyncio.gather(*respondents)
    run.seconds = loop.time() - begin
    return run


def run_load(target: Target, concurrency: int, seconds: float, **options: Any) -> LoadRun:
    """The load run on an event loop of its own thread: the caller's thread may already run one
    (Playwright's sync API does, in a test process that also ran the browser tests)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, load(target, concurrency, seconds, **options)).result()


# --------------------------------------------------------------------------- the exactly-once check


@dataclass
class Stored:
    """Every acknowledged response found exactly once, nothing stored twice."""

    acknowledged: int
    stored: int
    lost: list[str]
    duplicated: dict[str, int]
    unacknowledged: int  # stored although the client never saw the acknowledgement (cut off)

    @property
    def ok(self) -> bool:
        return not self.lost and not self.duplicated

    def describe(self) -> str:
        text = (f"{self.acknowledged} acknowledged, {self.stored} stored, {len(self.lost)} lost, "
                f"{len(self.duplicated)} stored more than once")
        if self.unacknowledged:
            text += f", {self.unacknowledged} stored without acknowledgement (cut off in flight)"
        return text


def compare(acknowledged: set[str], found: Counter[str]) -> Stored:
    return Stored(
        acknowledged=len(acknowledged), stored=sum(found.values()),
        lost=sorted(acknowledged - set(found)),
        duplicated={marker: count for marker, count in found.items() if count > 1},
        unacknowledged=len(set(found) - acknowledged),
    )


def surveyapp_markers(database_url: str, prefix: str) -> Counter[str]:
    """Free-text answers starting with ``prefix`` in surveyapp's database, with their counts."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    from surveyapp.respond.models import Answer, Response
    from surveyapp.surveys.models import Survey

    answers, responses, surveys = Answer.__table__, Response.__table__, Survey.__table__
    query = (sa.select(answers.c.text, sa.func.count())
             .join(responses, responses.c.id == answers.c.response_id)
             .join(surveys, surveys.c.id == responses.c.survey_id)
             .where(surveys.c.key == ANCHOR_KEY, answers.c.text.like(prefix + "%"))
             .group_by(answers.c.text))
    engine = sa.create_engine(database_url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return Counter({text: count for text, count in conn.execute(query)})
    finally:
        engine.dispose()


def bare_markers(path: Path, prefix: str) -> Counter[str]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        rows = conn.execute("SELECT v, count(*) FROM answer WHERE q = 'q5' AND v LIKE ? GROUP BY v", (prefix + "%",))
        return Counter(dict(rows.fetchall()))
    finally:
        conn.close()


# --------------------------------------------------------------------------- serving


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any surveyapp setting, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SURVEYAPP_") and k != "TEST_DATABASE_URL"}
    env.update(extra)
    return env


class Gunicorn:
    """A gunicorn master with its workers (sync, or gthread with ``threads``), in a process group
    of its own (so that one ``kill -9`` of the group ends master and workers at once, as a power
    cut would)."""

    def __init__(self, wsgi: str, env: Mapping[str, str], log: Path, ready_path: str, workers: int = WORKERS,
                 threads: int = 1) -> None:
        self.wsgi = wsgi
        self.env = _clean_environment(env)
        self.log = log
        self.ready_path = ready_path
        self.workers = workers
        self.threads = threads  # more than one: gunicorn's gthread worker class
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = ""

    @property
    def running(self) -> bool:
        return self.process is not None

    def start(self) -> str:
        port = free_port()
        self.base_url = f"http://127.0.0.1:{port}"
        worker_class = ["--worker-class", "gthread", "--threads", str(self.threads)] if self.threads > 1 \
            else ["--worker-class", "sync"]
        command = [sys.executable, "-m", "gunicorn", "--workers", str(self.workers), *worker_class,
                   "--bind", f"127.0.0.1:{port}", "--graceful-timeout", "10", self.wsgi]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        self._wait_ready()
        return self.base_url

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn ({self.wsgi}) exited: {self.log_tail()}")
            with suppress(httpx.HTTPError):
                if httpx.get(self.base_url + self.ready_path, timeout=10).status_code == 200:
                    return
            time.sleep(0.2)
        self.kill()
        raise RuntimeError(f"gunicorn ({self.wsgi}) did not answer within {START_TIMEOUT:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """``kill -9`` of master and workers together; returns once every one of them is gone."""
        if self.process is None:
            return
        group = self.process.pid
        with suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
        self.process.wait()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                os.killpg(group, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.process = None

    def cpu_seconds(self) -> float | None:
        """CPU seconds used so far by the master and its running workers (None: not running)."""
        return cpu_seconds(self.process.pid) if self.process is not None else None

    def stop(self) -> None:
        """gunicorn's quick shutdown (SIGINT to the master; called when no request is under way),
        kill -9 if it takes too long."""
        if self.process is None:
            return
        with suppress(ProcessLookupError):
            self.process.send_signal(signal.SIGINT)
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=30)
        self.kill()


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds used so far by a process and its running children (a gunicorn
    master and its workers), from /proc; None where there is no /proc."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:  # after the command's closing parenthesis: state, parent, ..., utime, stime
            fields = (entry / "stat").read_text(encoding="ascii", errors="replace").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        if int(entry.name) == pid or int(fields[1]) == pid:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@contextmanager
def serving(server: Gunicorn) -> Iterator[str]:
    try:
        yield server.start()
    finally:
        server.stop()


# --------------------------------------------------------------------------- the two apps


@dataclass
class SurveyappSite:
    """surveyapp on its own database, with the reference survey loaded and open."""

    folder: Path
    database_url: str
    code: str
    secret_key: str

    @property
    def instance(self) -> Path:
        return self.folder / "instance"

    def environment(self) -> dict[str, str]:
        return {"LOAD_INSTANCE": str(self.instance), "SURVEYAPP_DATABASE_URL": self.database_url,
                "SURVEYAPP_SECRET_KEY": self.secret_key, "SURVEYAPP_LOG_LEVEL": "WARNING",
                "SURVEYAPP_PROXY_FIX_X_FOR": "1"}

    def server(self, name: str = "surveyapp") -> Gunicorn:
        return Gunicorn(SURVEYAPP_WSGI, self.environment(), self.folder / f"{name}.log", f"/s/{self.code}")

    def target(self, base_url: str) -> Target:
        return Target("surveyapp", base_url, f"/s/{self.code}", re.compile(r"^/s/[^/]+/done$"))

    def markers(self, prefix: str) -> Counter[str]:
        return surveyapp_markers(self.database_url, prefix)

    def app(self) -> Any:
        """The app on this site's database, in this process (for commands and checks)."""
        from surveyapp import create_app

        return create_app({"INSTANCE_PATH": str(self.instance), "DATABASE_URL": self.database_url,
                           "SECRET_KEY": self.secret_key})

    @staticmethod
    def close(app: Any) -> None:
        from surveyapp.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()

    @property
    def backend(self) -> str:
        return "PostgreSQL" if self.database_url.startswith("postgresql") else "SQLite"


def prepare_surveyapp(folder: Path, database_url: str | None = None) -> SurveyappSite:
    """Migrate an empty database (SQLite in ``folder`` unless a URL is given) and load the
    reference survey, open, with a web link."""
    from flask_migrate import upgrade

    from surveyapp.surveys.services import get_survey

    folder.mkdir(parents=True, exist_ok=True)
    url = database_url or f"sqlite:///{folder / 'surveyapp.sqlite3'}"
    secret = secrets.token_urlsafe(48)
    site = SurveyappSite(folder, url, "", secret)
    app = site.app()
    try:
        with app.app_context():
            upgrade()
            result = app.test_cli_runner().invoke(args=["surveys", "load", str(ANCHOR), "--open"])
            if result.exit_code != 0:
                raise RuntimeError(result.output)
            site.code = get_survey(ANCHOR_KEY).links[0].code
    finally:
        site.close(app)
    return site


@dataclass
class BareSite:
    """The bare reference app on its own SQLite file."""

    folder: Path

    @property
    def database(self) -> Path:
        return self.folder / "bare.sqlite3"

    def server(self) -> Gunicorn:
        return Gunicorn(BARE_WSGI, {"BARE_DB": str(self.database)}, self.folder / "bare.log", "/s/bare")

    def target(self, base_url: str) -> Target:
        return Target("bare", base_url, "/s/bare", re.compile(r"^/s/bare/thanks$"))

    def markers(self, prefix: str) -> Counter[str]:
        return bare_markers(self.database, prefix)


@dataclass
class GuardedSite(BareSite):
    """The bare limit with the guarantees' machinery (``bare_guarded.py``), on its own SQLite file."""

    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    def server(self) -> Gunicorn:
        return Gunicorn(GUARDED_WSGI, {"BARE_DB": str(self.database), "BARE_SECRET_KEY": self.secret_key},
                        self.folder / "guarded.log", "/s/bare")

    def target(self, base_url: str) -> Target:
        return Target("guarded", base_url, "/s/bare", re.compile(r"^/s/bare/thanks$"))


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the PostgreSQL server of ``server_url`` (dropped afterwards), so
    a load run never touches the database the URL names."""
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url
    from sqlalchemy.pool import NullPool

    name = f"surveyapp_load_{secrets.token_hex(4)}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"
