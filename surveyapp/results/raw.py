"""Anonymised response rows for the raw download (streamed, no personal data), as codes; the
export adds the Japanese labels and the codebook (``exports/raw.py``).

Rows are read in batches of plain tuples on a connection of their own that, on SQLite, opens a
deferred (read-only) transaction — so a long export never holds the write lock respondents need.
Memory stays flat whatever the number of responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ..extensions import db
from ..respond.models import Answer, Response
from ..surveys.definitions import SurveyDef
from ..surveys.models import Link, Survey, SurveyVersion
from ..timeutil import japan_day
from .filters import ALL_RESPONSES, ResultFilter, response_conditions

BATCH = 2000


@dataclass(frozen=True)
class RawColumn:
    key: str
    header: str
    question_key: str
    option_code: str | None  # set for one column per option of a multiple-choice question


def raw_columns(defn: SurveyDef) -> list[RawColumn]:
    """One column per single/text question, one per option of a multiple-choice question."""
    columns: list[RawColumn] = []
    for question in defn.questions:
        if question.type == "multiple":
            columns.extend(RawColumn(f"{question.key}/{o.code}", f"{question.key}/{o.code}",
                                     question.key, o.code) for o in question.options)
        else:
            columns.append(RawColumn(question.key, question.key, question.key, None))
    return columns


FIXED_FIELDS = ("response_id", "submitted_date_jst", "fiscal_year", "channel", "link",
                "survey_version", "response_language")
"""What each row starts with, before one value per :class:`RawColumn`."""

RawValue = str | int | date | None


def raw_rows(survey: Survey, columns: list[RawColumn],
             selection: ResultFilter = ALL_RESPONSES) -> Iterator[list[RawValue]]:
    """Rows by response number (random, so not in the order of submission: :data:`FIXED_FIELDS`,
    then one value per column: an option code, 1/0 per option of a multiple choice, or the
    text), read as plain tuples in batches so memory stays flat."""
    survey_id = survey.id
    labels = dict(db.session.execute(
        db.select(Link.id, Link.label).where(Link.survey_id == survey_id)).all())
    numbers = dict(db.session.execute(
        db.select(SurveyVersion.id, SurveyVersion.number)
        .where(SurveyVersion.survey_id == survey_id)).all())
    conditions = response_conditions(survey_id, selection)
    start = len(FIXED_FIELDS)
    # Where each answer goes: a single/text question's column, or the columns of a multiple
    # choice's options (all 0 once the question has an answer, 1 for each option chosen).
    value_index: dict[str, int] = {}
    option_index: dict[str, dict[str, int]] = {}
    for index, column in enumerate(columns, start=start):
        if column.option_code is None:
            value_index[column.question_key] = index
        else:
            option_index.setdefault(column.question_key, {})[column.option_code] = index
    blank = [None] * len(columns)
    last_id = 0
    with db.engine.connect() as connection:
        connection = connection.execution_options(sqlite_begin="DEFERRED")
        while True:
            batch = connection.execute(
                db.select(Response.id, Response.submitted_at, Response.fiscal_year, Response.channel,
                          Response.link_id, Response.survey_version_id, Response.language)
                .where(*conditions, Response.id > last_id)
                .order_by(Response.id).limit(BATCH)
            ).all()
            if not batch:
                connection.rollback()
                return
            rows: dict[int, list[RawValue]] = {
                response_id: [response_id, japan_day(submitted_at), year, channel,
                              labels.get(link_id) if link_id else None, numbers.get(version_id), language,
                              *blank]
                for response_id, submitted_at, year, channel, link_id, version_id, language in batch
            }
            answers = connection.execute(
                db.select(Answer.response_id, Answer.question_key, Answer.option_code, Answer.text)
                .where(Answer.response_id.between(batch[0][0], batch[-1][0]))
            ).all()
            for response_id, key, code, text in answers:
                row = rows.get(response_id)
                if row is None:  # a response between two of the batch that the filter left out
                    continue
                if text is not None:  # text wins over a code of the same question
                    if key in value_index:
                        row[value_index[key]] = text
                elif code is not None:
                    if key in value_index:
                        index = value_index[key]
                        if row[index] is None:
                            row[index] = code
                    elif (options := option_index.get(key)) is not None:
                        for option in options.values():
                            if row[option] is None:
                                row[option] = 0
                        if code in options:
                            row[options[code]] = 1
            yield from rows.values()
            last_id = batch[-1][0]
