"""Result counts kept with the responses: what is counted, how it moves, how it is checked.

Every change to a response that results can see moves its counts in the same transaction, here
and nowhere else: a new response (:func:`count_response` from ``submit_response``, which
kiosks, paper entry and demo data also go through), a flag cleared or restored
(:func:`count_response` with -1 under the old state and +1 under the new one from
``set_flag``), deleted demo responses (:func:`forget_channel`).  :func:`differences` recomputes
every cell from the raw answers (``flask results verify``); :func:`rebuild` recomputes them all
in one transaction (``flask results rebuild``).

A response adds one to:

* ``response_counts`` — its cell (survey, fiscal year, channel, link or 0, flagged, Japan day)
  with question and option "" (the response itself), and the same cell with each of its
  answers that has an option code;
* ``answer_pair_counts`` — for each ordered pair of its coded answers to two different
  questions, (survey, fiscal year, channel, link or 0, flagged, question, option, group
  question, group option); and, with group question and option "", the cells of
  ``response_counts`` without the day (what results without a date range read).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased

from ..extensions import db
from ..timeutil import japan_day, japan_day_sql
from .models import Answer, AnswerPairCount, Response, ResponseCount

RESPONSE = ""  # question and option of the row that counts the response itself
NO_LINK = 0

CellKey = tuple[Any, ...]
CELL_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "day",
                "question_key", "option_code")
PAIR_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "question_key",
                "option_code", "group_question", "group_option")


@cache
def _upsert_statement(table: sa.Table, columns: tuple[str, ...], dialect: str) -> Any:
    """INSERT … ON CONFLICT DO UPDATE n = n + excluded.n, built once per table and dialect
    (building ``excluded`` copies every column: it cost more than running the statement)."""
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table)
    elif dialect == "sqlite":
        statement = sqlite.insert(table)
    else:
        raise NotImplementedError(dialect)
    return statement.on_conflict_do_update(index_elements=list(columns),
                                           set_={"n": table.c.n + statement.excluded.n})


def _upsert(model: Any, columns: tuple[str, ...], counts: Counter[CellKey]) -> None:
    # In key order, so that concurrent transactions lock the rows they share in one order.
    rows = [dict(zip(columns, key, strict=True), n=n) for key, n in sorted(counts.items()) if n]
    if not rows:
        return
    # One statement for every row (executemany): compiled once, then taken from the cache.
    statement = _upsert_statement(model.__table__, columns, db.session.get_bind().dialect.name)
    db.session.execute(statement, rows)


def response_cells(response: Response) -> tuple[Counter[CellKey], Counter[CellKey]]:
    """The cells of ``response_counts`` and ``answer_pair_counts`` one response adds one to."""
    base = (response.survey_id, response.fiscal_year, response.channel,
            response.link_id or NO_LINK, bool(response.flagged))
    day = japan_day(response.submitted_at)
    coded = [(a.question_key, a.option_code) for a in response.answers if a.option_code is not None]
    cells: Counter[CellKey] = Counter([(*base, day, RESPONSE, RESPONSE)])
    cells.update((*base, day, key, code) for key, code in coded)
    pairs: Counter[CellKey] = Counter(
        (*base, key, code, group, option)
        for key, code in coded for group, option in coded if group != key)
    pairs.update((*base, key, code, RESPONSE, RESPONSE) for key, code in [(RESPONSE, RESPONSE), *coded])
    return cells, pairs


def count_response(response: Response, sign: int = 1) -> None:
    """Add (sign 1) or take away (sign -1) one response's counts; in the caller's transaction.

    Call it with the response as results see it: after its answers and flag are set, and
    (when taking it away) before they change.
    """
    cells, pairs = response_cells(response)
    _upsert(ResponseCount, CELL_COLUMNS, Counter({k: sign * n for k, n in cells.items()}))
    _upsert(AnswerPairCount, PAIR_COLUMNS, Counter({k: sign * n for k, n in pairs.items()}))


def forget_channel(survey_id: int, channel: str) -> None:
    """Drop the counts of every response of a survey in one channel (they are being deleted)."""
    for model in (ResponseCount, AnswerPairCount):
        db.session.execute(sa.delete(model).where(model.survey_id == survey_id,
                                                  model.channel == channel))


def _expected_selects() -> tuple[Any, Any]:
    """SELECTs that recompute both tables from responses and answers (columns in table order)."""
    r = Response
    link = sa.func.coalesce(r.link_id, NO_LINK)
    day = japan_day_sql(r.submitted_at, db.session.get_bind().dialect.name)
    base = (r.survey_id, r.fiscal_year, r.channel, link, r.flagged)
    own = sa.select(*base, day, sa.literal(RESPONSE), sa.literal(RESPONSE), sa.func.count()) \
        .group_by(*base, day)
    a, b = aliased(Answer), aliased(Answer)
    answered = (sa.select(*base, day, a.question_key, a.option_code, sa.func.count())
                .join(a, a.response_id == r.id).where(a.option_code.is_not(None))
                .group_by(*base, day, a.question_key, a.option_code))
    pairs = (sa.select(*base, a.question_key, a.option_code, b.question_key, b.option_code,
                       sa.func.count())
             .join(a, a.response_id == r.id)
             .join(b, sa.and_(b.response_id == r.id, b.question_key != a.question_key))
             .where(a.option_code.is_not(None), b.option_code.is_not(None))
             .group_by(*base, a.question_key, a.option_code, b.question_key, b.option_code))
    undated = [sa.select(*base, sa.literal(RESPONSE), sa.literal(RESPONSE), sa.literal(RESPONSE),
                         sa.literal(RESPONSE), sa.func.count()).group_by(*base),
               sa.select(*base, a.question_key, a.option_code, sa.literal(RESPONSE),
                         sa.literal(RESPONSE), sa.func.count())
               .join(a, a.response_id == r.id).where(a.option_code.is_not(None))
               .group_by(*base, a.question_key, a.option_code)]
    return (sa.union_all(own, answered).subquery().select(),
            sa.union_all(pairs, *undated).subquery().select())


def _as_cells(rows: Iterable[Any], *, with_day: bool) -> dict[CellKey, int]:
    cells: dict[CellKey, int] = {}
    for row in rows:
        key = list(row[:-1])
        key[3] = int(key[3])
        key[4] = bool(key[4])
        if with_day and isinstance(key[5], str):
            key[5] = date.fromisoformat(key[5])
        if row[-1]:
            cells[tuple(key)] = int(row[-1])
    return cells


def _stored(model: Any, columns: tuple[str, ...]) -> dict[CellKey, int]:
    table = model.__table__
    return _as_cells(db.session.execute(sa.select(*(table.c[c] for c in columns), table.c.n)),
                     with_day="day" in columns)


def differences() -> list[tuple[str, CellKey, int, int]]:
    """Every cell whose kept count differs from the raw answers: (table, cell, kept, actual)."""
    own, pairs = _expected_selects()
    found: list[tuple[str, CellKey, int, int]] = []
    for model, columns, query in ((ResponseCount, CELL_COLUMNS, own),
                                  (AnswerPairCount, PAIR_COLUMNS, pairs)):
        kept = _stored(model, columns)
        actual = _as_cells(db.session.execute(query), with_day="day" in columns)
        for key in sorted(kept.keys() | actual.keys(), key=repr):
            if kept.get(key, 0) != actual.get(key, 0):
                found.append((model.__tablename__, key, kept.get(key, 0), actual.get(key, 0)))
    return found


def rebuild() -> None:
    """Recompute both tables from the raw answers; commit (one transaction)."""
    own, pairs = _expected_selects()
    db.session.execute(sa.delete(ResponseCount))
    db.session.execute(sa.delete(AnswerPairCount))
    db.session.execute(sa.insert(ResponseCount).from_select([*CELL_COLUMNS, "n"], own))
    db.session.execute(sa.insert(AnswerPairCount).from_select([*PAIR_COLUMNS, "n"], pairs))
    db.session.commit()
