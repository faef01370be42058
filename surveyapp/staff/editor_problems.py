"""Where the editor shows a problem of the draft: the page and the field for its key path,
and where it is in words (「設問1・選択肢2・表示（英語）」)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from wtforms import FieldList

from ..surveys.format.problems import KeyPath, Problem
from ..surveys.format.schema import (
    KPI,
    LANGUAGE_LABELS,
    QUESTION,
    SURVEY,
    Nested,
    StatusMap,
    Table,
    TableList,
    Texts,
)


def ident(lang: str) -> str:
    """A language code as part of a field name: ``pt-BR`` → ``pt_BR``."""
    return lang.replace("-", "_")


def field_name(path: KeyPath, table: Table) -> str:
    """The editor field that shows a problem at ``path`` (relative to ``table``), e.g.
    ``("options", 1, "text", "en")`` → ``options-1-text_en``; "" when no field shows it."""
    if not path or not isinstance(path[0], str):
        return ""
    head, rest = path[0], path[1:]
    if head not in table.keys:
        return ""
    f = table.field(head)
    match f.type:
        case Texts():
            lang = rest[0] if rest and isinstance(rest[0], str) else "ja"
            return f"{head}_{ident(lang)}"
        case StatusMap():
            return f"status_{ident(rest[0])}" if rest and isinstance(rest[0], str) else "languages"
        case TableList(table=inner):
            if rest and isinstance(rest[0], int):
                below = field_name(rest[1:], inner)
                return f"{head}-{rest[0]}" + (f"-{below}" if below else "")
            return head
        case Nested(table=inner):
            below = field_name(rest, inner)
            return f"{head}_{below}" if below else head
    return "same_page" if head == "page" else head


def page_of(problem: Problem) -> tuple[str, int | None, str]:
    """Where the editor shows a problem: (``settings`` | ``question`` | ``kpi`` | ``overview``,
    the item's index, the field name)."""
    path = problem.path
    if len(path) >= 2 and path[0] in ("questions", "kpis") and isinstance(path[1], int):
        table = QUESTION if path[0] == "questions" else KPI
        return ("question" if path[0] == "questions" else "kpi"), path[1], field_name(path[2:], table)
    if path and path[0] in ("questions", "kpis"):
        return "overview", None, ""
    return "settings", None, field_name(path, SURVEY)


def place_label(path: KeyPath, table: Table = SURVEY) -> str:
    """Where a problem is, for staff: ``questions[0].options[1].text.en`` → 「設問1・選択肢2・表示（英語）」."""
    nouns = {"questions": _("設問%(n)d"), "options": _("選択肢%(n)d"), "kpis": _("KPI %(n)d")}
    parts: list[str] = []
    i = 0
    while i < len(path):
        part = path[i]
        if not isinstance(part, str) or part not in table.keys:
            i += 1
            continue
        f = table.field(part)
        nested = path[i + 1] if i + 1 < len(path) else None
        if isinstance(f.type, TableList) and isinstance(nested, int):
            parts.append(nouns[part] % {"n": nested + 1})
            table = f.type.table
            i += 2
            continue
        label = f.label
        if isinstance(f.type, Texts | StatusMap) and isinstance(nested, str):
            label = _("%(field)s（%(language)s）", field=label, language=LANGUAGE_LABELS.get(nested, nested))
            i += 1
        parts.append(label)
        i += 1
    return _("・").join(parts)


def page_problems(problems: Iterable[Problem], page: str, index: int | None = None) -> list[dict[str, str]]:
    """The problems of one editor page, each with its field name and where it is."""
    table = QUESTION if page == "question" else KPI if page == "kpi" else SURVEY
    found = []
    for problem in problems:
        where, item, name = page_of(problem)
        if where == page and item == index:
            path = problem.path[2:] if page in ("question", "kpi") else problem.path
            found.append({"name": name, "place": place_label(path, table), "message": problem.message})
    return found


def problems_by_field(problems: Iterable[Problem], page: str, index: int | None = None) -> dict[str, list[str]]:
    """The messages of one editor page by field name ("" for those without a field)."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        where, item, name = page_of(problem)
        if where == page and item == index:
            found.setdefault(name, []).append(problem.message)
    return found


def rendered_names(form: Any) -> list[str]:
    """The names of every field of a form, nested ones included (``options-0``,
    ``options-0-code`` …): problems for other names are listed apart."""
    names: list[str] = []
    for field in form:
        names.append(field.name)
        if isinstance(field, FieldList):
            for entry in field:
                names.append(entry.name)
                names.extend(sub.name for sub in entry.form)
    return names
