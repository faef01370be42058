"""Starting the app (every ``flask`` command, every worker) loads no library that only some
pages or commands need, and a command loads none of the views: a command serves no request, and
those imports took longer than the rest of start-up together. The views are registered when the
URL map is first needed, and every page and ``url_for`` still works."""

from __future__ import annotations

import gc
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask, url_for

from surveyapp.extensions import db
from surveyapp.models import MODEL_MODULES
from surveyapp.startup import importing
from tests.conftest import login, make_app

ROOT = Path(__file__).resolve().parents[2]
SLOW_TO_IMPORT = ("numpy", "scipy", "openpyxl", "xlsxwriter", "PIL", "babel.messages.frontend", "phonenumbers",
                  "alembic", "flask_migrate", "limits", "sqlalchemy", "flask_sqlalchemy")
# The app's own modules that a command needs only when it uses them.
DEFERRED = ("surveyapp.results", "surveyapp.exports", "surveyapp.stats", "surveyapp.surveys.services",
            "surveyapp.surveys.definitions", "surveyapp.auth.services", "surveyapp.auth.cli",
            "surveyapp.demo", "surveyapp.invitations.cli", "surveyapp.kiosk.services")
VIEW_MODULES = tuple(
    "surveyapp." + ".".join(path.relative_to(ROOT / "surveyapp").with_suffix("").parts)
    for path in sorted((ROOT / "surveyapp").rglob("*views.py"))
)


def _loaded_after(tmp_path: Path, code: str) -> list[str]:
    """The modules of SLOW_TO_IMPORT, DEFERRED, MODEL_MODULES and VIEW_MODULES loaded after creating the app
    (as ``flask --app wsgi`` does) and running ``code``."""
    watched = SLOW_TO_IMPORT + DEFERRED + MODEL_MODULES + VIEW_MODULES
    script = (
        "import sys\n"
        "from surveyapp import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/start.sqlite3', 'INSTANCE_PATH': r'{tmp_path}',"
        " 'SECRET_KEY': 'k' * 40})\n"
        f"{code}\n"
        f"print(' '.join(m for m in {watched!r} if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True,
                            check=True, timeout=120)
    return result.stdout.split()


def test_every_module_that_defines_tables_is_listed_for_autogenerate() -> None:
    defining = {
        "surveyapp." + ".".join(path.relative_to(ROOT / "surveyapp").with_suffix("").parts)
        for path in (ROOT / "surveyapp").rglob("*.py")
        if re.search(r"^class \w+\(db\.Model\)", path.read_text("utf-8"), re.MULTILINE)
    }
    assert defining == set(MODEL_MODULES)


def test_the_watched_view_modules_exist() -> None:
    assert "surveyapp.staff.views" in VIEW_MODULES and "surveyapp.respond.views" in VIEW_MODULES
    assert len(VIEW_MODULES) >= 10


def test_a_command_starts_without_the_slow_libraries_or_the_views(tmp_path: Path) -> None:
    assert _loaded_after(tmp_path, "") == []


def test_the_command_list_loads_no_command_module(tmp_path: Path) -> None:
    code = "import click\nwith click.Context(app.cli) as ctx: app.cli.list_commands(ctx)"
    assert _loaded_after(tmp_path, code) == []


def test_the_help_of_every_command_group_needs_no_database(tmp_path: Path) -> None:
    groups = ("surveys", "staff", "demo", "invitations", "results", "i18n")
    code = ("runner = app.test_cli_runner()\n"
            f"for group in {groups!r}:\n"
            "    result = runner.invoke(args=[group, '--help'])\n"
            "    assert result.exit_code == 0 and 'Commands:' in result.output, group\n")
    loaded = _loaded_after(tmp_path, code)
    assert set(loaded) & set(SLOW_TO_IMPORT + MODEL_MODULES + VIEW_MODULES) == set()


