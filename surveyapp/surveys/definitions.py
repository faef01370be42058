"""Survey definition files: the data model, validation, loading and writing.

A survey is described by one human-editable TOML file (see ``docs/survey-format.md``).
This module turns such a file into immutable dataclasses, reports *every* problem it
finds (each as ``"FILE: key.path: message"``), and writes a definition back to TOML in a
canonical form.  It depends only on the standard library and ``tomli_w``.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import hashlib
import json
import math
import os
import pathlib
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import tomli_w

__all__ = [
    "AUDIENCES",
    "DEMOGRAPHICS",
    "DIRECTIONS",
    "FORMAT_VERSION",
    "LANGUAGES",
    "MAX_LENGTH_LIMIT",
    "OPTION_KINDS",
    "QUESTION_TYPES",
    "TEXT_MAX_LENGTH_DEFAULT",
    "TEXT_SHORT_MAX_LENGTH_DEFAULT",
    "TRANSLATION_STATUSES",
    "ContactDef",
    "DefinitionError",
    "KpiDef",
    "OptionDef",
    "QuestionDef",
    "SurveyDef",
    "builtin_paths",
    "content_hash",
    "definition_to_dict",
    "dump_definition",
    "load_definition",
    "loads_definition",
    "parse_definition",
]

# --------------------------------------------------------------------------- constants

FORMAT_VERSION: Final = 1

LANGUAGES: tuple[str, ...] = ("ja", "ja-easy", "pt-BR", "en", "vi", "zh-Hans", "tl")
"""Languages a text may be written in.  ``"ja"`` is required for every text."""

QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "text", "textarea")
CHOICE_TYPES: tuple[str, ...] = ("single", "multiple")
TEXT_TYPES: tuple[str, ...] = ("text", "textarea")

OPTION_KINDS: tuple[str, ...] = ("answer", "not_applicable")
"""``not_applicable`` marks 「利用したことがない／あてはまらない」-type options."""

DIRECTIONS: tuple[str, ...] = ("up", "down", "maintain")
DEMOGRAPHICS: tuple[str, ...] = ("age_band", "gender", "area")
AUDIENCES: tuple[str, ...] = ("residents", "counter", "course", "staff")
TRANSLATION_STATUSES: tuple[str, ...] = ("reviewed", "machine-draft")

TEXT_MAX_LENGTH_DEFAULT: Final = 2000
"""Default ``max_length`` of a ``textarea`` question."""
TEXT_SHORT_MAX_LENGTH_DEFAULT: Final = 200
"""Default ``max_length`` of a (short) ``text`` question."""
MAX_LENGTH_LIMIT: Final = 10000
"""Largest ``max_length`` a text question may declare."""

FISCAL_YEAR_MIN: Final = 2000
FISCAL_YEAR_MAX: Final = 2100
KEY_MAX_LENGTH: Final = 64

_SURVEY_KEY_RE: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_CODE_RE: Final = re.compile(r"[a-z0-9_]+")
_TOML_POSITION_RE: Final = re.compile(
    r"^(?P<msg>.*) \(at line (?P<line>\d+), column (?P<col>\d+)\)$", re.S
)
_TOML_END_RE: Final = re.compile(r"^(?P<msg>.*) \(at end of document\)$", re.S)

_SURVEY_KEYS: Final = (
    "format",
    "key",
    "default_language",
    "audience",
    "public_results",
    "title",
    "description",
    "translation_status",
    "minutes",
    "contact",
    "questions",
    "kpis",
)
_CONTACT_KEYS: Final = ("name", "phone", "email", "url", "privacy_policy")
PHONE_RE: Final = re.compile(r"\+?[0-9][0-9 ()\-]{3,30}")
"""A telephone number as printed for residents ("058-383-1111", "+81 58 383 1111")."""
EMAIL_RE: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
WEB_URL_RE: Final = re.compile(r"https?://\S+")
MINUTES_MAX: Final = 120
_QUESTION_KEYS: Final = (
    "key",
    "type",
    "page",
    "required",
    "demographic",
    "max_length",
    "text",
    "hint",
    "options",
)
_OPTION_KEYS: Final = ("code", "kind", "score", "text")
_KPI_KEYS: Final = (
    "key",
    "question",
    "success",
    "excluded",
    "no_answer_in_base",
    "direction",
    "baseline_value",
    "baseline_fiscal_year",
    "baseline_n",
    "target_value",
    "target_fiscal_year",
    "population",
    "title",
    "headline",
)

# --------------------------------------------------------------------------- data model


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
    """Who answers residents' questions about one survey (overrides the site's settings)."""

    name: Mapping[str, str]
    phone: str | None = None
    email: str | None = None
    url: str | None = None
    privacy_policy: str | None = None


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
    contact: ContactDef | None = None

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


class DefinitionError(ValueError):
    """A definition is invalid.  ``errors`` lists every problem as ``"FILE: key.path: message"``."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("\n".join(self.errors))

    def __str__(self) -> str:
        return "\n".join(self.errors)


