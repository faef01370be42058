"""``flask results verify`` and ``flask results rebuild``: check and repair the kept result counts."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..cli import GROUP_HELP

# Each command imports the counts (and the database) when it runs: ``--help`` needs neither.
results_cli = AppGroup("results", help=GROUP_HELP["results"])


@results_cli.command("verify")
def verify_command() -> None:
    """Recompute every count from the raw answers; print each difference; exit 1 if any."""
    from ..extensions import db
    from .counts import differences

    found = differences()
    for table, key, kept, actual in found:
        click.echo(f"{table} {key!r}: kept {kept}, actual {actual}")
    db.session.rollback()
    if found:
        click.echo(f"{len(found)} counts differ from the answers; run `flask results rebuild`")
        sys.exit(1)
    click.echo("every count agrees with the answers")


@results_cli.command("rebuild")
def rebuild_command() -> None:
    """Recompute every count from the raw answers in one transaction."""
    from .counts import rebuild

    rebuild()
    click.echo("counts rebuilt from the answers")
