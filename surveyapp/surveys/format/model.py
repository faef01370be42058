"""The validated survey definition: immutable dataclasses used by the whole app.

Attribute names equal the keys declared in ``schema.py``, so that a new optional key is a new
attribute with a default here and a Field there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OptionDef:
    """One answer option of a choice question."""

    code: str
    text: Mapping[str, str]
    kind: str = "answer"
    score: float | None = None


@dataclass(frozen=True)
class QuestionDef:
    """One question.

    ``options`` is empty for text types; ``max_length`` is None for choice types.
    """

    key: str
    type: str
    text: Mapping[str, str]
    hint: Mapping[str, str]
    required: bool
    options: tuple[OptionDef, ...]
    page: int
    max_length: int | None
    demographic: str | None

    def option(self, code: str) -> OptionDef:
        """Return the option with ``code``; raise KeyError if there is none."""
        for opt in self.options:
            if opt.code == code:
                return opt
        raise KeyError(code)


@dataclass(frozen=True)
class KpiDef:
    """A KPI measured as the share of respondents choosing ``success`` options of one question.

    Proportions (``baseline_value``, ``target_value``) are stored as 0..1, never as percent.
    """

    key: str
    title: Mapping[str, str]
    question: str
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
    headline: Mapping[str, str]


@dataclass(frozen=True)
class ContactDef:
    """Who answers residents' questions about one survey (replaces the site's settings as a
    whole), and the privacy policy that applies to it; empty when the survey names none."""

    name: Mapping[str, str] = field(default_factory=dict)
    phone: str = ""
    email: str = ""
    url: str = ""
    privacy_policy: str = ""


@dataclass(frozen=True)
class ReportInfo:
    """What the printed report's 調査概要 says about a survey (Japanese, for staff; optional)."""

    population: str = ""  # 調査対象, e.g. 「各務原市に住む市民」
    department: str = ""  # 担当課


@dataclass(frozen=True)
class SurveyDef:
    """A complete, validated survey definition."""

    key: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    default_language: str
    audience: str
    public_results: bool
    questions: tuple[QuestionDef, ...]
    kpis: tuple[KpiDef, ...]
    translation_status: Mapping[str, str]
    minutes: int | None = None
    """About how long answering takes, in minutes (start page and poster)."""
    contact: ContactDef = field(default_factory=ContactDef)
    report: ReportInfo = field(default_factory=ReportInfo)

    def pages(self) -> list[list[QuestionDef]]:
        """Questions grouped by page number, pages in ascending order."""
        grouped: dict[int, list[QuestionDef]] = {}
        for q in self.questions:
            grouped.setdefault(q.page, []).append(q)
        return [grouped[n] for n in sorted(grouped)]

    def question(self, key: str) -> QuestionDef:
        """Return the question with ``key``; raise KeyError if there is none."""
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)

    def kpi(self, key: str) -> KpiDef:
        """Return the KPI with ``key``; raise KeyError if there is none."""
        for k in self.kpis:
            if k.key == key:
                return k
        raise KeyError(key)
