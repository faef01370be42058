"""``flask invitations …``: codes for a pre-drawn sample, a stratified draw from a frame."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..cli import GROUP_HELP

if TYPE_CHECKING:
    from .waves import CreatedWave, LetterDetails

# Each command imports the services (and the database) when it runs: ``--help`` needs neither.

invitations_cli = AppGroup("invitations", help=GROUP_HELP["invitations"])


def _base_url(option: str | None) -> str:
    base = option or current_app.config.get("BASE_URL")
    if not base:
        raise click.UsageError("the URLs need the public address: set SURVEYAPP_BASE_URL or pass --base-url")
    if not str(base).startswith(("http://", "https://")):
        raise click.UsageError("--base-url must start with http:// or https://")
    return str(base).rstrip("/")


def _open_new(out: str) -> int:
    """Create the output file now (refusing to overwrite: codes cannot be made again)."""
    if Path(out).suffix.lower() not in (".csv", ".xlsx"):
        raise click.UsageError("--out must end in .csv (UTF-8 with BOM) or .xlsx")
    try:
        return os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.UsageError(f"{out} exists; codes are shown once, so no file is overwritten") from None
    except OSError as exc:
        raise click.UsageError(f"cannot create {out}: {exc.strerror}") from None


def _write(fd: int, out: str, created: CreatedWave, base: str) -> None:
    from .mailmerge import merge_csv, merge_xlsx

    with_frame = created.wave.kind == "draw"
    with os.fdopen(fd, "wb") as handle:
        if out.lower().endswith(".xlsx"):
            workbook = merge_xlsx(created.columns, created.invitations, base, with_frame=with_frame)
            with workbook:
                handle.write(workbook.read())
        else:
            handle.write(merge_csv(created.columns, created.invitations, base, with_frame=with_frame))


def _details(deadline: str | None, contact: str | None, minutes: int | None) -> LetterDetails:
    from .waves import LetterDetails

    try:
        due = date.fromisoformat(deadline) if deadline else None
    except ValueError:
        raise click.UsageError("--deadline must be a date like 2026-07-31") from None
    return LetterDetails(sent_on=date.today(), deadline=due, minutes=minutes, contact=contact or "")


def _done(created: CreatedWave, out: str) -> None:
    from .handover import HANDOVER_HOURS

    wave = created.wave
    click.echo(f"{wave.survey.key}: wave {wave.id} 「{wave.label}」 with {wave.invited} invitations")
    click.echo(f"wrote {out} (codes are stored only hashed; keep this file safe)")
    click.echo(f"letters and the mail-merge file can be downloaded again on the wave's page for "
               f"{HANDOVER_HOURS} hours, until the hand-over is confirmed")


_letter_options = [
    click.option("--deadline", default=None, help="Answer deadline printed on the letters (YYYY-MM-DD)."),
    click.option("--contact", default=None, help="Contact (問い合わせ先) printed on the letters."),
    click.option("--minutes", type=click.IntRange(1, 120), default=None, help="Minutes the survey takes."),
    click.option("--base-url", default=None, help="Public address for the URLs (default: BASE_URL)."),
]


def _with_letter_options(command):  # type: ignore[no-untyped-def]
    for option in reversed(_letter_options):
        command = option(command)
    return command


@invitations_cli.command("create")
@click.argument("survey_key")
@click.option("--wave", "label", required=True, help="Name of the wave, e.g. 第1回発送.")
@click.option("--count", type=click.IntRange(1), required=True, help="Number of codes.")
@click.option("--out", required=True, help="Mail-merge file to write (.csv or .xlsx); never overwritten.")
@_with_letter_options
def create_command(survey_key: str, label: str, count: int, out: str, deadline: str | None,
                   contact: str | None, minutes: int | None, base_url: str | None) -> None:
    """Codes only, for a sample drawn elsewhere (the file has serial, code and url)."""
    from ..surveys.services import UnknownSurvey, get_survey
    from .waves import WaveError, create_codes_wave

    base = _base_url(base_url)
    details = _details(deadline, contact, minutes)
    try:
        survey = get_survey(survey_key)
    except UnknownSurvey as exc:
        raise click.ClickException(str(exc)) from None
    fd = _open_new(out)
    try:
        created = create_codes_wave(survey, label=label, count=count, details=details)
    except WaveError as exc:
        os.close(fd)
        os.unlink(out)
        raise click.ClickException(str(exc)) from None
    _write(fd, out, created, base)
    _done(created, out)


@invitations_cli.command("draw")
@click.argument("survey_key")
@click.option("--wave", "label", required=True, help="Name of the wave, e.g. 第1回発送.")
@click.option("--frame", "frame_path", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Sampling frame CSV: frame_id and stratum columns (UTF-8 or CP932).")
@click.option("--n", "n", type=click.IntRange(1), required=True,
              help="Invitations in total (proportional) or per stratum (--allocation fixed).")
@click.option("--by", default=None, help="Stratum columns, comma-separated (default: all but frame_id).")
@click.option("--seed", default=None, help="Seed of the draw (digits; default: a new random one, printed).")
@click.option("--allocation", type=click.Choice(["proportional", "fixed"]), default="proportional",
              show_default=True, help="Proportional (largest remainder) or the same n in every stratum.")
@click.option("--out", required=True, help="Mail-merge file to write (.csv or .xlsx); never overwritten.")
@_with_letter_options
def draw_command(survey_key: str, label: str, frame_path: str, n: int, by: str | None, seed: str | None,
                 allocation: str, out: str, deadline: str | None, contact: str | None,
                 minutes: int | None, base_url: str | None) -> None:
    """Draw a stratified simple random sample from a frame and write its mail-merge file."""
    from ..surveys.services import UnknownSurvey, get_survey
    from .frame import FrameError, parse_frame
    from .waves import DrawPlan, WaveError, create_drawn_wave

    base = _base_url(base_url)
    details = _details(deadline, contact, minutes)
    try:
        survey = get_survey(survey_key)
        columns = [c.strip() for c in by.split(",")] if by is not None else None
        frame = parse_frame(Path(frame_path).read_bytes(), columns)
    except UnknownSurvey as exc:
        raise click.ClickException(str(exc)) from None
    except FrameError as exc:
        for problem in exc.problems:
            where = "".join([_("%(row)s行目", row=problem.row) if problem.row else "",
                             _("「%(column)s」列", column=problem.column) if problem.column else ""])
            click.echo(_("%(where)s：%(message)s", where=where, message=problem.message) if where
                       else problem.message, err=True)
        raise click.ClickException("the frame was not used") from None
    fd = _open_new(out)
    try:
        created = create_drawn_wave(survey, label=label, frame=frame,
                                    plan=DrawPlan(n=n, allocation=allocation, seed=seed), details=details)
    except WaveError as exc:
        os.close(fd)
        os.unlink(out)
        raise click.ClickException(str(exc)) from None
    _write(fd, out, created, base)
    wave = created.wave
    click.echo(f"frame: {frame.rows} rows, {len(frame.strata)} strata by {', '.join(frame.columns) or '-'}; "
               f"SHA-256 {frame.digest}")
    click.echo(f"seed: {wave.seed} ({allocation})")
    for stratum in wave.strata:
        click.echo(f"  {stratum.label(wave.stratum_columns)}: {stratum.invited} of {stratum.frame_count}")
    _done(created, out)


@invitations_cli.command("purge")
def purge_command() -> None:
    """Erase the plain codes of hand-overs that expired (run daily, e.g. from cron)."""
    from .handover import purge_expired_handovers

    count = purge_expired_handovers()
    click.echo(f"erased {count} expired hand-overs")
