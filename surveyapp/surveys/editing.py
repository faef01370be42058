"""Changes staff make to a draft in the browser, as operations on its plain data.

A draft is stored in the definition file's shape (``format``, ``key``, ``title``,
``questions`` …, see docs/survey-format.md), so that the same validation gives the same
messages as a TOML file or a workbook.  These functions change that data in place; they are
pure (no Flask, no database) and never raise on odd values: whatever the staff typed is kept,
and the validation says what is wrong.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from .format.schema import CHOICE_TYPES, FORMAT_VERSION, KPI, LANGUAGES, OPTION, QUESTION, SURVEY, TEXT_TYPES, Texts

Data = dict[str, Any]


def blank_definition(key: str, title: str) -> Data:
    """A new survey: Japanese only, one empty question to start from."""
    data: Data = {
        "format": FORMAT_VERSION, "key": key, "audience": "residents", "public_results": False,
        "default_language": "ja", "translation_status": {"ja": "reviewed"}, "questions": [], "kpis": [],
    }
    if title.strip():
        data["title"] = {"ja": title.strip()}
    add_question(data)
    return data


def copied_definition(source: Mapping[str, Any], key: str, title: str) -> Data:
    """Another survey's definition under a new key; a new title replaces every language of
    the old one (the translations of the new title are then missing, and reported)."""
    data: Data = copy.deepcopy(dict(source))
    data["key"] = key
    if title.strip():
        data["title"] = {"ja": title}
    return data


# --------------------------------------------------------------------------- languages


def offered_languages(data: Mapping[str, Any]) -> list[str]:
    """The languages in ``translation_status`` (Japanese first), in the order of LANGUAGES."""
    status = data.get("translation_status")
    listed = set(status) if isinstance(status, Mapping) else set()
    return [lang for lang in LANGUAGES if lang == "ja" or lang in listed]


def text_languages(data: Mapping[str, Any], texts: Any) -> list[str]:
    """Languages to show for one text: the offered ones and any other the text already has."""
    present = set(texts) if isinstance(texts, Mapping) else set()
    wanted = set(offered_languages(data)) | present
    return [lang for lang in LANGUAGES if lang in wanted]


def set_translation_status(data: Data, statuses: Mapping[str, str]) -> list[str]:
    """Offer exactly the languages in ``statuses``; the respondent texts of languages no longer
    offered are removed (a text in a language that is not offered is not allowed).  Returns the
    removed languages."""
    before = offered_languages(data)
    data["translation_status"] = {lang: statuses[lang] for lang in LANGUAGES if lang in statuses}
    removed = [lang for lang in before if lang not in statuses and lang != "ja"]
    if removed:
        for texts in respondent_texts(data):
            for lang in removed:
                texts.pop(lang, None)
    return removed


def respondent_texts(data: Data) -> list[dict[str, Any]]:
    """Every respondent-facing text table of the definition (title, description, question
    texts and hints, option texts), to change in place."""
    found = [data[key] for key in ("title", "description") if isinstance(data.get(key), dict)]
    for question in _tables(data.get("questions")):
        found.extend(question[key] for key in ("text", "hint") if isinstance(question.get(key), dict))
        for option in _tables(question.get("options")):
            if isinstance(option.get("text"), dict):
                found.append(option["text"])
    return found


def _tables(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# --------------------------------------------------------------------------- pages


def same_page_flags(questions: Sequence[Mapping[str, Any]]) -> list[bool]:
    """For each question, whether it shares the page of the question before it."""
    pages = [q.get("page") for q in questions]
    if not pages or any(not isinstance(p, int) or isinstance(p, bool) for p in pages):
        return [False] * len(pages)
    return [i > 0 and pages[i] == pages[i - 1] for i in range(len(pages))]


def page_numbers(questions: Sequence[Mapping[str, Any]]) -> list[int]:
    """The page each question is shown on."""
    numbers: list[int] = []
    page = 0
    for shares in same_page_flags(questions):  # the first question never shares
        page += 0 if shares else 1
        numbers.append(page)
    return numbers


def apply_page_flags(questions: list[dict[str, Any]], flags: Sequence[bool]) -> None:
    """Number the pages from the flags; with no shared page, leave page numbers out (one
    question per page is the default)."""
    if not any(flags[1:]):
        for q in questions:
            q.pop("page", None)
        return
    page = 0
    for i, q in enumerate(questions):
        if i == 0 or not flags[i]:
            page += 1
        q["page"] = page


# --------------------------------------------------------------------------- questions


def questions_of(data: Data) -> list[dict[str, Any]]:
    questions = data.get("questions")
    if not isinstance(questions, list):
        questions = data["questions"] = []
    return questions


def new_question_key(data: Mapping[str, Any]) -> str:
    used = {q.get("key") for q in _tables(data.get("questions"))}
    n = 1
    while f"q{n}" in used:
        n += 1
    return f"q{n}"


def add_question(data: Data, qtype: str = "single") -> int:
    """Append a question with a free key (``q1``, ``q2`` …) and, for a choice, two options;
    the texts are left for the staff to write (absent, as an empty cell of a workbook).
    Returns its index."""
    questions = questions_of(data)
    flags = same_page_flags(questions)
    question: dict[str, Any] = {"key": new_question_key(data), "type": qtype, "required": False}
    if qtype in CHOICE_TYPES:
        question["options"] = []
        add_option(question)
        add_option(question)
    questions.append(question)
    apply_page_flags(questions, [*flags, False])
    return len(questions) - 1


def move_question(data: Data, index: int, delta: int) -> int:
    """Move a question up (-1) or down (+1); it keeps whether it shares the page before it.
    Returns its new index (unchanged at either end)."""
    questions = questions_of(data)
    flags = same_page_flags(questions)
    target = index + delta
    if not (0 <= index < len(questions) and 0 <= target < len(questions)):
        return index
    questions.insert(target, questions.pop(index))
    flags.insert(target, flags.pop(index))
    flags[0] = False
    apply_page_flags(questions, flags)
    return target


def remove_question(data: Data, index: int) -> dict[str, Any] | None:
    """Remove a question; KPIs that count it stay and report the missing question."""
    questions = questions_of(data)
    if not 0 <= index < len(questions):
        return None
    flags = same_page_flags(questions)
    removed = questions.pop(index)
    flags.pop(index)
    if flags:
        flags[0] = False
    apply_page_flags(questions, flags)
    return removed if isinstance(removed, dict) else None


def replace_question(data: Data, index: int, question: dict[str, Any], same_page: bool) -> None:
    """Store the edited question; a changed key or option code is followed by the KPIs that
    point at it, and options or a length limit that the new type does not have are dropped."""
    questions = questions_of(data)
    old = questions[index]
    flags = same_page_flags(questions)
    qtype = question.get("type")
    if qtype in TEXT_TYPES:
        question.pop("options", None)
    else:
        question.pop("max_length", None)
        if qtype in CHOICE_TYPES and len(_tables(question.get("options"))) < 2:
            question.setdefault("options", [])
            while len(question["options"]) < 2:
                add_option(question)
    if qtype != "single":
        question.pop("demographic", None)
    _follow_renames(data, old, question)
    questions[index] = question
    flags[index] = same_page and index > 0
    apply_page_flags(questions, flags)


def _follow_renames(data: Data, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    old_key, new_key = old.get("key"), new.get("key")
    renamed: dict[str, str] = {}
    old_options, new_options = _tables(old.get("options")), _tables(new.get("options"))
    if len(old_options) == len(new_options):
        for before, after in zip(old_options, new_options, strict=True):
            was, now = before.get("code"), after.get("code")
            if was != now and isinstance(was, str) and isinstance(now, str) and now:
                renamed[was] = now
    for kpi in _tables(data.get("kpis")):
        if kpi.get("question") != old_key or not isinstance(old_key, str):
            continue
        if old_key != new_key and isinstance(new_key, str) and new_key:
            kpi["question"] = new_key
        for name in ("success", "excluded"):
            codes = kpi.get(name)
            if isinstance(codes, list):
                kpi[name] = [renamed.get(code, code) if isinstance(code, str) else code for code in codes]


def questions_for_kpi(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The single-choice questions a KPI can count."""
    return [q for q in _tables(data.get("questions")) if q.get("type") == "single"]


