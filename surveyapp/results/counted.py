"""Counts read from the tables kept with the responses (see :mod:`surveyapp.respond.counts`)
instead of a GROUP BY over every answer: the same numbers, in milliseconds at any size.
Without a date range they come from ``answer_pair_counts`` (no day: a few hundred rows per
survey); with one, from ``response_counts`` (per Japan day).  A breakdown under a date range
and/or "only those who answered X" comes from the profile cells (``profile_day_counts`` with a
date range, ``profile_counts`` without), as do the KPI's own numbers under both a date range and
"only those who answered X".

Each function returns exactly what its raw query in kpis.py / breakdowns.py / overview.py /
demo.py returns, or None when the kept cells cannot answer the filter and the caller must run
the raw query.  They cannot answer:

* ``invited_only`` (the invitation stratum is not a dimension of the cells);
* under a date range and/or "only those who answered X": a breakdown by, or "only those who
  answered X" about, a question that is not in the profiles of the cells read (a KPI's own
  question, a question left out because the profile would not fit its column, a question the
  version that counted the cell did not have: see ``respond.counts.profile_questions``);
* "only those who answered X" about the KPI's own question.

The KPI question and a breakdown question are single-choice (at most one answer per
response), which lets "no answer" be the responses of the cell minus those with an answer.
``RESULTS_FROM_COUNTS = False`` in the configuration makes every result use the raw queries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import func

from ..extensions import db
from ..respond.counts import RESPONSE
from ..respond.models import AnswerPairCount, ProfileCount, ProfileDayCount, ProfileMonthCount, ResponseCount
from ..surveys.models import Survey
from .filters import DEMO_CHANNEL, FilterColumns, ResultFilter, filter_conditions

ByYear = dict[int, dict[tuple[str, str | None], int]]


def enabled() -> bool:
    return bool(current_app.config.get("RESULTS_FROM_COUNTS", True))


def _real_cells(survey_id: int) -> Any:
    """SQL: the survey has a response that is not demo data (any state, any year)."""
    cells = db.aliased(AnswerPairCount)
    return sa.exists().where(
        cells.survey_id == survey_id, cells.question_key == RESPONSE, cells.group_question == RESPONSE,
        cells.channel != DEMO_CHANNEL, cells.n > 0)


def _columns(model: Any) -> FilterColumns:
    """A count table's columns for :func:`filters.filter_conditions` (dates only with a day)."""
    def days(first: date | None, last: date | None) -> list[Any]:
        return ([model.day >= first] if first is not None else []) + \
            ([model.day <= last] if last is not None else [])

    return FilterColumns(survey_id=model.survey_id, channel=model.channel, flagged=model.flagged,
                         link_id=model.link_id, real_responses=_real_cells,
                         days=days if hasattr(model, "day") else None, invited=None)


def _conditions(model: Any, survey_id: int, selection: ResultFilter, *,
                fiscal_year: int | None) -> list[Any] | None:
    """The WHERE conditions on a count table for a filter (None if it cannot express it), but
    "only those who answered X" (the callers read pair or profile cells for it)."""
    conditions: list[Any] | None = filter_conditions(_columns(model), survey_id, selection)
    if conditions is not None and fiscal_year is not None:
        conditions.append(model.fiscal_year == fiscal_year)
    return conditions


def _dated(selection: ResultFilter) -> bool:
    return selection.date_from is not None or selection.date_to is not None


def _singles(survey_id: int, selection: ResultFilter, *,
             fiscal_year: int | None) -> tuple[Any, list[Any]] | None:
    """The table and conditions for counts of responses and of single answers: the cells
    without the day unless the filter has a date range."""
    if _dated(selection):
        where = _conditions(ResponseCount, survey_id, selection, fiscal_year=fiscal_year)
        return None if where is None else (ResponseCount, where)
    where = _conditions(AnswerPairCount, survey_id, selection, fiscal_year=fiscal_year)
    if where is None:
        return None
    return AnswerPairCount, where + [AnswerPairCount.group_question == RESPONSE,
                                     AnswerPairCount.group_option == RESPONSE]


def _grouped(model: Any, conditions: list[Any], *columns: Any) -> dict[Any, int]:
    rows = db.session.execute(db.select(*columns, func.sum(model.n)).where(*conditions)
                              .group_by(*columns))
    return {tuple(row[:-1]) if len(row) > 2 else row[0]: int(row[-1]) for row in rows}


def _group_selected(selection: ResultFilter) -> bool:
    return selection.group_question is not None and selection.group_option is not None


