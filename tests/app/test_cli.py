"""flask surveys load/export and flask staff create."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from flask import Flask

from surveyapp.auth.models import StaffUser
from surveyapp.extensions import db
from surveyapp.surveys.definitions import builtin_paths, loads_definition
from surveyapp.surveys.services import get_survey


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