# --------------------------------------------------------------------------- options


def new_option_code(question: Mapping[str, Any]) -> str:
    """The next free number, as survey coding in Japan usually numbers the options."""
    used = {o.get("code") for o in _tables(question.get("options"))}
    n = 1
    while str(n) in used:
        n += 1
    return str(n)


def add_option(question: dict[str, Any]) -> int:
    options = question.get("options")
    if not isinstance(options, list):
        options = question["options"] = []
    options.append({"code": new_option_code(question)})
    return len(options) - 1


def move_option(question: dict[str, Any], index: int, delta: int) -> int:
    options = _tables(question.get("options"))
    target = index + delta
    if not (0 <= index < len(options) and 0 <= target < len(options)):
        return index
    options.insert(target, options.pop(index))
    question["options"] = options
    return target


def remove_option(question: dict[str, Any], index: int) -> None:
    options = _tables(question.get("options"))
    if 0 <= index < len(options):
        options.pop(index)
    question["options"] = options


# --------------------------------------------------------------------------- KPIs


def kpis_of(data: Data) -> list[dict[str, Any]]:
    kpis = data.get("kpis")
    if not isinstance(kpis, list):
        kpis = data["kpis"] = []
    return kpis


def add_kpi(data: Data, fiscal_year: int) -> int:
    """Append a KPI on the first single-choice question, with this fiscal year as the baseline
    year; values the plan gives (baseline, target) are left for the staff to write."""
    kpis = kpis_of(data)
    used = {k.get("key") for k in _tables(kpis)}
    n = 1
    while f"kpi{n}" in used:
        n += 1
    candidates = questions_for_kpi(data)
    kpi: dict[str, Any] = {"key": f"kpi{n}", "success": [], "excluded": [], "no_answer_in_base": True,
                           "direction": "up",
                           "baseline_fiscal_year": fiscal_year, "target_fiscal_year": fiscal_year}
    if candidates:
        kpi["question"] = candidates[0].get("key")
    kpis.append(kpi)
    return len(kpis) - 1


def remove_kpi(data: Data, index: int) -> None:
    kpis = kpis_of(data)
    if 0 <= index < len(kpis):
        kpis.pop(index)


def text_fields(table_name: str) -> tuple[str, ...]:
    """The keys of a table that hold language → text maps."""
    table = {"survey": SURVEY, "question": QUESTION, "option": OPTION, "kpi": KPI}[table_name]
    return tuple(f.key for f in table.fields if isinstance(f.type, Texts))