def kpi_counts(survey_id: int, question_key: str, selection: ResultFilter, *,
               fiscal_year: int | None = None) -> ByYear | None:
    """{fiscal year: {(channel, option code or None): responses}}, as the first half of
    ``kpis.kpi_and_flagged_counts``."""
    if _group_selected(selection) and selection.group_question == question_key:
        return None
    if _group_selected(selection) and _dated(selection):
        rows = _profile_rows(survey_id, question_key, selection, fiscal_year=fiscal_year, per_channel=True)
        if rows is None:
            return None
        coded_cells: dict[Any, int] = defaultdict(int)  # (year, channel, option)
        total_cells: dict[Any, int] = defaultdict(int)  # (year, channel)
        for year, channel, _answers, key, code, n in rows:
            if key == RESPONSE:
                total_cells[(year, channel)] += n
            else:
                coded_cells[(year, channel, code)] += n
        return _by_year(coded_cells, total_cells)
    singles = _singles(survey_id, selection, fiscal_year=fiscal_year)
    if singles is None:
        return None
    model, where = singles
    if _group_selected(selection):
        pair_where = _conditions(AnswerPairCount, survey_id, selection, fiscal_year=fiscal_year)
        if pair_where is None:
            return None
        coded = _grouped(AnswerPairCount, pair_where + [
            AnswerPairCount.question_key == question_key,
            AnswerPairCount.group_question == selection.group_question,
            AnswerPairCount.group_option == selection.group_option],
            AnswerPairCount.fiscal_year, AnswerPairCount.channel, AnswerPairCount.option_code)
        whole = [model.question_key == selection.group_question,
                 model.option_code == selection.group_option]
    else:
        coded = _grouped(model, where + [model.question_key == question_key],
                         model.fiscal_year, model.channel, model.option_code)
        whole = [model.question_key == RESPONSE]
    totals = _grouped(model, where + whole, model.fiscal_year, model.channel)
    return _by_year(coded, totals)


def _by_year(coded: Mapping[tuple[int, str, str], int], totals: Mapping[tuple[int, str], int]) -> ByYear:
    """The counts by year from the answers to the KPI and the responses, per year and channel."""
    counts: ByYear = defaultdict(dict)
    answered: dict[tuple[int, str], int] = defaultdict(int)
    for (year, channel, code), n in coded.items():
        if n:
            counts[year][(channel, code)] = n
            answered[(year, channel)] += n
    for (year, channel), n in totals.items():
        if n - answered[(year, channel)]:
            counts[year][(channel, None)] = n - answered[(year, channel)]
    return counts


def flagged_counts(survey_id: int, selection: ResultFilter, *,
                   fiscal_year: int | None = None) -> dict[int, int] | None:
    """{fiscal year: flagged responses the filter leaves out}, as the second half of
    ``kpis.kpi_and_flagged_counts`` (called with ``include_flagged`` already set)."""
    singles = _singles(survey_id, selection, fiscal_year=fiscal_year)
    if singles is None:
        return None
    model, where = singles
    if _group_selected(selection):
        where += [model.question_key == selection.group_question,
                  model.option_code == selection.group_option]
    else:
        where.append(model.question_key == RESPONSE)
    years = _grouped(model, where + [model.flagged.is_(True)], model.fiscal_year)
    return {year: n for year, n in years.items() if n}


def breakdown_rows(survey_id: int, question_key: str, group_key: str, fiscal_year: int,
                   selection: ResultFilter) -> list[tuple[str | None, str | None, int]] | None:
    """(group option or None, KPI option or None, responses) of a breakdown by a question, as
    the GROUP BY in ``breakdowns.kpi_breakdown``."""
    if group_key == question_key:
        return None
    if _group_selected(selection) or _dated(selection):
        if selection.group_question == question_key:
            return None
        return _profile_breakdown(survey_id, question_key, group_key, fiscal_year, selection)
    where = _conditions(AnswerPairCount, survey_id, selection, fiscal_year=fiscal_year)
    if where is None:
        return None
    cells = AnswerPairCount
    pairs = _grouped(cells, where + [cells.question_key == question_key,
                                     cells.group_question == group_key],
                     cells.group_option, cells.option_code)
    singles = _grouped(cells, where + [
        cells.question_key.in_((RESPONSE, question_key, group_key)),
        cells.group_question == RESPONSE], cells.question_key, cells.option_code)
    kpi = {code: n for (key, code), n in singles.items() if key == question_key}
    group = {code: n for (key, code), n in singles.items() if key == group_key}
    total = singles.get((RESPONSE, RESPONSE), 0)
    rows: dict[tuple[str | None, str | None], int] = defaultdict(int)
    for (option, code), n in pairs.items():
        rows[(option, code)] += n
        rows[(option, None)] -= n
        rows[(None, code)] -= n
        rows[(None, None)] += n
    for option, n in group.items():
        rows[(option, None)] += n
        rows[(None, None)] -= n
    for code, n in kpi.items():
        rows[(None, code)] += n
        rows[(None, None)] -= n
    rows[(None, None)] += total
    return [(option, code, n) for (option, code), n in rows.items() if n]


@lru_cache(maxsize=4096)
def _answers_of(profile: str) -> Mapping[str, str | None]:
    """{profile question key: option code or None (not answered)} of a kept profile."""
    answers: dict[str, str | None] = {}
    for part in profile.split(";")[:-1]:
        key, _equals, code = part.partition("=")
        answers[key] = code or None
    return answers


# (fiscal year, channel, profile answers, question, option, responses); year and channel
# are None when not asked for
ProfileRow = tuple[int | None, str | None, Mapping[str, str | None], str, str, int]


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


