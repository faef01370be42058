"""``flask demo …``: synthetic responses for trying the result pages out, and their removal.

The commands import the demo module (and with it the database) when they run: ``flask demo
--help`` needs neither.
"""

from __future__ import annotations

import random
import uuid

import click
from flask.cli import AppGroup

from .cli import GROUP_HELP

demo_cli = AppGroup("demo", help=GROUP_HELP["demo"])


@demo_cli.command("responses")
@click.option("--survey", "survey_key", required=True, help="Survey key, e.g. digital-services.")
@click.option("--count", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--fiscal-year", "year", type=click.IntRange(2000, 2100), default=None,
              help="Fiscal year of the submissions (default: the current one).")
def responses_command(survey_key: str, count: int, seed: int, year: int | None) -> None:
    """Store COUNT synthetic responses (channel demo) through the normal submission service."""
    from .demo import demo_answers, demo_language, demo_times
    from .respond.services import ResponseConflict, SurveyNotAccepting, submit_response
    from .surveys.services import UnknownSurvey, get_survey, version_definition

    try:
        survey = get_survey(survey_key)
    except UnknownSurvey as exc:
        raise click.ClickException(str(exc)) from None
    version = survey.current_version
    if version is None:
        raise click.ClickException(f"{survey_key} has no published version")
    defn = version_definition(version)
    # The same survey, seed and year give the same responses (a rerun stores nothing new);
    # other surveys or years never reuse their client ids.
    rng = random.Random(f"{survey_key}:{seed}:{year}")
    stored = 0
    for moment in demo_times(count, year, rng):
        answers = demo_answers(defn, rng)
        client_uuid = uuid.UUID(int=rng.getrandbits(128), version=4)
        try:
            receipt = submit_response(defn=defn, version=version, link=None, channel="demo",
                                      client_uuid=client_uuid, answers=answers, now=moment,
                                      language=demo_language(client_uuid))
        except SurveyNotAccepting:
            raise click.ClickException(
                f"{survey_key} is not accepting responses at {moment:%Y-%m-%d}; open it first "
                "(flask surveys open KEY)") from None
        except ResponseConflict:
            raise click.ClickException(
                f"demo responses of seed {seed} already exist for {survey_key} with other answers "
                "(the survey changed since); use another --seed") from None
        stored += int(receipt.created)
    click.echo(f"{survey_key}: stored {stored} demo responses (seed {seed})")


@demo_cli.command("delete")
@click.option("--survey", "survey_key", required=True, help="Survey key, e.g. digital-services.")
def delete_command(survey_key: str) -> None:
    """Delete the demo responses (channel demo) of a survey; real responses are kept."""
    from .demo import delete_demo_responses
    from .surveys.services import UnknownSurvey, get_survey

    try:
        survey = get_survey(survey_key)
    except UnknownSurvey as exc:
        raise click.ClickException(str(exc)) from None
    deleted = delete_demo_responses(survey)
    click.echo(f"{survey_key}: deleted {deleted} demo responses")