# --------------------------------------------------------------------------- helpers

_MISSING: Final = object()


class _Collector:
    """Collects error messages for one source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[str] = []

    def add(self, path: str, message: str) -> None:
        if path:
            self.errors.append(f"{self.source}: {path}: {message}")
        else:
            self.errors.append(f"{self.source}: {message}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _index(path: str, i: int) -> str:
    return f"{path}[{i}]"


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _describe(value: Any) -> str:
    """Describe a wrongly typed value for an error message."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f'the string "{_short(value)}"'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, (datetime.date, datetime.time)):
        return f"the date/time {value.isoformat()}"
    return f"a value of type {type(value).__name__}"


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f'did you mean "{lowered[word.lower()]}"?'
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if close:
        return f'did you mean "{close[0]}"?'
    return ""


def _choice_hint(word: str, choices: Sequence[str], noun: str = "allowed") -> str:
    """``(did you mean "x"?)`` when something is close, else ``(allowed: a, b, c)``."""
    suggestion = _did_you_mean(word, choices)
    if suggestion:
        return f"({suggestion})"
    return f"({noun}: {', '.join(choices)})"


_LANGUAGE_ALIASES: Final = {
    "jp": "ja",
    "jpn": "ja",
    "ja-jp": "ja",
    "easy-ja": "ja-easy",
    "yasashii": "ja-easy",
    "pt": "pt-BR",
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "cn": "zh-Hans",
    "fil": "tl",
}


def _language_hint(lang: str) -> str:
    """``(did you mean "ja"?)`` for common mistakes, else the list of supported codes."""
    normal = lang.lower().replace("_", "-")
    known = {code.lower(): code for code in LANGUAGES}
    guess = known.get(normal) or _LANGUAGE_ALIASES.get(normal)
    if guess:
        return f'(did you mean "{guess}"?)'
    return _choice_hint(lang, LANGUAGES, "supported")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_table(
    c: _Collector, value: Any, path: str, allowed: Sequence[str]
) -> Mapping[str, Any] | None:
    """Check that ``value`` is a table containing only ``allowed`` keys."""
    if not isinstance(value, Mapping):
        c.add(path, f"must be a table, not {_describe(value)}")
        return None
    for k in value:
        if k not in allowed:
            c.add(
                _join(path, str(k)),
                f'unknown key "{k}" {_choice_hint(str(k), allowed, "allowed keys here")}',
            )
    return value


def _string(
    c: _Collector, table: Mapping[str, Any], key: str, path: str, *, required: bool
) -> str | None:
    value = table.get(key, _MISSING)
    p = _join(path, key)
    if value is _MISSING:
        if required:
            c.add(p, "missing required key")
        return None
    if not isinstance(value, str):
        c.add(p, f"must be a string, not {_describe(value)}")
        return None
    return value


def _choice(
    c: _Collector,
    table: Mapping[str, Any],
    key: str,
    path: str,
    choices: Sequence[str],
    *,
    required: bool,
) -> str | None:
    value = _string(c, table, key, path, required=required)
    if value is None:
        return None
    if value not in choices:
        suggestion = _did_you_mean(value, choices)
        message = f'"{value}" is not one of {", ".join(choices)}'
        c.add(_join(path, key), f"{message} ({suggestion})" if suggestion else message)
        return None
    return value


def _boolean(
    c: _Collector, table: Mapping[str, Any], key: str, path: str, *, default: bool
) -> bool:
    value = table.get(key, _MISSING)
    if value is _MISSING:
        return default
    if not isinstance(value, bool):
        c.add(_join(path, key), f"must be true or false, not {_describe(value)}")
        return default
    return value


def _integer(
    c: _Collector,
    table: Mapping[str, Any],
    key: str,
    path: str,
    *,
    required: bool,
    minimum: int,
    maximum: int | None = None,
    extra: str = "",
) -> int | None:
    value = table.get(key, _MISSING)
    p = _join(path, key)
    if value is _MISSING:
        if required:
            c.add(p, "missing required key")
        return None
    if not _is_int(value):
        c.add(p, f"must be a whole number, not {_describe(value)}")
        return None
    number = int(value)
    if number < minimum or (maximum is not None and number > maximum):
        if maximum is None:
            c.add(p, f"must be at least {minimum}, not {number}{extra}")
        else:
            c.add(p, f"must be between {minimum} and {maximum}, not {number}{extra}")
        return None
    return number