Span = tuple[Any, Any, date | None, date | None]  # a count table, its date column, from, to


def _spans(first: date | None, last: date | None) -> list[Span]:
    """(table, its date column, from, to) that together cover the days from ``first`` to
    ``last`` (None: unbounded) once each: the whole months in the range from the month cells,
    the days at either end from the day cells."""
    months, days = ProfileMonthCount, ProfileDayCount
    low = first if first is None or first.day == 1 else _next_month(first)  # first whole month
    high = None if last is None else (last.replace(day=1) if _next_month(last) == last + timedelta(days=1)
                                      else (last.replace(day=1) - timedelta(days=1)).replace(day=1))
    if low is not None and high is not None and low > high:
        return [(days, days.day, first, last)]
    spans: list[Span] = [(months, months.month, low, high)]
    if first is not None and low is not None and first < low:
        spans.append((days, days.day, first, low - timedelta(days=1)))
    if last is not None and high is not None and last >= _next_month(high):
        spans.append((days, days.day, _next_month(high), last))
    return spans


def _profile_rows(survey_id: int, question_key: str, selection: ResultFilter, *,
                  fiscal_year: int | None, by: str | None = None,
                  per_channel: bool = False) -> list[ProfileRow] | None:
    """The responses the filter keeps (question "") and their answers to ``question_key``,
    per profile (and per fiscal year and channel if ``per_channel``), from the profile cells
    (per month and day with a date range); None when these cannot answer: a cell
    whose profile lacks the filter's group question or ``by``, or has ``question_key`` (its
    answers are then only in the profile)."""
    spans: list[Span] = [(ProfileCount, None, None, None)]
    if _dated(selection):
        spans = _spans(selection.date_from, selection.date_to)
    undated = replace(selection, date_from=None, date_to=None)
    group = selection.group_question if _group_selected(selection) else None
    needed = [key for key in (group, by) if key is not None]
    summed: dict[tuple[Any, ...], int] = defaultdict(int)
    for model, column, low, high in spans:
        where = _conditions(model, survey_id, undated, fiscal_year=fiscal_year)
        if where is None:
            return None
        if low is not None:
            where.append(column >= low)
        if high is not None:
            where.append(column <= high)
        columns = (*((model.fiscal_year, model.channel) if per_channel else ()),
                   model.profile, model.question_key, model.option_code)
        # On the session's connection: plain rows, without the ORM's loading (thousands of rows).
        for *cell, n in db.session.connection().execute(
                sa.select(*columns, func.sum(model.n))
                .where(*where, model.question_key.in_({RESPONSE, question_key})).group_by(*columns)):
            summed[tuple(cell) if per_channel else (None, None, *cell)] += n
    kept: list[ProfileRow] = []
    for (year, channel, profile, key, code), n in summed.items():
        if not n:
            continue
        answers = _answers_of(profile)
        if question_key in answers or any(k not in answers for k in needed):
            return None
        if group is None or answers[group] == selection.group_option:
            kept.append((year, channel, answers, key, code, int(n)))
    return kept


def _profile_breakdown(survey_id: int, question_key: str, group_key: str, fiscal_year: int,
                       selection: ResultFilter) -> list[tuple[str | None, str | None, int]] | None:
    """:func:`breakdown_rows` from the profile cells (a date range or a group filter)."""
    found = _profile_rows(survey_id, question_key, selection, fiscal_year=fiscal_year, by=group_key)
    if found is None:
        return None
    rows: dict[tuple[str | None, str | None], int] = defaultdict(int)
    for _year, _channel, answers, key, code, n in found:
        option = answers[group_key]
        if key == RESPONSE:
            rows[(option, None)] += n
        else:
            rows[(option, code)] += n
            rows[(option, None)] -= n
    return [(option, code, n) for (option, code), n in rows.items() if n]


def demo_status_counts() -> dict[str, dict[bool, int]] | None:
    """{survey key: {is demo: responses}}, as the GROUP BY in ``demo.demo_status``."""
    cells = AnswerPairCount
    is_demo = cells.channel == DEMO_CHANNEL
    rows = db.session.execute(
        db.select(Survey.key, is_demo, func.sum(cells.n))
        .join(Survey, Survey.id == cells.survey_id)
        .where(cells.question_key == RESPONSE, cells.group_question == RESPONSE)
        .group_by(Survey.key, is_demo))
    counts: dict[str, dict[bool, int]] = {}
    for key, demo, n in rows:
        if n:
            counts.setdefault(key, {})[bool(demo)] = int(n)
    return counts


def fiscal_years(survey_id: int) -> list[int]:
    """The fiscal years in which a survey has responses (oldest first)."""
    cells = AnswerPairCount
    rows = db.session.execute(
        db.select(cells.fiscal_year, func.sum(cells.n))
        .where(cells.survey_id == survey_id, cells.question_key == RESPONSE,
               cells.group_question == RESPONSE)
        .group_by(cells.fiscal_year).order_by(cells.fiscal_year))
    return [year for year, n in rows if n]
