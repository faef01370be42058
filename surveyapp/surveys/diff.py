"""What changes between two definitions of a survey, and which changes break comparability.

Shown before publishing a draft: questions and options added, removed, moved or re-worded (per
language), settings and KPI declarations changed.  A KPI stops being comparable with earlier
years when the wording of its question or options, the options themselves, the success options
or the base change; such a change needs the publisher's acknowledgement and is recorded with
the new version.  Pure: plain dataclasses in, plain dataclasses out.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from flask_babel import gettext as _

from .format.model import KpiDef, OptionDef, QuestionDef, SurveyDef
from .format.schema import (
    AUDIENCE_CHOICES,
    DEMOGRAPHIC_CHOICES,
    DIRECTION_CHOICES,
    KIND_CHOICES,
    LANGUAGE_CHOICES,
    LANGUAGES,
    STATUS_CHOICES,
    TYPE_CHOICES,
    Choices,
)


@dataclass(frozen=True)
class Change:
    """One difference.  ``kind`` says what changed (see the staff template for the wording);
    ``field`` names the changed key, ``language`` the language of a re-worded text; ``old`` and
    ``new`` are the values as staff read them (texts, labels, percentages)."""

    kind: str
    question: str | None = None
    option: str | None = None
    kpi: str | None = None
    field: str | None = None
    language: str | None = None
    old: str | None = None
    new: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a KPI is no longer comparable: ``question`` (another question), ``question_text``,
    ``question_hint``, ``option_text`` (of ``option``, labelled ``label``), ``options`` (added,
    removed or reordered), ``success`` or ``base`` (excluded options or the no-answer rule)."""

    code: str
    language: str | None = None
    option: str | None = None
    label: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in (("code", self.code), ("language", self.language),
                                  ("option", self.option), ("label", self.label)) if v is not None}


@dataclass(frozen=True)
class ComparabilityWarning:
    kpi: str
    title: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class DefinitionDiff:
    changes: tuple[Change, ...]
    comparability: tuple[ComparabilityWarning, ...]

    @property
    def empty(self) -> bool:
        return not self.changes


SURVEY_SETTINGS: Final = ("audience", "public_results", "default_language")
QUESTION_SETTINGS: Final = ("type", "required", "page", "demographic", "max_length")
OPTION_SETTINGS: Final = ("kind", "score")
KPI_SETTINGS: Final = ("question", "success", "excluded", "no_answer_in_base", "direction",
                       "baseline_value", "baseline_fiscal_year", "baseline_n", "target_value",
                       "target_fiscal_year", "population")
_CHOICES: Final[dict[str, Choices]] = {
    "audience": AUDIENCE_CHOICES, "default_language": LANGUAGE_CHOICES, "type": TYPE_CHOICES,
    "demographic": DEMOGRAPHIC_CHOICES, "kind": KIND_CHOICES, "direction": DIRECTION_CHOICES,
}
_PROPORTIONS: Final = ("baseline_value", "target_value")


def shown(field: str, value: Any) -> str:
    """A value as staff read it: labels for codes, はい/いいえ, percentages, lists with 、."""
    if value is None:
        return _("（なし）")
    if isinstance(value, bool):
        return _("はい") if value else _("いいえ")
    if field in _CHOICES and isinstance(value, str):
        choices = _CHOICES[field]
        return choices.label(value) if value in choices.codes else value
    if field in _PROPORTIONS and isinstance(value, float):
        return f"{value * 100:.10g}%"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple | list):
        return _("、").join(str(v) for v in value) if value else _("（なし）")
    return str(value)