def _proportion(
    c: _Collector, table: Mapping[str, Any], key: str, path: str, *, required: bool
) -> float | None:
    value = table.get(key, _MISSING)
    p = _join(path, key)
    if value is _MISSING:
        if required:
            c.add(p, "missing required key")
        return None
    if not _is_number(value):
        c.add(p, f"must be a number between 0 and 1, not {_describe(value)}")
        return None
    number = float(value)
    if not math.isfinite(number) or number < 0.0 or number > 1.0:
        if math.isfinite(number) and 1.0 < number <= 100.0:
            c.add(
                p,
                f"must be a proportion between 0 and 1, not a percentage "
                f"(write {number:g} % as {number / 100:g})",
            )
        else:
            c.add(p, f"must be a proportion between 0 and 1, not {value!r}")
        return None
    return number


def _fiscal_year(c: _Collector, table: Mapping[str, Any], key: str, path: str) -> int | None:
    return _integer(
        c,
        table,
        key,
        path,
        required=True,
        minimum=FISCAL_YEAR_MIN,
        maximum=FISCAL_YEAR_MAX,
        extra=" (write the Western-calendar fiscal year, e.g. 令和7年度 = 2025)",
    )


def _code_list(
    c: _Collector, table: Mapping[str, Any], key: str, path: str, *, required: bool
) -> list[str]:
    """A list of option codes; wrong entries are reported and dropped."""
    value = table.get(key, _MISSING)
    p = _join(path, key)
    if value is _MISSING:
        if required:
            c.add(p, "missing required key")
        return []
    if not isinstance(value, list):
        c.add(p, f'must be a list of option codes such as ["satisfied"], not {_describe(value)}')
        return []
    codes: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            c.add(_index(p, i), f"must be an option code string, not {_describe(item)}")
            continue
        if item in codes:
            c.add(_index(p, i), f'option code "{item}" is listed twice')
            continue
        codes.append(item)
    return codes


class _TextMaps:
    """Remembers respondent-facing text maps for the translation completeness check."""

    def __init__(self) -> None:
        self.items: list[tuple[str, dict[str, str]]] = []


def _texts(
    c: _Collector,
    table: Mapping[str, Any],
    key: str,
    path: str,
    *,
    required: bool,
    registry: _TextMaps | None,
) -> dict[str, str]:
    """A language -> text table, ordered as LANGUAGES; line endings are normalised to "\\n"."""
    value = table.get(key, _MISSING)
    p = _join(path, key)
    if value is _MISSING:
        if required:
            c.add(p, f'missing required text (add {p}.ja = "…")')
        return {}
    if not isinstance(value, Mapping):
        hint = f' (write {p}.ja = "…")' if isinstance(value, str) else ""
        c.add(p, f"must be a table of texts by language, not {_describe(value)}{hint}")
        return {}
    found: dict[str, str] = {}
    for lang, text in value.items():
        lp = _join(p, str(lang))
        if lang not in LANGUAGES:
            c.add(
                lp,
                f'unknown language code "{lang}" {_language_hint(str(lang))}',
            )
            continue
        if not isinstance(text, str):
            c.add(lp, f"must be a string, not {_describe(text)}")
            continue
        if not text.strip():
            c.add(lp, "must not be empty")
            continue
        found[lang] = text.replace("\r\n", "\n").replace("\r", "\n")
    if "ja" not in value and (required or value):
        c.add(p, f'missing Japanese text (add {p}.ja = "…")')
    ordered = {lang: found[lang] for lang in LANGUAGES if lang in found}
    if registry is not None and ordered:
        registry.items.append((p, ordered))
    return ordered


def _table_list(
    c: _Collector, data: Mapping[str, Any], key: str, path: str, *, required: bool
) -> list[Any]:
    value = data.get(key, _MISSING)
    p = _join(path, key)
    header = "[[" + re.sub(r"\[\d+\]", "", p) + "]]"
    if value is _MISSING:
        if required:
            c.add(p, f"missing required key (add at least one {header} table)")
        return []
    if not isinstance(value, list):
        c.add(p, f"must be a list of tables written as {header}, not {_describe(value)}")
        return []
    return value


# --------------------------------------------------------------------------- parsing