def test_knowing_every_table_imports_no_export_or_definition_code(tmp_path: Path) -> None:
    """Every command that queries imports all the models (SQLAlchemy sets them up together):
    the modules that define tables leave what only their use cases need until then."""
    code = ("from surveyapp.extensions import database\n"
            "from surveyapp.models import import_all_models\n"
            "with app.app_context():\n"
            "    database()\n"
            "    import_all_models()\n")
    loaded = set(_loaded_after(tmp_path, code))
    assert set(MODEL_MODULES) | {"sqlalchemy"} <= loaded
    assert loaded & {"surveyapp.surveys.services", "surveyapp.surveys.definitions", "openpyxl", "xlsxwriter",
                     "numpy", "scipy"} == set()


def test_reading_the_url_map_registers_the_views(tmp_path: Path) -> None:
    code = "rules = list(app.url_map.iter_rules())"
    loaded = _loaded_after(tmp_path, code)
    assert set(VIEW_MODULES) <= set(loaded)


def test_commands_list_every_group_and_run_the_deferred_ones(bare_app: Flask) -> None:
    runner = bare_app.test_cli_runner()
    listing = runner.invoke(args=["--help"]).output
    for name, help_text in (("db", "Perform database migrations."), ("staff", "Manage staff accounts."),
                            ("demo", "Generate synthetic demo data."), ("invitations", "Invitation waves")):
        assert any(line.split()[:1] == [name] and help_text in line for line in listing.splitlines()), name
    staff = runner.invoke(args=["staff", "--help"])
    assert staff.exit_code == 0 and "create" in staff.output
    assert bare_app.views_pending  # type: ignore[attr-defined]  # no command above needed them
    assert "migrate" not in bare_app.extensions  # set up by the first ``db`` command
    assert runner.invoke(args=["db", "heads"]).exit_code == 0  # (Alembic prints past the runner)
    assert "migrate" in bare_app.extensions
    unknown = runner.invoke(args=["db", "no-such-command"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_a_command_line_run_of_a_command_imports_no_view(migrated_database: str, tmp_path: Path) -> None:
    app = make_app(migrated_database, tmp_path)
    env = dict(os.environ, SURVEYAPP_DATABASE_URL=app.config["DATABASE_URL"],
               SURVEYAPP_SECRET_KEY="k" * 40)
    env.pop("FLASK_APP", None)
    watched = VIEW_MODULES + ("alembic",)
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(lambda: print('LOADED', *[m for m in {watched!r} if m in sys.modules]))\n"
            "sys.argv = ['flask', '--app', 'wsgi', 'staff', 'list']\n"
            "runpy.run_module('flask', run_name='__main__')\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "LOADED"


def test_an_app_without_server_name_serves_pages_and_builds_urls(migrated_database: str, tmp_path: Path) -> None:
    app = make_app(migrated_database, tmp_path, SERVER_NAME=None)
    client = app.test_client()
    assert client.get("/staff/login").headers["Location"] == "/staff/setup"  # no account yet
    login(client, app, "admin")
    assert client.get("/staff/").status_code == 200
    missing = client.get("/staff/surveys/no-such-survey")  # UnknownSurvey: the friendly 404 page
    assert missing.status_code == 404 and "<html" in missing.get_data(as_text=True)
    with app.test_request_context():
        assert url_for("staff.dashboard") == "/staff/"
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_server_gets_the_views_before_its_first_request(tmp_path: Path) -> None:
    env = dict(os.environ, SURVEYAPP_DATABASE_URL=f"sqlite:///{tmp_path}/served.sqlite3",
               SURVEYAPP_SECRET_KEY="k" * 40)
    env.pop("FLASK_RUN_FROM_CLI", None)
    code = ("import sys, wsgi\n"
            "print('surveyapp.staff.views' in sys.modules, not wsgi.app.views_pending,"
            " 'sqlalchemy' in wsgi.app.extensions)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.split() == ["True", "True", "True"]  # views, and the database bound


def test_a_server_keeps_what_it_made_at_start_up_out_of_the_collectors_passes(tmp_path: Path) -> None:
    """A served process (and a command) moves what it made at start-up out of the collector's
    way, and its collector runs again afterwards: requests still have their garbage collected."""
    env = dict(os.environ, SURVEYAPP_DATABASE_URL=f"sqlite:///{tmp_path}/served.sqlite3",
               SURVEYAPP_SECRET_KEY="k" * 40)
    env.pop("FLASK_RUN_FROM_CLI", None)
    code = ("import gc, sqlalchemy, wsgi\n"
            "from surveyapp.respond.models import Response\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 50_000, len(gc.get_objects()) < 5_000,"
            " sqlalchemy.inspect(Response).configured)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=True)
    assert result.stdout.split() == ["True", "True", "True", "True"]


def test_the_collector_is_paused_only_while_the_app_is_built(migrated_database: str, tmp_path: Path) -> None:
    """Building the app, making the database extension and registering the views pause the
    cyclic garbage collector; it runs again after each, after a failure too, and a collector
    that was paused by someone else stays paused."""
    assert gc.isenabled()
    app = make_app(migrated_database, tmp_path)
    assert gc.isenabled()
    app.load_views()
    assert gc.isenabled()
    with importing():
        assert not gc.isenabled()
        with importing():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still imports
    assert gc.isenabled()
    with pytest.raises(RuntimeError), importing():
        raise RuntimeError("an import failed")
    assert gc.isenabled()
    gc.disable()
    try:
        with importing():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert gc.get_freeze_count() == 0  # a test process builds many apps: nothing is kept for good
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_apps_made_before_the_database_extension_are_bound_to_it_at_its_first_use(
        migrated_database: str, tmp_path: Path) -> None:
    """In a fresh process no app has the database until something uses it: a first request
    (its views use it), or a command's first query; an app made afterwards is bound at once."""
    code = (
        "import sys\n"
        "from surveyapp import create_app\n"
        "def make(name):\n"
        f"    return create_app({{'DATABASE_URL': {migrated_database!r}, 'SECRET_KEY': 'k' * 40,\n"
        f"                       'INSTANCE_PATH': r'{tmp_path}/' + name, 'SERVER_NAME': 'survey.test'}})\n"
        "served, command = make('served'), make('command')\n"
        "print('sqlalchemy' in sys.modules)\n"
        "print(served.test_client().get('/').status_code)\n"  # lists the surveys open now
        "from surveyapp.extensions import db\n"
        "from surveyapp.surveys.models import Survey\n"
        "with command.app_context():\n"
        "    print(db.session.query(Survey).count())\n"
        "later = make('later')\n"
        "print('sqlalchemy' in later.extensions)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "200", "0", "True"]


def test_a_thread_that_needs_the_url_map_while_the_views_are_registered_waits_for_all_of_them() -> None:
    import threading
    import time

    from surveyapp.deferred import SurveyFlask

    app = SurveyFlask("waiting")
    started = threading.Event()

    def register(target: Flask) -> None:
        target.add_url_rule("/one", "one", lambda: "1")
        started.set()
        time.sleep(0.3)  # another request arrives in the middle of the registration
        target.add_url_rule("/two", "two", lambda: "2")

    app.defer_views(register)
    seen: list[set[str]] = []
    loader = threading.Thread(target=app.load_views)
    loader.start()
    started.wait(5)
    seen.append({rule.endpoint for rule in app.url_map.iter_rules()})
    loader.join()
    assert {"one", "two"} <= seen[0]
    assert not app.views_pending


def test_a_command_line_run_that_writes_knows_every_table_it_refers_to(migrated_database: str, tmp_path: Path) -> None:
    """A command imports only the models it uses, yet its flush needs every table their foreign
    keys name: loading the built-in surveys writes audit entries, whose user is a staff row."""
    app = make_app(migrated_database, tmp_path)
    env = dict(os.environ, SURVEYAPP_DATABASE_URL=app.config["DATABASE_URL"],
               SURVEYAPP_SECRET_KEY="k" * 40)
    env.pop("FLASK_APP", None)
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "surveys", "load", "--builtin",
                             "--open"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "counter: open at /s/" in result.stdout
    with app.app_context():
        assert db.session.execute(db.text("SELECT count(*) FROM surveys")).scalar() == 5
