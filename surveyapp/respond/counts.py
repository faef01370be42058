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
  ``response_counts`` without the day (what results without a date range read);
* ``profile_counts``, ``profile_day_counts`` and ``profile_month_counts`` (the same per Japan
  day and per calendar month of the day) — its cell
  (survey, fiscal year, channel, link or 0, flagged) with its *profile*, the answers to its
  version's profile questions (:func:`profile_questions`: the demographic ones, then the other
  single-choice questions that are not a KPI's, e.g. ``age_band=70_over;gender=;area=naka;``,
  empty when not answered), with question and option "" and with each coded answer to a
  question that is not one of them.  A breakdown under a date range and/or "only those who
  answered X" reads these (a date range: its whole months from the month cells, the days at
  either end from the day cells): one row per response and table, plus one per other coded
  answer, whatever the number of questions.  The profile says which questions its version
  had, so a later version with others cannot be misread: a cell without the question asked
  for makes results run the raw query.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased, outerjoin

from ..extensions import db
from ..surveys.format.model import QuestionDef, SurveyDef
from ..surveys.format.schema import DEMOGRAPHIC_CHOICES
from ..surveys.models import SurveyVersion
from ..surveys.services import VersionAtLink, version_definition
from ..timeutil import japan_day, japan_day_sql
from .models import Answer, AnswerPairCount, ProfileCount, ProfileDayCount, ProfileMonthCount, Response, ResponseCount

RESPONSE = ""  # question and option of the row that counts the response itself
NO_LINK = 0

CellKey = tuple[Any, ...]
CELL_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "day",
                "question_key", "option_code")
PAIR_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "question_key",
                "option_code", "group_question", "group_option")
PROFILE_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "profile",
                   "question_key", "option_code")
DAY_PROFILE_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "day", "profile",
                       "question_key", "option_code")
MONTH_PROFILE_COLUMNS = ("survey_id", "fiscal_year", "channel", "link_id", "flagged", "month", "profile",
                         "question_key", "option_code")
DEMOGRAPHIC_KINDS = DEMOGRAPHIC_CHOICES.codes  # the order of the demographic questions in a profile
PROFILE_LENGTH = 400  # the size of the profile column
_PROFILE_KEYS: dict[str, tuple[str, ...]] = {}  # content hash of a version: its profile's question keys


@dataclass(frozen=True)
class _Upsert:
    """A count table's upsert as the database driver's SQL, with how to pass a cell to it."""

    sql: str
    order: tuple[int, ...] | None  # positions of the cell's values in the parameters (None: named)
    names: tuple[str, ...]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # the column types' conversions

    def parameters(self, rows: list[tuple[Any, ...]]) -> list[Any]:
        converted = []
        for row in rows:
            values = list(row)
            for i, convert in self.processors:
                values[i] = convert(values[i])
            converted.append(values)
        if self.order is None:
            return [dict(zip(self.names, row, strict=True)) for row in converted]
        return [tuple(row[i] for i in self.order) for row in converted]


_UPSERTS: dict[tuple[str, str], _Upsert] = {}  # (table, dialect), compiled once


def _upsert_sql(model: Any, columns: tuple[str, ...]) -> _Upsert:
    """``INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n`` for a count table."""
    dialect = db.session.get_bind().dialect
    found = _UPSERTS.get((model.__tablename__, dialect.name))
    if found is None:
        table = model.__table__
        if dialect.name == "postgresql":
            insert: Any = postgresql.insert(table)
        elif dialect.name == "sqlite":
            insert = sqlite.insert(table)
        else:
            raise NotImplementedError(dialect.name)
        names = (*columns, "n")
        statement = insert.values({name: sa.bindparam(name) for name in names}).on_conflict_do_update(
            index_elements=list(columns), set_={"n": table.c.n + insert.excluded.n})
        compiled = statement.compile(dialect=dialect)
        order = (tuple(names.index(name) for name in compiled.positiontup)
                 if compiled.positional and compiled.positiontup else None)
        processors = tuple((i, convert) for i, name in enumerate(names)
                           if (convert := table.c[name].type.bind_processor(dialect)) is not None)
        found = _UPSERTS[(model.__tablename__, dialect.name)] = _Upsert(str(compiled), order, names,
                                                                         processors)
    return found


def _upsert(model: Any, columns: tuple[str, ...], counts: Counter[CellKey]) -> None:
    # In key order, so that concurrent transactions lock the rows they share in one order.
    rows = [(*key, n) for key, n in sorted(counts.items()) if n]
    if not rows:
        return
    # One statement for every row (the driver's executemany) on the session's connection, in
    # its transaction; compiled once per table (compiling it, or even building ``excluded``,
    # costs more than running it).
    upsert = _upsert_sql(model, columns)
    db.session.connection().exec_driver_sql(upsert.sql, upsert.parameters(rows))