def _parse_option(c: _Collector, raw: Any, path: str, texts: _TextMaps) -> OptionDef | None:
    table = _check_table(c, raw, path, _OPTION_KEYS)
    if table is None:
        return None
    code = _string(c, table, "code", path, required=True)
    if code is not None and not (_CODE_RE.fullmatch(code) and len(code) <= KEY_MAX_LENGTH):
        c.add(
            _join(path, "code"),
            f'"{code}" is not a valid option code; '
            "use lower-case letters a-z, digits and underscores "
            f'(for example "somewhat_satisfied")',
        )
    kind = _choice(c, table, "kind", path, OPTION_KINDS, required=False) or "answer"
    score: float | None = None
    raw_score = table.get("score", _MISSING)
    if raw_score is not _MISSING:
        if not _is_number(raw_score) or not math.isfinite(float(raw_score)):
            c.add(_join(path, "score"), f"must be a number, not {_describe(raw_score)}")
        elif kind == "not_applicable":
            c.add(_join(path, "score"), 'a "not_applicable" option cannot have a score')
        else:
            score = float(raw_score)
    text = _texts(c, table, "text", path, required=True, registry=texts)
    return OptionDef(code=code or "", text=text, kind=kind, score=score)


def _parse_question(
    c: _Collector, raw: Any, path: str, texts: _TextMaps
) -> tuple[QuestionDef, int | None] | None:
    """Parse one question; also return its raw page number (None when absent or invalid)."""
    table = _check_table(c, raw, path, _QUESTION_KEYS)
    if table is None:
        return None
    key = _string(c, table, "key", path, required=True)
    if key is not None and not (_CODE_RE.fullmatch(key) and len(key) <= KEY_MAX_LENGTH):
        c.add(
            _join(path, "key"),
            f'"{key}" is not a valid question key; '
            "use lower-case letters a-z, digits and underscores "
            f'(for example "age_band")',
        )
    qtype = _choice(c, table, "type", path, QUESTION_TYPES, required=True)
    page = _integer(c, table, "page", path, required=False, minimum=1)
    required = _boolean(c, table, "required", path, default=False)
    text = _texts(c, table, "text", path, required=True, registry=texts)
    hint = _texts(c, table, "hint", path, required=False, registry=texts)

    demographic = _choice(c, table, "demographic", path, DEMOGRAPHICS, required=False)
    if demographic is not None and qtype is not None and qtype != "single":
        c.add(
            _join(path, "demographic"),
            f'only a "single" question can be a demographic question, not a "{qtype}" one',
        )

    max_length: int | None = None
    if "max_length" in table:
        if qtype in CHOICE_TYPES:
            c.add(
                _join(path, "max_length"),
                f'is only allowed on text and textarea questions, not on a "{qtype}" question',
            )
        else:
            max_length = _integer(
                c, table, "max_length", path, required=False, minimum=1, maximum=MAX_LENGTH_LIMIT
            )
    if max_length is None and qtype == "text":
        max_length = TEXT_SHORT_MAX_LENGTH_DEFAULT
    elif max_length is None and qtype == "textarea":
        max_length = TEXT_MAX_LENGTH_DEFAULT

    options: list[OptionDef] = []
    if qtype in TEXT_TYPES:
        if "options" in table:
            c.add(_join(path, "options"), f'a "{qtype}" question cannot have options')
    elif qtype in CHOICE_TYPES:
        op_path = _join(path, "options")
        raw_options: list[Any] = []
        if "options" not in table:
            c.add(op_path, f'missing options (a "{qtype}" question needs at least 2)')
        else:
            raw_options = _table_list(c, table, "options", path, required=True)
            if isinstance(table["options"], list) and len(raw_options) < 2:
                c.add(
                    op_path,
                    f'a "{qtype}" question needs at least 2 options, not {len(raw_options)}',
                )
        seen_codes: dict[str, int] = {}
        seen_labels: dict[str, int] = {}
        for i, raw_option in enumerate(raw_options):
            opt = _parse_option(c, raw_option, _index(op_path, i), texts)
            if opt is None:
                continue
            if opt.code:
                if opt.code in seen_codes:
                    c.add(
                        _join(_index(op_path, i), "code"),
                        f'duplicate option code "{opt.code}" '
                        f"(already used by options[{seen_codes[opt.code]}])",
                    )
                else:
                    seen_codes[opt.code] = i
            label = opt.text.get("ja")
            if label is not None:
                if label in seen_labels:
                    c.add(
                        _join(_index(op_path, i), "text.ja"),
                        f'duplicate option text "{_short(label)}" '
                        f"(already used by options[{seen_labels[label]}])",
                    )
                else:
                    seen_labels[label] = i
            options.append(opt)
        # Scores: all answer options or none (judged on the raw tables so that a
        # wrongly typed score is not reported a second time as missing).
        tables = [(i, r) for i, r in enumerate(raw_options) if isinstance(r, Mapping)]
        answers = [(i, r) for i, r in tables if r.get("kind", "answer") == "answer"]
        scored = [i for i, r in answers if "score" in r]
        unscored = [i for i, r in answers if "score" not in r]
        if scored and unscored:
            c.add(
                _join(_index(op_path, unscored[0]), "score"),
                "missing score (when one answer option has a score, every answer option needs one)",
            )

    question = QuestionDef(
        key=key or "",
        type=qtype or "",
        text=text,
        hint=hint,
        required=required,
        options=tuple(options),
        page=page or 0,
        max_length=max_length if qtype in TEXT_TYPES else None,
        demographic=demographic,
    )
    return question, page


