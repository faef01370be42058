"""A KPI in one fiscal year split by channel or by the answer to a group question (age band,
gender, area …), with disclosure control on every cell."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func

from ..extensions import db
from ..respond.models import Answer, Response
from ..stats import ProportionCI, Reliability, assess_proportion, proportion_ci, suppress_counts
from . import counted
from .declarations import KpiDeclaration
from .filters import ALL_RESPONSES, ResultFilter, response_conditions
from .kpis import DEFAULT_LEVEL, DEFAULT_METHOD, survey_id_of

BY_CHANNEL = "channel"
NO_GROUP = "_no_answer"  # the group of respondents who did not answer the group question
DEMOGRAPHIC_TITLES = {"age_band": _l("年齢区分"), "gender": _l("性別"), "area": _l("地区")}
"""The titles of the demographic questions (lazy strings: ``str()`` them where they are shown)."""


@dataclass(frozen=True)
class GroupResult:
    """One group's base n, successes and interval, and why a value is hidden if it is."""

    code: str
    label: str
    base_n: int
    successes: int
    interval: ProportionCI
    reliability: Reliability
    hidden_n: str | None

    @property
    def n_suppressed(self) -> bool:
        return self.hidden_n is not None

    @property
    def suppressed(self) -> bool:
        return self.hidden_n is not None or not self.reliability.publishable

    @property
    def reason(self) -> str | None:
        return self.hidden_n or self.reliability.reason


@dataclass(frozen=True)
class Breakdown:
    kpi: KpiDeclaration
    fiscal_year: int
    by: str
    label: str
    groups: tuple[GroupResult, ...]

    @property
    def reasons(self) -> tuple[str, ...]:
        """Distinct suppression reasons in this table, for its footnotes."""
        seen: list[str] = []
        for group in self.groups:
            if group.reason and group.reason not in seen:
                seen.append(group.reason)
        return tuple(seen)


def kpi_breakdown(
    declaration: KpiDeclaration, fiscal_year: int, by: str, *,
    channel_labels: dict[str, str] | None = None, method: str = DEFAULT_METHOD,
    level: float = DEFAULT_LEVEL, selection: ResultFilter = ALL_RESPONSES,
) -> Breakdown:
    """Split by ``"channel"`` or by a single-choice question key of the survey (KeyError if neither)."""
    conditions = response_conditions(survey_id_of(declaration), selection)
    conditions.append(Response.fiscal_year == fiscal_year)
    kpi_answer = db.aliased(Answer)
    if by == BY_CHANNEL:
        group_column = Response.channel
        query = db.select(group_column, kpi_answer.option_code, func.count()).select_from(Response)
        labels = dict(channel_labels or {})
        title = _("経路")
        order: list[str] = []
    else:
        question = declaration.group(by)
        if question is None:
            raise KeyError(by)
        group_answer = db.aliased(Answer)
        group_column = group_answer.option_code
        query = (db.select(group_column, kpi_answer.option_code, func.count()).select_from(Response)
                 .outerjoin(group_answer, and_(group_answer.response_id == Response.id,
                                               group_answer.question_key == by)))
        labels = {o.code: o.label for o in question.options}
        title = str(DEMOGRAPHIC_TITLES.get(question.demographic or "", question.label))
        order = [o.code for o in question.options]
    rows: Sequence[tuple[str | None, str | None, int]] | None = _counted_rows(
        declaration, fiscal_year, by, selection)
    if rows is None:
        rows = [(group, code, count) for group, code, count in db.session.execute(
            query.outerjoin(kpi_answer, and_(kpi_answer.response_id == Response.id,
                                             kpi_answer.question_key == declaration.question_key))
            .where(*conditions).group_by(group_column, kpi_answer.option_code))]
    per_group: dict[str, dict[str | None, int]] = defaultdict(lambda: defaultdict(int))
    for group, code, count in rows:
        per_group[NO_GROUP if group is None else group][code] += count
    keys = [k for k in order if k in per_group] + sorted(k for k in per_group if k not in order)
    sizes = {k: _base_and_successes(declaration, per_group[k]) for k in keys}
    hidden = suppress_counts({k: n for k, (n, _x) in sizes.items()})
    groups = []
    no_answer = _("無回答")
    for key in keys:
        n, x = sizes[key]
        groups.append(GroupResult(
            code=key, label=no_answer if key == NO_GROUP else labels.get(key, key), base_n=n,
            successes=x, interval=proportion_ci(x, n, method=method, level=level),
            reliability=assess_proportion(x, n, level=level), hidden_n=hidden[key],
        ))
    return Breakdown(kpi=declaration, fiscal_year=fiscal_year, by=by, label=title,
                     groups=tuple(groups))


def _counted_rows(declaration: KpiDeclaration, fiscal_year: int, by: str,
                  selection: ResultFilter) -> list[tuple[str | None, str | None, int]] | None:
    """The breakdown's (group, KPI option, responses) from the kept counts, if they answer it."""
    if not counted.enabled():
        return None
    survey_id = survey_id_of(declaration)
    if by != BY_CHANNEL:
        return counted.breakdown_rows(survey_id, declaration.question_key, by, fiscal_year, selection)
    by_year = counted.kpi_counts(survey_id, declaration.question_key, selection,
                                 fiscal_year=fiscal_year)
    if by_year is None:
        return None
    return [(channel, code, n) for (channel, code), n in by_year.get(fiscal_year, {}).items()]


def _base_and_successes(declaration: KpiDeclaration, counts: dict[str | None, int]) -> tuple[int, int]:
    no_answer = counts.get(None, 0)
    answered = sum(c for code, c in counts.items() if code is not None)
    excluded = sum(counts.get(code, 0) for code in declaration.excluded)
    successes = sum(counts.get(code, 0) for code in declaration.success)
    return answered - excluded + (no_answer if declaration.no_answer_in_base else 0), successes
