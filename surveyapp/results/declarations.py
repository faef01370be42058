"""KPI declarations as plain values, read from the current version of each survey."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..extensions import db
from ..respond.models import Response
from ..surveys.definitions import QuestionDef, SurveyDef
from ..surveys.models import Kpi, Survey
from ..surveys.services import version_definition
from ..timeutil import fiscal_year


@dataclass(frozen=True)
class OptionInfo:
    """One answer option: code, Japanese label and kind (``answer`` or ``not_applicable``)."""

    code: str
    label: str
    kind: str


@dataclass(frozen=True)
class GroupQuestion:
    """A single-choice question results can be broken down by (e.g. age band)."""

    key: str
    label: str
    demographic: str | None
    options: tuple[OptionInfo, ...]

    def label_of(self, code: str | None) -> str | None:
        return next((o.label for o in self.options if o.code == code), None)


@dataclass(frozen=True)
class ComparabilityBreak:
    """A version that changed how the KPI is measured: results from the fiscal year it was
    published in onwards are not directly comparable with earlier ones (nor the baseline)."""

    version: int
    published_at: datetime
    fiscal_year: int
    reasons: tuple[Mapping[str, str], ...]
    mixed: bool = False
    """Answers to an earlier version were given in or after that fiscal year too."""


@dataclass(frozen=True)
class KpiDeclaration:
    """A KPI as declared by the current version of its survey (plain values)."""

    survey_key: str
    key: str
    title: str
    headline: str
    question_key: str
    success: tuple[str, ...]
    excluded: tuple[str, ...]
    no_answer_in_base: bool
    direction: str
    baseline_value: float
    baseline_fiscal_year: int
    baseline_n: int | None
    target_value: float | None
    target_fiscal_year: int
    population: int | None
    survey_title: str = ""
    public_results: bool = False
    version: int = 0
    options: tuple[OptionInfo, ...] = ()
    groups: tuple[GroupQuestion, ...] = ()
    breaks: tuple[ComparabilityBreak, ...] = ()

    @property
    def demographics(self) -> tuple[GroupQuestion, ...]:
        """The age band / gender / area questions of the survey."""
        return tuple(g for g in self.groups if g.demographic is not None)

    def group(self, key: str) -> GroupQuestion | None:
        return next((g for g in self.groups if g.key == key), None)

    def option_label(self, code: str) -> str:
        return next((o.label for o in self.options if o.code == code), code)

    @property
    def excluded_labels(self) -> tuple[str, ...]:
        return tuple(self.option_label(code) for code in self.excluded)

    def break_marks(self, fiscal_years: Iterable[int]) -> dict[int, list[int]]:
        """{fiscal year: numbers (1, 2 …) of the breaks that take effect in it}: each break is
        marked on the first of ``fiscal_years`` at or after the year it was published in."""
        years = sorted(set(fiscal_years))
        marks: dict[int, list[int]] = {}
        for number, item in enumerate(self.breaks, 1):
            first = next((y for y in years if y >= item.fiscal_year), None)
            if first is not None:
                marks.setdefault(first, []).append(number)
        return marks


class UnknownKpi(LookupError):
    """No KPI with this survey key and KPI key."""


def kpi_declarations(*, public_only: bool = False, archived: bool = False) -> list[KpiDeclaration]:
    """Every KPI of every survey's current version, in survey-key order (archived surveys only
    when ``archived``)."""
    declarations = []
    query = db.select(Survey).order_by(Survey.key)
    if not archived:
        query = query.where(Survey.archived_at.is_(None))
    for survey in db.session.scalars(query):
        version = survey.current_version
        if version is None:
            continue
        defn = version_definition(version)
        if public_only and not defn.public_results:
            continue
        for kpi in version.kpis:
            declarations.append(_declaration(survey, kpi, defn, version.number))
    return declarations


def find_declaration(survey_key: str, kpi_key: str) -> KpiDeclaration:
    """The declaration of one KPI (an archived survey's too), or UnknownKpi."""
    for declaration in kpi_declarations(archived=True):
        if declaration.survey_key == survey_key and declaration.key == kpi_key:
            return declaration
    raise UnknownKpi(f"{survey_key}/{kpi_key}")


def survey_group_questions(defn: SurveyDef) -> tuple[GroupQuestion, ...]:
    """Single-choice questions of a definition as breakdown/filter candidates."""
    return tuple(_group(q) for q in defn.questions if q.type == "single")


def _group(question: QuestionDef) -> GroupQuestion:
    return GroupQuestion(
        key=question.key, label=question.text["ja"], demographic=question.demographic,
        options=tuple(OptionInfo(o.code, o.text["ja"], o.kind) for o in question.options),
    )


def _breaks(survey: Survey, kpi_key: str) -> tuple[ComparabilityBreak, ...]:
    found = []
    for version in survey.versions:
        if version.published_at is None:
            continue
        for note in version.comparability_notes:
            if note.kpi_key == kpi_key:
                year = fiscal_year(version.published_at)
                earlier = [v.id for v in survey.versions if v.number < version.number]
                mixed = db.session.scalar(db.select(Response.id).where(
                    Response.survey_id == survey.id, Response.fiscal_year >= year,
                    Response.survey_version_id.in_(earlier)).limit(1)) is not None
                found.append(ComparabilityBreak(version.number, version.published_at, year,
                                                tuple(note.reasons), mixed))
    return tuple(found)


def _declaration(survey: Survey, kpi: Kpi, defn: SurveyDef, number: int) -> KpiDeclaration:
    question = defn.question(kpi.question_key)
    return KpiDeclaration(
        survey_key=survey.key, key=kpi.key, title=kpi.titles["ja"],
        headline=kpi.headline.get("ja", ""), question_key=kpi.question_key,
        success=tuple(kpi.success), excluded=tuple(kpi.excluded),
        no_answer_in_base=kpi.no_answer_in_base, direction=kpi.direction,
        baseline_value=kpi.baseline_value, baseline_fiscal_year=kpi.baseline_fiscal_year,
        baseline_n=kpi.baseline_n, target_value=kpi.target_value,
        target_fiscal_year=kpi.target_fiscal_year, population=kpi.population,
        survey_title=defn.title["ja"], public_results=defn.public_results, version=number,
        options=_group(question).options,
        groups=tuple(g for g in survey_group_questions(defn) if g.key != kpi.question_key),
        breaks=_breaks(survey, kpi.key),
    )