def _assign_pages(
    c: _Collector, parsed: list[tuple[int, QuestionDef, int | None, bool]]
) -> list[QuestionDef]:
    """Apply the page rules.  ``parsed`` holds (index, question, page, page_key_present)."""
    if not any(present for _, _, _, present in parsed):
        return [dataclasses.replace(q, page=n) for n, (_, q, _, _) in enumerate(parsed, start=1)]
    result: list[QuestionDef] = []
    previous = 0
    for i, q, page, present in parsed:
        path = _join(_index("questions", i), "page")
        if not present:
            c.add(
                path,
                'missing page number (when any question has "page", every question must have one)',
            )
            result.append(q)
            continue
        if page is None:  # wrong type or value, already reported
            result.append(q)
            continue
        if page < previous:
            c.add(
                path, f"page {page} comes after page {previous}; list the questions in page order"
            )
        elif page > previous + 1:
            expected = previous + 1
            c.add(
                path,
                f"page {page} skips page {expected}; page numbers must run 1, 2, 3, … without gaps",
            )
        previous = max(previous, page)
        result.append(q)
    return result


def _parse_kpi(
    c: _Collector, raw: Any, path: str, questions: Mapping[str, QuestionDef]
) -> KpiDef | None:
    table = _check_table(c, raw, path, _KPI_KEYS)
    if table is None:
        return None
    key = _string(c, table, "key", path, required=True)
    if key is not None and not (_CODE_RE.fullmatch(key) and len(key) <= KEY_MAX_LENGTH):
        c.add(
            _join(path, "key"),
            f'"{key}" is not a valid KPI key; use lower-case letters a-z, digits and underscores',
        )
    title = _texts(c, table, "title", path, required=True, registry=None)
    headline = _texts(c, table, "headline", path, required=True, registry=None)
    qkey = _string(c, table, "question", path, required=True)
    success = _code_list(c, table, "success", path, required=True)
    excluded = _code_list(c, table, "excluded", path, required=False)
    if "success" in table and isinstance(table.get("success"), list) and not table["success"]:
        c.add(_join(path, "success"), "must list at least one option code")
    no_answer_in_base = _boolean(c, table, "no_answer_in_base", path, default=True)
    direction = _choice(c, table, "direction", path, DIRECTIONS, required=True)
    baseline_value = _proportion(c, table, "baseline_value", path, required=True)
    baseline_year = _fiscal_year(c, table, "baseline_fiscal_year", path)
    baseline_n = _integer(c, table, "baseline_n", path, required=False, minimum=1)
    target_value = _proportion(c, table, "target_value", path, required=False)
    target_year = _fiscal_year(c, table, "target_fiscal_year", path)
    population = _integer(c, table, "population", path, required=False, minimum=1)

    # The question and its option codes.
    if qkey is not None:
        question = questions.get(qkey)
        if question is None:
            hint = _did_you_mean(qkey, list(questions))
            c.add(
                _join(path, "question"),
                f'unknown question key "{qkey}"' + (f" ({hint})" if hint else ""),
            )
        elif question.type not in QUESTION_TYPES:
            pass  # the question's own type error is reported already
        elif question.type != "single":
            c.add(
                _join(path, "question"),
                f'question "{qkey}" is a "{question.type}" question; '
                'a KPI needs a "single" question',
            )
        else:
            by_code = {o.code: o for o in question.options}
            for name, codes in (("success", success), ("excluded", excluded)):
                raw_list = table.get(name)
                for code in codes:
                    i = raw_list.index(code) if isinstance(raw_list, list) else 0
                    if code not in by_code:
                        hint = _did_you_mean(code, list(by_code))
                        c.add(
                            _index(_join(path, name), i),
                            f'unknown option code "{code}" in question "{qkey}"'
                            + (f" ({hint})" if hint else f" (known codes: {', '.join(by_code)})"),
                        )
                    elif name == "success" and by_code[code].kind == "not_applicable":
                        c.add(
                            _index(_join(path, name), i),
                            f'option "{code}" is a "not_applicable" option '
                            "and cannot count as success",
                        )
    raw_excluded = table.get("excluded")
    for code in success:
        if code in excluded and isinstance(raw_excluded, list):
            c.add(
                _index(_join(path, "excluded"), raw_excluded.index(code)),
                f'option "{code}" is listed in both success and excluded',
            )

    # Baseline, target and population consistency.
    if baseline_year is not None and target_year is not None and target_year < baseline_year:
        c.add(
            _join(path, "target_fiscal_year"),
            f"target year {target_year} is before the baseline year {baseline_year}",
        )
    if direction == "maintain" and "target_value" not in table:
        c.add(
            _join(path, "target_value"),
            'missing required key (a "maintain" KPI needs the value to maintain)',
        )
    if baseline_value is not None and target_value is not None:
        if direction == "up" and target_value < baseline_value:
            c.add(
                _join(path, "target_value"),
                f"target {target_value:g} is below the baseline {baseline_value:g} "
                'although the direction is "up"',
            )
        if direction == "down" and target_value > baseline_value:
            c.add(
                _join(path, "target_value"),
                f"target {target_value:g} is above the baseline {baseline_value:g} "
                'although the direction is "down"',
            )
    if population is not None and baseline_n is not None and baseline_n > population:
        c.add(
            _join(path, "baseline_n"),
            f"baseline_n {baseline_n} is larger than the population {population}",
        )

    return KpiDef(
        key=key or "",
        title=title,
        question=qkey or "",
        success=tuple(success),
        excluded=tuple(excluded),
        no_answer_in_base=no_answer_in_base,
        direction=direction or "",
        baseline_value=baseline_value if baseline_value is not None else 0.0,
        baseline_fiscal_year=baseline_year or 0,
        baseline_n=baseline_n,
        target_value=target_value,
        target_fiscal_year=target_year or 0,
        population=population,
        headline=headline,
    )


