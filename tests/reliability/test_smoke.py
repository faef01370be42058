"""The reliability harness at smoke size (the full runs: ``make reliability``, which writes
docs/reliability.md): the load benchmark, one ``kill -9`` of the whole gunicorn under load, and
one backup taken under load, each on SQLite, or on PostgreSQL when ``TEST_DATABASE_URL`` is set.
The fuzz and authorization tests of the harness are ordinary tests of the suite already.

No figure is asserted: only that nothing acknowledged is lost or stored twice, and that no
request fails while the server is up."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

import pytest

from tests.bench.bench_load import measure
from tests.bench.loadrun import Gunicorn, SurveyappSite, postgres_database, prepare_surveyapp, serving
from tests.reliability.scenarios import backup_under_load, kill_rounds

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SurveyappSite]:
    """surveyapp with the reference survey, on a database of its own."""
    folder = tmp_path_factory.mktemp("reliability")
    with postgres_database(PG_URL) if PG_URL else nullcontext(None) as url:
        yield prepare_surveyapp(folder, url)


@pytest.fixture(scope="module")
def server(site: SurveyappSite) -> Iterator[Gunicorn]:
    """One gunicorn for the three tests (each start imports the whole app in both workers)."""
    server = site.server()
    with serving(server):
        yield server


def test_the_load_benchmark_stores_every_acknowledged_response_exactly_once(
        site: SurveyappSite, server: Gunicorn, tmp_path: Path) -> None:
    results = measure([2], 1.0, folder=tmp_path, report=False, warm_up=0, served=(site, server))
    assert {run.app for run, _stored in results} == {"surveyapp", "bare"}
    for run, stored in results:
        assert not run.errors, (run.app, run.errors)
        assert run.completed >= 1 and stored.acknowledged >= run.completed, run.app
        assert stored.ok, (run.app, stored.describe())
        assert stored.stored == stored.acknowledged, (run.app, stored.describe())
        # Where a response's time goes: both sides' CPU is measured for every run.
        client, server_cpu = run.cpu_ms(run.client_cpu), run.cpu_ms(run.server_cpu)
        assert client is not None and client > 0, run.app
        assert server_cpu is not None and server_cpu > 0, run.app


def test_the_guarded_limit_answers_like_a_browser_and_stores_each_response_once(
        site: SurveyappSite, server: Gunicorn, tmp_path: Path) -> None:
    """The second yardstick (``--guarded``) is measured only if it works as a browser expects:
    its CSRF token and session cookie accepted, each response stored once."""
    results = measure([2], 1.0, folder=tmp_path, report=False, warm_up=0, served=(site, server), guarded=True)
    runs = {run.app: (run, stored) for run, stored in results}
    assert set(runs) == {"surveyapp", "bare", "guarded"}
    run, stored = runs["guarded"]
    assert not run.errors, run.errors
    assert run.completed >= 1 and stored.ok and stored.stored == stored.acknowledged, stored.describe()


def test_kill_9_of_the_whole_server_under_load_loses_no_acknowledged_response(
        site: SurveyappSite, server: Gunicorn) -> None:
    result = kill_rounds(site, 1, concurrency=4, before_kill=2, spread=0.3, server=server)
    assert result.stored is not None
    assert result.acknowledged >= 2
    assert result.after is not None and result.after.acknowledged, "the restarted server answers"
    assert result.errors == 0, [run.errors for run in result.rounds]
    assert result.stored.ok, result.describe()


def test_a_backup_taken_under_load_restores_with_every_response_acknowledged_before_it(
        site: SurveyappSite, server: Gunicorn, tmp_path: Path) -> None:
    result = backup_under_load(site, tmp_path, concurrency=4, before=3, after=2, server=server,
                               serve_restored=False)
    assert result.before >= 3
    assert result.restored is not None and result.restored.ok, result.describe()
    assert result.restored_total >= result.before
    assert result.integrity == "ok"
    assert result.serves, result.describe()
    assert result.load is not None and not result.load.errors, result.load.errors
