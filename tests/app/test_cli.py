"""flask surveys load/export and flask staff create; a command on a database never set up."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp import create_app
from surveyapp.auth.models import StaffUser
from surveyapp.extensions import db
from surveyapp.surveys.definitions import builtin_paths, loads_definition
from surveyapp.surveys.services import get_survey
from tests.conftest import PG_URL

ROOT = Path(__file__).resolve().parents[2]


def test_load_is_idempotent_and_a_change_makes_a_new_version(app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["surveys", "load", "--builtin"])
    assert "counter: unchanged (version 1)" in result.output
    source = next(p for p in builtin_paths() if p.name == "counter.toml").read_text("utf-8")
    changed = tmp_path / "counter.toml"
    changed.write_text(source.replace('title.ja = "市役所窓口', 'title.ja = "各務原市役所窓口', 1), encoding="utf-8")
    result = runner.invoke(args=["surveys", "load", str(changed)])
    assert result.exit_code == 0, result.output
    assert "counter: new version (version 2)" in result.output
    with app.app_context():
        assert [v.number for v in get_survey("counter").versions] == [1, 2]


def test_export_writes_back_a_loadable_definition(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["surveys", "export", "digital-services"])
    assert result.exit_code == 0
    defn = loads_definition(result.output, "exported")
    assert defn.key == "digital-services"
    assert defn.kpis[0].baseline_value == 0.284


def test_invalid_definition_names_file_and_key(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('format = 1\nkey = "bad"\ntitel = "x"\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "load", str(bad)])
    assert result.exit_code == 1
    assert "bad.toml" in result.output and "titel" in result.output


def test_staff_create_reads_the_password_from_stdin(app: Flask) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["staff", "create", "Kato@City.example.jp", "--role", "analyst",
                                 "--password-stdin"], input="a very long password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(sa.select(StaffUser))
        assert user is not None and user.email == "kato@city.example.jp"
        assert "a very long password" not in user.password_hash
    short = runner.invoke(args=["staff", "create", "b@city.example.jp", "--role", "analyst",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "12 characters" in short.output


def test_demo_data_with_one_seed_for_several_surveys_and_years(app: Flask) -> None:
    runner = app.test_cli_runner()
    for args in (["--survey", "counter"], ["--survey", "digital-services"],
                 ["--survey", "counter", "--fiscal-year", "2025"]):
        result = runner.invoke(args=["demo", "responses", "--count", "20", "--seed", "7", *args])
        assert result.exit_code == 0, result.output
        assert "stored 20 demo responses" in result.output
    again = runner.invoke(args=["demo", "responses", "--survey", "counter", "--count", "20",
                                "--seed", "7"])
    assert "stored 0 demo responses" in again.output


def test_purge_flows_deletes_only_abandoned_partial_answers(app: Flask) -> None:
    from datetime import timedelta

    from surveyapp.respond.models import RespondentFlow
    from surveyapp.respond.services import new_flow, save_page_answers
    from surveyapp.timeutil import utcnow

    with app.app_context():
        survey = get_survey("counter")
        link, version = survey.links[0], survey.current_version
        assert version is not None
        old, fresh = new_flow(link, version.id), new_flow(link, version.id)
        save_page_answers(old, {"counter_satisfaction": "satisfied"}, ["counter_satisfaction"])
        save_page_answers(fresh, {"counter_satisfaction": "dissatisfied"}, ["counter_satisfaction"])
        old.updated_at = utcnow() - timedelta(days=8)
        db.session.commit()
        fresh_id = fresh.id
    result = app.test_cli_runner().invoke(args=["purge-flows", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 " in result.output
    with app.app_context():
        assert [f.id for f in db.session.scalars(sa.select(RespondentFlow))] == [fresh_id]


def test_backup_copies_the_sqlite_database(app: Flask, tmp_path: Path) -> None:
    from tests.conftest import PG_URL

    target = tmp_path / "copy.sqlite3"
    result = app.test_cli_runner().invoke(args=["backup", "--to", str(target)])
    if PG_URL:
        assert result.exit_code != 0 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    import sqlite3

    with sqlite3.connect(target) as conn:
        assert conn.execute("select count(*) from surveys").fetchone()[0] == 5
    again = app.test_cli_runner().invoke(args=["backup", "--to", str(target)])
    assert again.exit_code != 0 and "exists" in again.output


@pytest.fixture
def never_set_up(tmp_path: Path) -> Iterator[Flask]:
    """An app on a database where no migration ever ran: an empty SQLite file, or on PostgreSQL
    an empty schema (the tables of the test database are in another)."""
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    if PG_URL:
        with sa.create_engine(PG_URL).begin() as connection:
            connection.execute(sa.text("CREATE SCHEMA IF NOT EXISTS never_set_up"))
        url = PG_URL + ("&" if "?" in PG_URL else "?") + "options=-csearch_path%3Dnever_set_up"
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "TESTING": True,
                      "SECRET_KEY": "test-secret-key-" + "x" * 32, "DATABASE_URL": url,
                      "SERVER_NAME": "survey.test"})
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_command_on_a_database_never_set_up_says_what_to_do(never_set_up: Flask) -> None:
    runner = never_set_up.test_cli_runner()
    for args in (["surveys", "list"], ["staff", "list"], ["results", "verify"], ["purge-flows"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "Error: the database has not been set up" in result.output, args
        assert "flask --app wsgi db upgrade" in result.output
        assert "Traceback" not in result.output and "sqlalche.me" not in result.output


def test_the_flask_command_on_an_empty_database_prints_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "SURVEYAPP_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
           "SURVEYAPP_SECRET_KEY": "test-secret-key-" + "x" * 32}
    env.pop("FLASK_APP", None)
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "surveys", "list"],  # noqa: S603
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "Error: the database has not been set up for this version of surveyapp: run "
        "`flask --app wsgi db upgrade` (or `make db`), then try again (no such table: surveys)"]