def _parse_contact(c: _Collector, data: Mapping[str, Any]) -> ContactDef | None:
    table = _check_table(c, data["contact"], "contact", _CONTACT_KEYS) if "contact" in data else None
    if table is None:
        return None
    name = _texts(c, table, "name", "contact", required=False, registry=None)
    found: dict[str, str | None] = {}
    checks = {"phone": (PHONE_RE, 'a telephone number such as "058-383-1111"'),
              "email": (EMAIL_RE, "an e-mail address"),
              "url": (WEB_URL_RE, "an http:// or https:// address"),
              "privacy_policy": (WEB_URL_RE, "an http:// or https:// address")}
    for key, (pattern, what) in checks.items():
        value = _string(c, table, key, "contact", required=False)
        if value is not None and not pattern.fullmatch(value.strip()):
            c.add(_join("contact", key), f'"{_short(value)}" is not {what}')
            value = None
        found[key] = value.strip() if value else None
    if not name and any(found[key] for key in ("phone", "email", "url")):
        c.add("contact.name", 'missing the name to contact (add contact.name.ja = "…")')
    return ContactDef(name=name, **found)


def _parse_translation_status(c: _Collector, data: Mapping[str, Any]) -> dict[str, str]:
    value = data.get("translation_status", _MISSING)
    if value is _MISSING:
        return {"ja": "reviewed"}
    if not isinstance(value, Mapping):
        c.add(
            "translation_status",
            f'must be a table such as {{ ja = "reviewed" }}, not {_describe(value)}',
        )
        return {}
    found: dict[str, str] = {}
    for lang, status in value.items():
        p = _join("translation_status", str(lang))
        if lang not in LANGUAGES:
            c.add(
                p,
                f'unknown language code "{lang}" {_language_hint(str(lang))}',
            )
        elif not isinstance(status, str):
            c.add(p, f"must be a string, not {_describe(status)}")
        elif status not in TRANSLATION_STATUSES:
            c.add(p, f'"{status}" is not one of {", ".join(TRANSLATION_STATUSES)}')
        else:
            found[lang] = status
    if "ja" not in value:
        c.add("translation_status", 'missing "ja" (Japanese is always offered)')
    return {lang: found[lang] for lang in LANGUAGES if lang in found}


def _check_translations(
    c: _Collector, status: Mapping[str, str], declared: set[str], texts: _TextMaps
) -> None:
    """Every offered language must be complete; every used language must be offered."""
    first_use: dict[str, str] = {}
    for path, mapping in texts.items:
        for lang in mapping:
            first_use.setdefault(lang, _join(path, lang))
    for lang, where in first_use.items():
        if lang not in declared:
            c.add(
                "translation_status",
                f'language "{lang}" is used (first at {where}) but not listed here; '
                f'add {lang} = "machine-draft" or {lang} = "reviewed"',
            )
    for lang in status:
        if lang == "ja":
            continue  # missing Japanese is reported at each text already
        for path, mapping in texts.items:
            if lang not in mapping:
                c.add(path, f'missing "{lang}" text (the language is listed in translation_status)')


