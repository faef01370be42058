"""Flask commands: ``flask surveys …``, ``flask staff …``, ``flask i18n …``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from .deferred import DeferredGroup

# Help of the groups that are imported only when they run (their modules import the services).
GROUP_HELP = {
    "staff": "Manage staff accounts.",
    "demo": "Generate synthetic demo data.",
    "invitations": "Invitation waves: one-time codes for a mailed sample.",
    "results": "Check and rebuild the counts results are read from.",
}

surveys_cli = AppGroup("surveys", help="Load, export and open survey definitions.")
i18n_cli = AppGroup("i18n", help="Extract, update and compile translation catalogues.")


@surveys_cli.command("load")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--builtin", is_flag=True, help="Load the city's built-in KPI surveys.")
@click.option("--open", "open_", is_flag=True,
              help="Open each loaded survey that is still a draft, with a web link.")
def load_command(paths: tuple[str, ...], builtin: bool, open_: bool) -> None:
    """Create each survey, or a new version when its content changed (.toml or .xlsx files)."""
    from .surveys.definitions import DefinitionError, builtin_paths
    from .surveys.format.files import read_definition_file
    from .surveys.services import ensure_web_link, load_survey, set_schedule

    files = [Path(p) for p in paths] + (builtin_paths() if builtin else [])
    if not files:
        raise click.UsageError("give definition files or --builtin")
    failed = False
    for path in files:
        try:
            defn = read_definition_file(path)
        except DefinitionError as exc:
            click.echo(str(exc), err=True)
            failed = True
            continue
        result = load_survey(defn)
        state = ("created" if result.created_survey else
                 "new version" if result.created_version else "unchanged")
        click.echo(f"{defn.key}: {state} (version {result.version.number})")
        for warning in result.comparability:
            reasons = ", ".join(r.code + (f" ({r.language})" if r.language else "") for r in warning.reasons)
            click.echo(f"{defn.key}: KPI {warning.kpi} is no longer comparable with earlier years "
                       f"({reasons}); recorded with version {result.version.number}", err=True)
        if open_ and result.survey.status == "draft":
            set_schedule(result.survey, status="open", opens_at=None, closes_at=None,
                         user_id=None)
            link = ensure_web_link(result.survey)
            click.echo(f"{defn.key}: open at /s/{link.code}")
    if failed:
        sys.exit(1)


@surveys_cli.command("export")
@click.argument("key")
@click.option("--format", "fmt", type=click.Choice(["toml", "xlsx"]), default="toml", show_default=True,
              help="TOML text, or an Excel workbook to edit and load back.")
@click.option("--version", "number", type=click.IntRange(1), default=None,
              help="Version number (default: the current version).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write (default: standard output).")
def export_command(key: str, fmt: str, number: int | None, output: str | None) -> None:
    """Write a version of a survey as a definition file (TOML or Excel)."""
    from .surveys.services import UnknownSurvey, export_survey, export_survey_workbook

    try:
        content = (export_survey_workbook(key, number) if fmt == "xlsx"
                   else export_survey(key, number).encode("utf-8"))
    except UnknownSurvey as exc:
        raise click.ClickException(str(exc)) from None
    _write(content, output, binary=fmt == "xlsx")


def _write(content: bytes, output: str | None, *, binary: bool) -> None:
    if output is not None:
        Path(output).write_bytes(content)
        click.echo(f"wrote {output}", err=True)
        return
    stream = sys.stdout.buffer
    if binary and stream.isatty():
        raise click.UsageError("an Excel workbook is not written to a terminal; give --output FILE.xlsx")
    stream.write(content)
    stream.flush()


@surveys_cli.command("schema")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None,
              help="File to write, e.g. docs/survey-schema.json (default: standard output).")
def schema_command(output: str | None) -> None:
    """Write the JSON Schema of definition files (for TOML editors such as Taplo)."""
    from .surveys.format.json_schema import definition_schema_json

    _write(definition_schema_json().encode("utf-8"), output, binary=False)


@surveys_cli.command("workbooks")
@click.argument("directory", type=click.Path(file_okay=False))
def workbooks_command(directory: str) -> None:
    """Write the blank template and the built-in surveys as Excel workbooks into DIRECTORY."""
    from .surveys.definitions import builtin_paths, load_definition
    from .surveys.format.workbook_write import definition_workbook

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    (target / "template.xlsx").write_bytes(definition_workbook(None))
    for path in builtin_paths():
        (target / f"{path.stem}.xlsx").write_bytes(definition_workbook(load_definition(path)))
    click.echo(f"wrote {len(builtin_paths()) + 1} workbooks to {target}")


@surveys_cli.command("list")
def list_command() -> None:
    """List surveys with status, version and links."""
    from .surveys.services import list_surveys

    for survey in list_surveys():
        version = survey.current_version
        number = version.number if version else "-"
        codes = ", ".join(f"{link.code} ({link.channel})" for link in survey.links)
        click.echo(f"{survey.key}\t{survey.status}\tv{number}\t{codes}")


@surveys_cli.command("open")
@click.argument("key")
def open_command(key: str) -> None:
    """Open a survey now (no closing time) and make sure it has a web link."""
    from .surveys.services import UnknownSurvey, ensure_web_link, get_survey, set_schedule

    try:
        survey = get_survey(key)
    except UnknownSurvey as exc:
        raise click.ClickException(str(exc)) from None
    set_schedule(survey, status="open", opens_at=None, closes_at=None, user_id=None)
    link = ensure_web_link(survey)
    click.echo(f"{key}: open at /s/{link.code}")


@click.command("purge-flows")
@with_appcontext
@click.option("--days", type=click.IntRange(1, 365), default=7, show_default=True,
              help="Delete unfinished answers untouched for this many days.")
def purge_flows_command(days: int) -> None:
    """Delete abandoned partial answers and the day-old sources of submissions (stored responses
    are kept). Run daily, e.g. from cron."""
    from datetime import timedelta

    from .respond.services import purge_stale_flows
    from .screening.services import purge_sources
    from .timeutil import utcnow

    count = purge_stale_flows(timedelta(days=days))
    click.echo(f"deleted {count} unfinished answer sets older than {days} days")
    sources = purge_sources(now=utcnow())
    click.echo(f"deleted {sources} submission sources older than one day")


@click.command("backup")
@with_appcontext
@click.option("--to", "target", type=click.Path(dir_okay=False), default=None,
              help="File to write (default: instance/backups/surveyapp-<time>.sqlite3).")
def backup_command(target: str | None) -> None:
    """Copy the SQLite database safely while the app runs (SQLite's online backup API)."""
    from .backup import backup_sqlite

    try:
        path = backup_sqlite(target)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"backup written to {path}")


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    from .i18n_cli import register_i18n_commands

    register_i18n_commands(i18n_cli)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(i18n_cli)
    app.cli.add_command(backup_command)
    app.cli.add_command(purge_flows_command)
    app.cli.add_command(DeferredGroup("staff", _staff_cli, help=GROUP_HELP["staff"]))
    app.cli.add_command(DeferredGroup("demo", _demo_cli, help=GROUP_HELP["demo"]))
    app.cli.add_command(DeferredGroup("invitations", _invitations_cli, help=GROUP_HELP["invitations"]))
    app.cli.add_command(DeferredGroup("results", _results_cli, help=GROUP_HELP["results"]))


def _staff_cli() -> click.Command:
    from .auth.cli import staff_cli

    return staff_cli


def _demo_cli() -> click.Command:
    from .demo_cli import demo_cli

    return demo_cli


def _invitations_cli() -> click.Command:
    from .invitations.cli import invitations_cli

    return invitations_cli


def _results_cli() -> click.Command:
    from .respond.cli import results_cli

    return results_cli