def diff_definitions(old: SurveyDef, new: SurveyDef) -> DefinitionDiff:
    """Every difference from ``old`` (the published version) to ``new`` (the draft)."""
    changes: list[Change] = []
    changes += _texts(old.title, new.title, lambda lang, a, b: Change(
        "survey_text", field="title", language=lang, old=a, new=b))
    changes += _texts(old.description, new.description, lambda lang, a, b: Change(
        "survey_text", field="description", language=lang, old=a, new=b))
    changes += _settings(old, new, SURVEY_SETTINGS, lambda f, a, b: Change(
        "survey_setting", field=f, old=a, new=b))
    changes += _languages(old.translation_status, new.translation_status)
    changes += _questions(old, new)
    changes += _kpis(old, new)
    return DefinitionDiff(tuple(changes), comparability(old, new))


def _texts(old: Mapping[str, str], new: Mapping[str, str],
           make: Callable[[str, str | None, str | None], Change]) -> list[Change]:
    return [make(lang, old.get(lang), new.get(lang)) for lang in LANGUAGES
            if old.get(lang) != new.get(lang)]


def _text_change(kind: str, *, field: str = "text", **where: str) -> Callable[[str, str | None, str | None], Change]:
    def make(lang: str, old: str | None, new: str | None) -> Change:
        return Change(kind, field=field, language=lang, old=old, new=new, **where)
    return make


def _setting_change(kind: str, **where: str) -> Callable[[str, str, str], Change]:
    def make(field: str, old: str, new: str) -> Change:
        return Change(kind, field=field, old=old, new=new, **where)
    return make


def _settings(old: Any, new: Any, fields: Iterable[str],
              make: Callable[[str, str, str], Change]) -> list[Change]:
    return [make(f, shown(f, getattr(old, f)), shown(f, getattr(new, f))) for f in fields
            if getattr(old, f) != getattr(new, f)]


def _languages(old: Mapping[str, str], new: Mapping[str, str]) -> list[Change]:
    changes = []
    for lang in LANGUAGES:
        before, after = old.get(lang), new.get(lang)
        if before == after:
            continue
        kind = ("language_added" if before is None else "language_removed" if after is None
                else "language_status")
        changes.append(Change(kind, language=lang,
                              old=STATUS_CHOICES.label(before) if before else None,
                              new=STATUS_CHOICES.label(after) if after else None))
    return changes


def moved(old: Sequence[str], new: Sequence[str]) -> set[str]:
    """Keys in both sequences whose order relative to the others changed (the fewest moves)."""
    common = set(old) & set(new)
    a = [k for k in old if k in common]
    b = [k for k in new if k in common]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a:block.a + block.size])
    return common - kept


def _questions(old: SurveyDef, new: SurveyDef) -> list[Change]:
    old_keys = [q.key for q in old.questions]
    new_keys = [q.key for q in new.questions]
    moves = moved(old_keys, new_keys)
    changes: list[Change] = []
    for q in old.questions:
        if q.key not in new_keys:
            changes.append(Change("question_removed", question=q.key, old=q.text["ja"]))
    for position, q in enumerate(new.questions):
        if q.key not in old_keys:
            changes.append(Change("question_added", question=q.key, new=q.text["ja"]))
            continue
        before = old.question(q.key)
        if q.key in moves:
            changes.append(Change("question_moved", question=q.key, old=str(old_keys.index(q.key) + 1),
                                  new=str(position + 1)))
        changes += _question(before, q)
    return changes


def _question(old: QuestionDef, new: QuestionDef) -> list[Change]:
    key = new.key
    changes = _texts(old.text, new.text, lambda lang, a, b: Change(
        "question_text", question=key, field="text", language=lang, old=a, new=b))
    changes += _texts(old.hint, new.hint, lambda lang, a, b: Change(
        "question_text", question=key, field="hint", language=lang, old=a, new=b))
    changes += _settings(old, new, QUESTION_SETTINGS, lambda f, a, b: Change(
        "question_setting", question=key, field=f, old=a, new=b))
    changes += _options(key, old.options, new.options)
    return changes