def parse_definition(data: Mapping[str, Any], source: str = "<definition>") -> SurveyDef:
    """Validate plain data (as read from TOML) and build a SurveyDef.

    Raises DefinitionError listing every problem found.
    """
    c = _Collector(source)
    top = _check_table(c, data, "", _SURVEY_KEYS)
    if top is None:
        raise DefinitionError(c.errors)
    texts = _TextMaps()

    fmt = top.get("format", _MISSING)
    if fmt is _MISSING:
        c.add(
            "format",
            f'missing required key (add "format = {FORMAT_VERSION}" at the top of the file)',
        )
    elif not _is_int(fmt) or fmt != FORMAT_VERSION:
        c.add(
            "format",
            f"unsupported format {_describe(fmt)}; this version reads format {FORMAT_VERSION}",
        )

    key = _string(c, top, "key", "", required=True)
    if key is not None and not (_SURVEY_KEY_RE.fullmatch(key) and len(key) <= KEY_MAX_LENGTH):
        c.add(
            "key",
            f'"{key}" is not a valid survey key; use lower-case letters a-z, digits and hyphens '
            f'(for example "digital-services")',
        )
    default_language = _choice(c, top, "default_language", "", LANGUAGES, required=False) or "ja"
    audience = _choice(c, top, "audience", "", AUDIENCES, required=True)
    public_results = _boolean(c, top, "public_results", "", default=False)
    minutes = _integer(c, top, "minutes", "", required=False, minimum=1, maximum=MINUTES_MAX)
    contact = _parse_contact(c, top)
    title = _texts(c, top, "title", "", required=True, registry=texts)
    description = _texts(c, top, "description", "", required=False, registry=texts)

    # Questions.
    parsed: list[tuple[int, QuestionDef, int | None, bool]] = []
    for i, raw in enumerate(_table_list(c, top, "questions", "", required=True)):
        result = _parse_question(c, raw, _index("questions", i), texts)
        if result is not None:
            question, page = result
            present = isinstance(raw, Mapping) and "page" in raw
            parsed.append((i, question, page, present))
    if "questions" in top and isinstance(top.get("questions"), list) and not top["questions"]:
        c.add("questions", "a survey needs at least one question")
    seen_keys: dict[str, int] = {}
    seen_demographics: dict[str, int] = {}
    for i, q, _, _ in parsed:
        if q.key:
            if q.key in seen_keys:
                c.add(
                    _join(_index("questions", i), "key"),
                    f'duplicate question key "{q.key}" '
                    f"(already used by questions[{seen_keys[q.key]}])",
                )
            else:
                seen_keys[q.key] = i
        if q.demographic:
            if q.demographic in seen_demographics:
                c.add(
                    _join(_index("questions", i), "demographic"),
                    f'only one question may be the "{q.demographic}" question '
                    f"(already questions[{seen_demographics[q.demographic]}])",
                )
            else:
                seen_demographics[q.demographic] = i
    questions = _assign_pages(c, parsed)
    by_key: dict[str, QuestionDef] = {}
    for q in questions:
        by_key.setdefault(q.key, q)

    # KPIs.
    kpis: list[KpiDef] = []
    seen_kpis: dict[str, int] = {}
    for i, raw in enumerate(_table_list(c, top, "kpis", "", required=False)):
        kpi = _parse_kpi(c, raw, _index("kpis", i), by_key)
        if kpi is None:
            continue
        if kpi.key:
            if kpi.key in seen_kpis:
                c.add(
                    _join(_index("kpis", i), "key"),
                    f'duplicate KPI key "{kpi.key}" (already used by kpis[{seen_kpis[kpi.key]}])',
                )
            else:
                seen_kpis[kpi.key] = i
        kpis.append(kpi)

    # Languages.
    status = _parse_translation_status(c, top)
    raw_status = top.get("translation_status", {"ja": "reviewed"})
    declared = (
        {str(lang) for lang in raw_status} if isinstance(raw_status, Mapping) else set(LANGUAGES)
    )
    if default_language not in declared:
        c.add("default_language", f'"{default_language}" is not listed in translation_status')
    _check_translations(c, status, declared, texts)

    if c.errors:
        raise DefinitionError(c.errors)
    return SurveyDef(
        key=key or "",
        title=title,
        description=description,
        default_language=default_language,
        audience=audience or "",
        public_results=public_results,
        questions=tuple(questions),
        kpis=tuple(kpis),
        translation_status=status,
        minutes=minutes,
        contact=contact,
    )


def loads_definition(text: str, source: str = "<definition>") -> SurveyDef:
    """Parse TOML text.  A TOML syntax error becomes a DefinitionError naming the line."""
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DefinitionError([_syntax_error(source, str(exc), text)]) from exc
    return parse_definition(data, source)


