"""What a keyer records for one question, checked and compared (plain functions, no database).

A value is what the paper shows (see ``models``): an option code, a list of codes, a text,
or one of the marks ``BLANK`` (無回答) and ``UNCLEAR`` (複数回答・判読不能). How values become
a response is decided here too (:func:`response_answers`): marks are stored as *no answer*
(no answer row), so every KPI counts them in its 無回答 category and keeps them in or out of
its base as its declaration says (``no_answer_in_base``); a blank text is no answer either.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..surveys.definitions import QuestionDef, SurveyDef
from .models import BLANK, MARKS, UNCLEAR

MARK_LABELS = {BLANK: _l("無回答"), UNCLEAR: _l("複数回答・判読不能")}
MULTIPLE_UNCLEAR_LABEL = _l("判読不能")
MARK_KEYS = {BLANK: "0", UNCLEAR: "*"}
"""The key a keyer presses for a mark (and the number printed in front of it on screen)."""


def value_problem(question: QuestionDef, value: Any) -> str | None:
    """What is wrong with a value for this question (a message for staff), or None."""
    codes = [o.code for o in question.options]
    if question.type == "single":
        if value in (None, ""):
            return _("用紙のとおりに選んでください（空欄なら「0 無回答」）。")
        if value not in codes and value not in MARKS:
            return _("選択肢の中から選んでください。")
        return None
    if question.type == "multiple":
        if value in MARKS:
            return None
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return _("選択肢の中から選んでください。")
        if not set(value) <= set(codes) or len(set(value)) != len(value):
            return _("選択肢の中から選んでください。")
        exclusive = [o for o in question.options if o.kind == "not_applicable" and o.code in value]
        if exclusive and len(value) > 1:
            return _("「%(option)s」とほかの選択肢の両方に印があるときは、「%(unclear)s」を選んでください。",
                     option=exclusive[0].text["ja"], unclear=MULTIPLE_UNCLEAR_LABEL)
        return None
    if not isinstance(value, str):
        return _("文字で入力してください。")
    limit = question.max_length
    if limit is not None and len(clean_text(value)) > limit:
        return _("%(limit)d文字以内で入力してください（いまは%(n)d文字です）。", limit=limit, n=len(clean_text(value)))
    return None


def values_problems(defn: SurveyDef, values: Mapping[str, Any], keys: list[str] | None = None) -> dict[str, str]:
    """Problems of the values of ``keys`` (default: every question), by question key."""
    problems = {}
    for question in defn.questions:
        if keys is not None and question.key not in keys:
            continue
        problem = value_problem(question, values.get(question.key))
        if problem:
            problems[question.key] = problem
    return problems


def clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def _comparable(question: QuestionDef, value: Any) -> Any:
    if question.type == "multiple" and isinstance(value, list):
        return tuple(sorted(value))
    if question.type in ("text", "textarea") and isinstance(value, str):
        # Two keyers agree on a text that differs only in spaces or full/half width.
        return " ".join(unicodedata.normalize("NFKC", value).split())
    return value


def same_value(question: QuestionDef, first: Any, second: Any) -> bool:
    return bool(_comparable(question, first) == _comparable(question, second))


def response_answers(defn: SurveyDef, values: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to submit: chosen options and non-blank texts; marks become no answer."""
    answers: dict[str, Any] = {}
    for question in defn.questions:
        value = values.get(question.key)
        if value is None or value in MARKS:
            continue
        if question.type == "multiple":
            order = [o.code for o in question.options]
            answers[question.key] = sorted(value, key=order.index)
        elif question.type == "single":
            answers[question.key] = value
        else:
            text = clean_text(value)
            if text:
                answers[question.key] = text
    return answers


def value_label(question: QuestionDef, value: Any) -> str:
    """How staff see a value: 「2 やや満足」「0 無回答」, several codes joined, or the text."""
    numbers = {o.code: (n, o.text["ja"]) for n, o in enumerate(question.options, start=1)}
    if value in MARKS:
        label = MULTIPLE_UNCLEAR_LABEL if question.type == "multiple" and value == UNCLEAR else MARK_LABELS[value]
        return f"{MARK_KEYS[value]} {label}" if question.type == "single" or value == UNCLEAR else label
    if question.type in ("single", "multiple"):
        codes = value if isinstance(value, list) else [value]
        return _("、").join(f"{numbers[c][0]} {numbers[c][1]}" if c in numbers else str(c) for c in codes)
    text = clean_text(value or "")
    return text if text else _("（空欄）")