def profile_keys(version: SurveyVersion | VersionAtLink) -> tuple[str, ...]:
    """The keys of a version's profile questions (see :func:`profile_questions`)."""
    keys = _PROFILE_KEYS.get(version.content_hash)
    if keys is None:
        keys = _PROFILE_KEYS[version.content_hash] = profile_questions(version_definition(version))
    return keys


def profile_questions(defn: SurveyDef) -> tuple[str, ...]:
    """The questions whose answers make a response's profile, in the profile's order: the
    demographic ones in the order of :data:`DEMOGRAPHIC_KINDS`, then every other single-choice
    question that is not a KPI's own, in the definition's order, as long as the longest profile
    still fits :data:`PROFILE_LENGTH` (a question that would not fit is left out, and a filter on
    it runs the raw query).  The migration that filled the profile cells applies the same rule
    to the stored questions."""
    declared = {q.demographic: q for q in defn.questions if q.demographic is not None}
    chosen = [declared[kind] for kind in DEMOGRAPHIC_KINDS if kind in declared]
    kpi_questions = {kpi.question for kpi in defn.kpis}
    length = sum(_longest_part(q) for q in chosen)
    for question in defn.questions:
        if question.type == "single" and question.demographic is None and question.key not in kpi_questions \
                and length + _longest_part(question) <= PROFILE_LENGTH:
            chosen.append(question)
            length += _longest_part(question)
    return tuple(q.key for q in chosen)


def _longest_part(question: QuestionDef) -> int:
    """The length of the longest ``key=option;`` a question adds to a profile."""
    return len(question.key) + 2 + max((len(option.code) for option in question.options), default=0)


def response_cells(response: Response, keys: tuple[str, ...] | None = None) -> tuple[Counter[CellKey], ...]:
    """The cells of each table of :data:`TABLES` one response adds one to (in that order);
    ``keys``: its version's :func:`profile_keys`, when the caller has them at hand."""
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
    if keys is None:
        version = db.session.get(SurveyVersion, response.survey_version_id)
        assert version is not None
        keys = profile_keys(version)
    answered = dict(coded)
    profile = "".join(f"{key}={answered.get(key, '')};" for key in keys)
    own = [(RESPONSE, RESPONSE), *((key, code) for key, code in coded if key not in keys)]
    profiles: Counter[CellKey] = Counter((*base, profile, key, code) for key, code in own)
    days: Counter[CellKey] = Counter((*base, day, profile, key, code) for key, code in own)
    month = day.replace(day=1)
    months: Counter[CellKey] = Counter((*base, month, profile, key, code) for key, code in own)
    return cells, pairs, profiles, days, months


TABLES: tuple[tuple[Any, tuple[str, ...]], ...] = (
    (ResponseCount, CELL_COLUMNS), (AnswerPairCount, PAIR_COLUMNS), (ProfileCount, PROFILE_COLUMNS),
    (ProfileDayCount, DAY_PROFILE_COLUMNS), (ProfileMonthCount, MONTH_PROFILE_COLUMNS))


def count_response(response: Response, sign: int = 1, *, keys: tuple[str, ...] | None = None) -> None:
    """Add (sign 1) or take away (sign -1) one response's counts; in the caller's transaction.

    Call it with the response as results see it: after its answers and flag are set, and
    (when taking it away) before they change.
    """
    for (model, columns), cells in zip(TABLES, response_cells(response, keys), strict=True):
        _upsert(model, columns, Counter({k: sign * n for k, n in cells.items()}))


def forget_channel(survey_id: int, channel: str) -> None:
    """Drop the counts of every response of a survey in one channel (they are being deleted)."""
    for model, _columns in TABLES:
        db.session.execute(sa.delete(model).where(model.survey_id == survey_id,
                                                  model.channel == channel))


def _expected_selects() -> tuple[Any, ...]:
    """SELECTs that recompute each table of :data:`TABLES` from responses and answers (columns
    in its order)."""
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
            sa.union_all(pairs, *undated).subquery().select(),
            _profile_select(base), _profile_select((*base, day)),
            _profile_select((*base, _month_sql(day))))


def _month_sql(day: Any) -> Any:
    """The first day of the month of a date expression."""
    if db.session.get_bind().dialect.name == "sqlite":
        return sa.func.date(day, sa.literal_column("'start of month'"))
    return sa.cast(sa.func.date_trunc("month", day), sa.Date)