def _syntax_error(source: str, message: str, text: str) -> str:
    m = _TOML_POSITION_RE.match(message)
    if m:
        where = f"line {m['line']}, column {m['col']}"
        detail = m["msg"]
    else:
        end = _TOML_END_RE.match(message)
        lines = text.count("\n") + (0 if text.endswith("\n") else 1)
        where = f"line {max(lines, 1)} (end of file)"
        detail = end["msg"] if end else message
    detail = detail[:1].lower() + detail[1:]
    return f"{source}: {where}: TOML syntax error: {detail}"


def load_definition(path: str | os.PathLike[str]) -> SurveyDef:
    """Read and validate a definition file (UTF-8, a leading BOM is accepted)."""
    source = os.fspath(path)
    try:
        raw = pathlib.Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DefinitionError([f"{source}: cannot read the file ({reason})"]) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DefinitionError(
            [f"{source}: line {line}: the file is not UTF-8 text; save it as UTF-8 (not Shift_JIS)"]
        ) from exc
    return loads_definition(text, source)


# --------------------------------------------------------------------------- writing


def _number_out(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _texts_out(mapping: Mapping[str, str]) -> dict[str, str]:
    return {lang: mapping[lang] for lang in LANGUAGES if lang in mapping}


def definition_to_dict(defn: SurveyDef) -> dict[str, Any]:
    """Canonical plain data in the file's shape, with a fixed key order.

    Optional values that are unset (None, empty hints, default option kind) are left out.
    """
    out: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "key": defn.key,
        "default_language": defn.default_language,
        "audience": defn.audience,
        "public_results": defn.public_results,
        "title": _texts_out(defn.title),
    }
    if defn.description:
        out["description"] = _texts_out(defn.description)
    out["translation_status"] = _texts_out(defn.translation_status)
    if defn.minutes is not None:
        out["minutes"] = defn.minutes
    if defn.contact is not None:
        contact = dataclasses.asdict(defn.contact)
        out["contact"] = {key: (_texts_out(value) if key == "name" else value)
                          for key, value in contact.items() if value}
    questions: list[dict[str, Any]] = []
    for q in defn.questions:
        qd: dict[str, Any] = {"key": q.key, "type": q.type, "page": q.page, "required": q.required}
        if q.demographic is not None:
            qd["demographic"] = q.demographic
        if q.max_length is not None:
            qd["max_length"] = q.max_length
        qd["text"] = _texts_out(q.text)
        if q.hint:
            qd["hint"] = _texts_out(q.hint)
        if q.options:
            options: list[dict[str, Any]] = []
            for o in q.options:
                od: dict[str, Any] = {"code": o.code}
                if o.kind != "answer":
                    od["kind"] = o.kind
                if o.score is not None:
                    od["score"] = _number_out(o.score)
                od["text"] = _texts_out(o.text)
                options.append(od)
            qd["options"] = options
        questions.append(qd)
    out["questions"] = questions
    if defn.kpis:
        kpis: list[dict[str, Any]] = []
        for k in defn.kpis:
            kd: dict[str, Any] = {
                "key": k.key,
                "question": k.question,
                "success": list(k.success),
                "excluded": list(k.excluded),
                "no_answer_in_base": k.no_answer_in_base,
                "direction": k.direction,
                "baseline_value": k.baseline_value,
                "baseline_fiscal_year": k.baseline_fiscal_year,
            }
            if k.baseline_n is not None:
                kd["baseline_n"] = k.baseline_n
            if k.target_value is not None:
                kd["target_value"] = k.target_value
            kd["target_fiscal_year"] = k.target_fiscal_year
            if k.population is not None:
                kd["population"] = k.population
            kd["title"] = _texts_out(k.title)
            kd["headline"] = _texts_out(k.headline)
            kpis.append(kd)
        out["kpis"] = kpis
    return out


def dump_definition(defn: SurveyDef) -> str:
    """TOML text for ``defn``; ``loads_definition(dump_definition(d)) == d``."""
    body = tomli_w.dumps(definition_to_dict(defn), multiline_strings=True)
    return f"# Survey definition, format {FORMAT_VERSION} (see docs/survey-format.md).\n\n{body}"


def content_hash(defn: SurveyDef) -> str:
    """SHA-256 (hex) of the canonical JSON of ``definition_to_dict(defn)``."""
    canonical = json.dumps(
        definition_to_dict(defn),
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def builtin_paths() -> list[pathlib.Path]:
    """Sorted paths of the built-in definitions shipped with the app."""
    return sorted(pathlib.Path(__file__).resolve().with_name("builtin").glob("*.toml"))
