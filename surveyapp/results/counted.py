"""Counts read from the tables kept with the responses (see :mod:`surveyapp.respond.counts`)
instead of a GROUP BY over every answer: the same numbers, in milliseconds at any size.
Without a date range they come from ``answer_pair_counts`` (no day: a few hundred rows per
survey); with one, from ``response_counts`` (per Japan day).

Each function returns exactly what its raw query in kpis.py / breakdowns.py / overview.py /
demo.py returns, or None when the kept cells cannot answer the filter and the caller must run
the raw query.  They cannot answer:

* ``invited_only`` (the invitation stratum is not a dimension of the cells);
* "only those who answered X" together with a date range, or a breakdown by a question together
  with either (the answer pairs have no day and no third question);
* "only those who answered X" about the KPI's own question.

The KPI question and a breakdown question are single-choice (at most one answer per
response), which lets "no answer" be the responses of the cell minus those with an answer.
``RESULTS_FROM_COUNTS = False`` in the configuration makes every result use the raw queries.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import current_app
from sqlalchemy import func

from ..extensions import db
from ..respond.counts import RESPONSE
from ..respond.models import AnswerPairCount, ResponseCount
from ..surveys.models import Survey
from .filters import DEMO_CHANNEL, ResultFilter

ByYear = dict[int, dict[tuple[str, str | None], int]]


def enabled() -> bool:
    return bool(current_app.config.get("RESULTS_FROM_COUNTS", True))


def _has_real_responses(survey_id: int) -> bool:
    """Whether the survey has a response that is not demo data (any state, any year)."""
    cells = AnswerPairCount
    return db.session.scalar(db.select(cells.survey_id).where(
        cells.survey_id == survey_id, cells.question_key == RESPONSE, cells.group_question == RESPONSE,
        cells.channel != DEMO_CHANNEL, cells.n > 0).limit(1)) is not None


def _conditions(model: Any, survey_id: int, selection: ResultFilter, *,
                fiscal_year: int | None) -> list[Any] | None:
    """The WHERE conditions on a count table for a filter (None if it cannot express it)."""
    dated = selection.date_from is not None or selection.date_to is not None
    if selection.invited_only or (dated and model is not ResponseCount):
        return None
    conditions: list[Any] = [model.survey_id == survey_id]
    if selection.channel is not None:
        conditions.append(model.channel == selection.channel)
    elif selection.include_demo is False or (selection.include_demo is None
                                             and _has_real_responses(survey_id)):
        conditions.append(model.channel != DEMO_CHANNEL)
    if not selection.include_flagged:
        conditions.append(model.flagged.is_(False))
    if selection.link_id is not None:
        conditions.append(model.link_id == selection.link_id)
    if selection.date_from is not None:
        conditions.append(ResponseCount.day >= selection.date_from)
    if selection.date_to is not None:
        conditions.append(ResponseCount.day <= selection.date_to)
    if fiscal_year is not None:
        conditions.append(model.fiscal_year == fiscal_year)
    return conditions


def _singles(survey_id: int, selection: ResultFilter, *,
             fiscal_year: int | None) -> tuple[Any, list[Any]] | None:
    """The table and conditions for counts of responses and of single answers: the cells
    without the day unless the filter has a date range."""
    if selection.date_from is not None or selection.date_to is not None:
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
    """{fiscal year: {(channel, option code or None): responses}}, as ``kpis.kpi_counts``."""
    singles = _singles(survey_id, selection, fiscal_year=fiscal_year)
    if singles is None:
        return None
    model, where = singles
    if _group_selected(selection):
        if selection.group_question == question_key:
            return None
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
    """{fiscal year: flagged responses the filter leaves out}, as ``kpis.flagged_counts``
    (called with ``include_flagged`` already set)."""
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
    the GROUP BY in ``breakdowns.kpi_breakdown``; None for a date range or a group filter."""
    if _group_selected(selection) or group_key == question_key:
        return None
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