def _options(key: str, old: Sequence[OptionDef], new: Sequence[OptionDef]) -> list[Change]:
    old_codes = [o.code for o in old]
    new_codes = [o.code for o in new]
    moves = moved(old_codes, new_codes)
    by_code = {o.code: o for o in old}
    changes: list[Change] = []
    for o in old:
        if o.code not in new_codes:
            changes.append(Change("option_removed", question=key, option=o.code, old=o.text["ja"]))
    for position, o in enumerate(new):
        before = by_code.get(o.code)
        if before is None:
            changes.append(Change("option_added", question=key, option=o.code, new=o.text["ja"]))
            continue
        if o.code in moves:
            changes.append(Change("option_moved", question=key, option=o.code,
                                  old=str(old_codes.index(o.code) + 1), new=str(position + 1)))
        changes += _texts(before.text, o.text, _text_change("option_text", question=key, option=o.code))
        changes += _settings(before, o, OPTION_SETTINGS, _setting_change("option_setting", question=key,
                                                                         option=o.code))
    return changes


def _kpis(old: SurveyDef, new: SurveyDef) -> list[Change]:
    old_keys = {k.key for k in old.kpis}
    new_keys = {k.key for k in new.kpis}
    changes = [Change("kpi_removed", kpi=k.key, old=k.title["ja"]) for k in old.kpis if k.key not in new_keys]
    for k in new.kpis:
        if k.key not in old_keys:
            changes.append(Change("kpi_added", kpi=k.key, new=k.title["ja"]))
            continue
        before = old.kpi(k.key)
        for name in ("title", "headline"):
            changes += _texts(getattr(before, name), getattr(k, name), _text_change("kpi_text", kpi=k.key, field=name))
        changes += _settings(before, k, KPI_SETTINGS, _setting_change("kpi_setting", kpi=k.key))
    return changes


# --------------------------------------------------------------------------- comparability


def comparability(old: SurveyDef, new: SurveyDef) -> tuple[ComparabilityWarning, ...]:
    """The KPIs of both definitions whose results before and after would not be comparable."""
    warnings = []
    for kpi in new.kpis:
        try:
            before = old.kpi(kpi.key)
        except KeyError:
            continue  # a new KPI has no earlier results under this declaration
        reasons = kpi_reasons(before, old, kpi, new)
        if reasons:
            warnings.append(ComparabilityWarning(kpi.key, kpi.title["ja"], reasons))
    return tuple(warnings)


def kpi_reasons(old_kpi: KpiDef, old: SurveyDef, new_kpi: KpiDef, new: SurveyDef) -> tuple[Reason, ...]:
    reasons: list[Reason] = []
    if old_kpi.question != new_kpi.question:
        reasons.append(Reason("question"))
    else:
        old_q, new_q = old.question(old_kpi.question), new.question(new_kpi.question)
        reasons += _reworded("question_text", old_q.text, new_q.text)
        reasons += _reworded("question_hint", old_q.hint, new_q.hint)
        old_codes, new_codes = [o.code for o in old_q.options], [o.code for o in new_q.options]
        if old_codes != new_codes:
            reasons.append(Reason("options"))
        for option in new_q.options:
            if option.code in old_codes:
                previous = old_q.option(option.code)
                reasons += [Reason("option_text", r.language, option.code, option.text["ja"])
                            for r in _reworded("option_text", previous.text, option.text)]
    if set(old_kpi.success) != set(new_kpi.success):
        reasons.append(Reason("success"))
    if set(old_kpi.excluded) != set(new_kpi.excluded) or old_kpi.no_answer_in_base != new_kpi.no_answer_in_base:
        reasons.append(Reason("base"))
    return tuple(reasons)


def _reworded(code: str, old: Mapping[str, str], new: Mapping[str, str]) -> list[Reason]:
    """A text changed in a language it had before and after (a translation added or dropped
    is not a re-wording of what earlier respondents read)."""
    return [Reason(code, lang) for lang in LANGUAGES
            if lang in old and lang in new and old[lang] != new[lang]]