def _profile_select(base: tuple[Any, ...]) -> Any:
    """The profile cells of every response, per ``base`` columns (and the day or month): for
    each version its profile questions' answers joined to its responses (a version's questions
    are known here, so the profile is a fixed expression per version), summed over versions."""
    r = Response
    parts = []
    for version in db.session.scalars(sa.select(SurveyVersion).order_by(SurveyVersion.id)):
        keys = profile_keys(version)
        joined: Any = r
        profile: Any = sa.literal("")
        for key in keys:
            answer = aliased(Answer)
            joined = outerjoin(joined, answer, sa.and_(answer.response_id == r.id, answer.question_key == key))
            profile = profile + f"{key}=" + sa.func.coalesce(answer.option_code, "") + ";"
        # The profile of each response in a subquery, so that the groups below name a column.
        profiles = sa.select(r.id.label("response_id"), profile.label("profile")) \
            .select_from(joined).where(r.survey_version_id == version.id).subquery()
        with_profile = sa.join(r, profiles, profiles.c.response_id == r.id)
        parts.append(sa.select(*base, profiles.c.profile, sa.literal(RESPONSE), sa.literal(RESPONSE),
                               sa.func.count()).select_from(with_profile).group_by(*base, profiles.c.profile))
        a = aliased(Answer)
        parts.append(sa.select(*base, profiles.c.profile, a.question_key, a.option_code, sa.func.count())
                     .select_from(with_profile).join(a, a.response_id == r.id)
                     .where(a.option_code.is_not(None), a.question_key.not_in(keys))
                     .group_by(*base, profiles.c.profile, a.question_key, a.option_code))
    if not parts:  # no survey yet: no rows, of the right columns
        parts.append(sa.select(*base, sa.literal(""), sa.literal(RESPONSE), sa.literal(RESPONSE),
                               sa.func.count()).where(sa.false()).group_by(*base))
    cells = sa.union_all(*parts).subquery()
    columns = list(cells.c)
    return sa.select(*columns[:-1], sa.func.sum(columns[-1])).group_by(*columns[:-1])


def _as_cells(rows: Iterable[Any], *, with_day: bool) -> dict[CellKey, int]:
    """{cell: n} of rows (key..., n), without the cells at 0."""
    return {row[:-1]: int(row[-1]) for row in _as_keys(rows, with_day=with_day) if row[-1]}


def _dated(columns: tuple[str, ...]) -> bool:
    return "day" in columns or "month" in columns


def _stored(model: Any, columns: tuple[str, ...]) -> dict[CellKey, int]:
    table = model.__table__
    return _as_cells(db.session.execute(sa.select(*(table.c[c] for c in columns), table.c.n)),
                     with_day=_dated(columns))


def differences() -> list[tuple[str, CellKey, int, int]]:
    """Every cell whose kept count differs from the raw answers: (table, cell, kept, actual).

    The database compares them: the kept cells and the recomputed ones in one UNION ALL,
    summed per cell, and only the cells whose sums differ come back — so the memory it takes
    does not grow with the number of cells (a million responses make about half a million)."""
    found: list[tuple[str, CellKey, int, int]] = []
    for (model, columns), query in zip(TABLES, _expected_selects(), strict=True):
        table = model.__table__
        expected = list(query.subquery().c)
        both = sa.union_all(
            sa.select(*(table.c[c] for c in columns), table.c.n.label("kept"),
                      sa.literal(0).label("actual")),
            sa.select(*expected[:-1], sa.literal(0), expected[-1])).subquery()
        key, kept, actual = list(both.c)[:-2], both.c.kept, both.c.actual
        rows = db.session.execute(sa.select(*key, sa.func.sum(kept), sa.func.sum(actual))
                                  .group_by(*key).having(sa.func.sum(kept) != sa.func.sum(actual)))
        cells = [(*row[:-2], int(row[-2]), int(row[-1])) for row in rows]
        for cell in sorted(_as_keys(cells, with_day=_dated(columns)), key=repr):
            found.append((model.__tablename__, cell[:-2], cell[-2], cell[-1]))
    return found


def _as_keys(rows: Iterable[tuple[Any, ...]], *, with_day: bool) -> list[tuple[Any, ...]]:
    """Rows that start with a cell's key, with the key's values as the Python types of the
    tables (SQLite gives the day as text and the flag as a number)."""
    keys = []
    for row in rows:
        key = list(row)
        key[3] = int(key[3])
        key[4] = bool(key[4])
        if with_day and isinstance(key[5], str):  # the day or month of SQLite's date()
            key[5] = date.fromisoformat(key[5])
        keys.append(tuple(key))
    return keys


def rebuild() -> None:
    """Recompute every table from the raw answers; commit (one transaction)."""
    for model, _columns in TABLES:
        db.session.execute(sa.delete(model))
    for (model, columns), query in zip(TABLES, _expected_selects(), strict=True):
        db.session.execute(sa.insert(model).from_select([*columns, "n"], query))
    db.session.commit()
