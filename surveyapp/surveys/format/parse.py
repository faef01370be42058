"""Plain data (as read from TOML, a workbook or the database) → a validated SurveyDef.

Each value is checked against its declaration in ``schema.py``; then the rules in ``rules.py``
check how the values fit together.  Every problem is collected, never only the first, and
nothing is built unless there are none.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from flask_babel import gettext as _

from . import rules
from .model import ContactDef, KpiDef, OptionDef, QuestionDef, ReportInfo, SurveyDef
from .problems import Collector, KeyPath, Problem, describe, did_you_mean, keypath, now_is, suggestion
from .schema import (
    FORMAT_VERSION,
    KEY_MAX_LENGTH,
    LANGUAGES,
    QUESTION,
    STATUS_CHOICES,
    SURVEY,
    TEXT_MAX_LENGTH_DEFAULT,
    TEXT_SHORT_MAX_LENGTH_DEFAULT,
    Boolean,
    CodeList,
    Enum,
    Field,
    FormatVersion,
    Integer,
    Key,
    Line,
    Nested,
    Number,
    Proportion,
    StatusMap,
    Str,
    Table,
    TableList,
    Texts,
)

_INVALID: Final = object()
_CONTROL_RE: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

_LANGUAGE_ALIASES: Final = {
    "jp": "ja", "jpn": "ja", "ja-jp": "ja", "easy-ja": "ja-easy", "yasashii": "ja-easy",
    "pt": "pt-BR", "zh": "zh-Hans", "zh-cn": "zh-Hans", "cn": "zh-Hans", "fil": "tl",
}


@dataclass
class Checked:
    """A table whose values passed their own checks.

    ``values`` holds the valid values, with defaults for absent keys (a wrong value is left
    out, so rules use ``.get``); ``raw`` is the table as given.  Nested table lists hold one
    Checked per item, or None where the item was not a table.
    """

    table: Table
    path: KeyPath
    raw: Mapping[str, Any]
    values: dict[str, Any]

    def items(self, key: str) -> list[Checked]:
        return [item for item in self.values.get(key, ()) if item is not None]


def validate(data: Any) -> tuple[SurveyDef | None, list[Problem]]:
    """Check plain data; return the definition (None if there are problems) and the problems."""
    c = Collector()
    root = check_table(c, data, (), SURVEY)
    if root is None:
        return None, c.problems
    rules.check(c, root)
    if c.problems:
        return None, c.problems
    return build(root), []


# --------------------------------------------------------------------------- single values


def check_table(c: Collector, raw: Any, path: KeyPath, table: Table) -> Checked | None:
    """Check one table against its declaration."""
    if not isinstance(raw, Mapping):
        c.add(path, _("表にしてください%(now)s", now=now_is(raw)))
        return None
    for key in raw:
        if key not in table.keys:
            c.add(path + (str(key),),
                  _('不明なキー "%(key)s" です%(suggestion)s', key=key,
                    suggestion=suggestion(str(key), table.keys, _("ここで使えるキー"))))
    values: dict[str, Any] = {}
    for f in table.fields:
        p = path + (f.key,)
        if f.key not in raw:
            if f.required:
                c.add(p, _missing(f, p))
            elif f.default is not None:
                values[f.key] = f.default
            continue
        value = _check_value(c, f, raw[f.key], p)
        if value is not _INVALID:
            values[f.key] = value
    return Checked(table, path, raw, values)


def _missing(f: Field, p: KeyPath) -> str:
    message = _("必須の「%(field)s」がありません", field=f.label)
    match f.type:
        case Texts():
            return message + _("（%(path)s.ja に日本語で書いてください）", path=keypath(p))
        case FormatVersion():
            return message + _("（ファイルの先頭に format = %(version)s と書いてください）", version=FORMAT_VERSION)
        case TableList():
            header = "[[" + ".".join(str(part) for part in p if isinstance(part, str)) + "]]"
            return message + _("（%(header)s を1つ以上書いてください）", header=header)
    return message


def _check_value(c: Collector, f: Field, value: Any, p: KeyPath) -> Any:
    match f.type:
        case Str():
            return _string(c, value, p)
        case Key() as key:
            text = _string(c, value, p)
            if text is not _INVALID and not (key.pattern.fullmatch(text) and len(text) <= KEY_MAX_LENGTH):
                c.add(p, _('"%(text)s" は%(noun)sに使えません。%(allowed)s（例: "%(example)s"）',
                           text=text, noun=key.noun, allowed=key.allowed, example=key.example))
                return _INVALID
            return text
        case Enum(choices=choices):
            text = _string(c, value, p)
            if text is not _INVALID and text not in choices.codes:
                guess = did_you_mean(text, choices.codes)
                c.add(p, _('"%(text)s" は使えません。%(choices)sのどれかにしてください',
                           text=text, choices=choices.listing())
                      + (_("（%(guess)s）", guess=guess) if guess else ""))
                return _INVALID
            return text
        case Boolean():
            if not isinstance(value, bool):
                c.add(p, _("true（はい）か false（いいえ）にしてください%(now)s", now=now_is(value)))
                return _INVALID
            return value
        case Integer():
            return _integer(c, value, p, f.type)
        case Number():
            if not _is_number(value) or not math.isfinite(float(value)):
                c.add(p, _("数値にしてください%(now)s", now=now_is(value)))
                return _INVALID
            return float(value)
        case Proportion():
            return _proportion(c, value, p)
        case FormatVersion():
            if not _is_int(value) or value != FORMAT_VERSION:
                c.add(p, _("対応していない形式の版です%(now)s。このアプリが読めるのは format = %(version)s です",
                           now=now_is(value), version=FORMAT_VERSION))
                return _INVALID
            return value
        case Texts():
            return _texts(c, value, p, required=f.required)
        case CodeList():
            return _code_list(c, value, p, f.type)
        case StatusMap():
            return _status_map(c, value, p)
        case TableList():
            return _table_list(c, value, p, f)
        case Line():
            return _line(c, value, p, f.type)
        case Nested(table=table):
            checked = check_table(c, value, p, table)
            return _INVALID if checked is None else checked
    raise AssertionError(f.type)  # pragma: no cover - every declared type is handled above


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _string(c: Collector, value: Any, p: KeyPath) -> Any:
    if not isinstance(value, str):
        c.add(p, _("文字列にしてください%(now)s", now=now_is(value)))
        return _INVALID
    return value


def _line(c: Collector, value: Any, p: KeyPath, spec: Line) -> Any:
    text = _string(c, value, p)
    if text is _INVALID:
        return _INVALID
    text = " ".join(text.split())
    if control := _CONTROL_RE.search(text):
        c.add(p, _control_message(control.group()))
        return _INVALID
    if len(text) > spec.max_length:
        c.add(p, _("%(max)s文字以内にしてください（今は%(length)s文字です）", max=spec.max_length, length=len(text)))
        return _INVALID
    if spec.pattern is not None and text and not spec.pattern.fullmatch(text):
        c.add(p, _('"%(text)s" は%(what)sではありません', text=text[:40], what=spec.what))
        return _INVALID
    return text


def _control_message(character: str) -> str:
    return _("使えない制御文字（U+%(code)s）が入っています。消してください", code=f"{ord(character):04X}")


def _advice(spec: Integer) -> str:
    return _("。%(advice)s", advice=spec.advice) if spec.advice_text else ""


def _integer(c: Collector, value: Any, p: KeyPath, spec: Integer) -> Any:
    if not _is_int(value):
        c.add(p, _("整数にしてください%(now)s", now=now_is(value)))
        return _INVALID
    if spec.maximum is None and value < spec.minimum:
        c.add(p, _("%(min)s 以上の整数にしてください（今は %(value)s です）", min=spec.minimum, value=value)
              + _advice(spec))
        return _INVALID
    if spec.maximum is not None and not spec.minimum <= value <= spec.maximum:
        c.add(p, _("%(min)s〜%(max)s の整数にしてください（今は %(value)s です）",
                   min=spec.minimum, max=spec.maximum, value=value) + _advice(spec))
        return _INVALID
    return int(value)


def _proportion(c: Collector, value: Any, p: KeyPath) -> Any:
    if not _is_number(value):
        c.add(p, _("0〜1 の割合（数値）にしてください%(now)s", now=now_is(value)))
        return _INVALID
    number = float(value)
    if math.isfinite(number) and 0.0 <= number <= 1.0:
        return number
    if math.isfinite(number) and 1.0 < number <= 100.0:
        c.add(p, _("百分率ではなく 0〜1 の割合で書いてください（%(percent)s %% は %(proportion)s と書きます）",
                   percent=f"{number:g}", proportion=f"{number / 100:g}"))
    else:
        c.add(p, _("0〜1 の割合にしてください（今は %(value)s です）", value=repr(value)))
    return _INVALID


def language_hint(lang: str) -> str:
    """``（"ja" の誤りではありませんか？）`` for common mistakes, else the supported codes."""
    normal = lang.lower().replace("_", "-")
    guess = {code.lower(): code for code in LANGUAGES}.get(normal) or _LANGUAGE_ALIASES.get(normal)
    if guess:
        return _('（"%(guess)s" の誤りではありませんか？）', guess=guess)
    return suggestion(lang, LANGUAGES, _("使える言語コード"))


def _unknown_language(lang: object) -> str:
    return _('不明な言語コード "%(code)s" です%(hint)s', code=lang, hint=language_hint(str(lang)))


def _texts(c: Collector, value: Any, p: KeyPath, *, required: bool) -> Any:
    """A language → text table, ordered as LANGUAGES; line endings become "\\n"."""
    if not isinstance(value, Mapping):
        how = _('。%(path)s.ja = "…" のように書きます', path=keypath(p)) if isinstance(value, str) else ""
        c.add(p, _("言語ごとの文の表にしてください（今は%(value)sです%(how)s）", value=describe(value), how=how))
        return _INVALID
    found: dict[str, str] = {}
    for lang, text in value.items():
        lp = p + (str(lang),)
        if lang not in LANGUAGES:
            c.add(lp, _unknown_language(lang))
        elif not isinstance(text, str):
            c.add(lp, _("文字列にしてください%(now)s", now=now_is(text)))
        elif not text.strip():
            c.add(lp, _("空にはできません。文を書くか、この言語の文をなくしてください"))
        elif control := _CONTROL_RE.search(text):
            c.add(lp, _control_message(control.group()))
        else:
            found[lang] = text.replace("\r\n", "\n").replace("\r", "\n")
    if "ja" not in value and (required or value):
        c.add(p + ("ja",), _("日本語（ja）の文がありません（日本語はどの文にも必要です）"))
    return {lang: found[lang] for lang in LANGUAGES if lang in found}


def _code_list(c: Collector, value: Any, p: KeyPath, spec: CodeList) -> Any:
    """A list of option codes; wrong entries are reported and dropped."""
    if not isinstance(value, list | tuple):
        c.add(p, _('["satisfied"] のような回答コードのリストにしてください%(now)s', now=now_is(value)))
        return _INVALID
    codes: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str):
            c.add(p + (i,), _("回答コード（文字列）にしてください%(now)s", now=now_is(item)))
        elif item in codes:
            c.add(p + (i,), _('回答コード "%(code)s" が2回書かれています', code=item))
        else:
            codes.append(item)
    if not value and spec.min_items:
        c.add(p, _("回答コードを%(min)sつ以上書いてください", min=spec.min_items))
    return tuple(codes)


def _status_map(c: Collector, value: Any, p: KeyPath) -> Any:
    if not isinstance(value, Mapping):
        c.add(p, _('{ ja = "reviewed" } のような表にしてください%(now)s', now=now_is(value)))
        return _INVALID
    found: dict[str, str] = {}
    for lang, status in value.items():
        lp = p + (str(lang),)
        if lang not in LANGUAGES:
            c.add(lp, _unknown_language(lang))
        elif not isinstance(status, str):
            c.add(lp, _("文字列にしてください%(now)s", now=now_is(status)))
        elif status not in STATUS_CHOICES.codes:
            c.add(lp, _('"%(text)s" は使えません。%(choices)sのどれかにしてください',
                        text=status, choices=STATUS_CHOICES.listing()))
        else:
            found[lang] = status
    if "ja" not in value:
        c.add(p + ("ja",), _('"ja"（日本語）がありません（日本語はいつも提供します）'))
    return {lang: found[lang] for lang in LANGUAGES if lang in found}


def _table_list(c: Collector, value: Any, p: KeyPath, f: Field) -> Any:
    assert isinstance(f.type, TableList)
    if not isinstance(value, list | tuple):
        header = "[[" + ".".join(str(part) for part in p if isinstance(part, str)) + "]]"
        c.add(p, _("%(header)s と書く表のリストにしてください%(now)s", header=header, now=now_is(value)))
        return _INVALID
    if not f.only_for:  # a list allowed only on some question types is counted by the rules
        rules.count_items(c, p, f, len(value))
    return [check_table(c, item, p + (i,), f.type.table) for i, item in enumerate(value)]


# --------------------------------------------------------------------------- building


def _value(f: Field, checked: Checked) -> Any:
    value = checked.values.get(f.key)
    match f.type:
        case TableList():
            return tuple(_build(f.type.table, item) for item in checked.items(f.key))
        case Nested(table=table):
            return _build(table, value) if value is not None else _CLASSES[table.name]()
        case Texts() | StatusMap():
            return dict(value or {})
        case CodeList():
            return tuple(value or ())
    return value


_CLASSES: Final[dict[str, type]] = {
    "survey": SurveyDef, "question": QuestionDef, "option": OptionDef, "kpi": KpiDef,
    "report": ReportInfo, "contact": ContactDef,
}


def _build(table: Table, checked: Checked) -> Any:
    cls = _CLASSES[table.name]
    names = {f.name for f in dataclasses.fields(cls)}
    kwargs = {f.key: _value(f, checked) for f in table.fields if f.key in names}
    if table is QUESTION:
        qtype = kwargs["type"]
        if qtype == "text" and kwargs["max_length"] is None:
            kwargs["max_length"] = TEXT_SHORT_MAX_LENGTH_DEFAULT
        elif qtype == "textarea" and kwargs["max_length"] is None:
            kwargs["max_length"] = TEXT_MAX_LENGTH_DEFAULT
    return cls(**kwargs)


def build(root: Checked) -> SurveyDef:
    """The SurveyDef of a checked table without problems; questions without ``page`` get
    one page each."""
    defn: SurveyDef = _build(SURVEY, root)
    if not any("page" in q.raw for q in root.items("questions")):
        questions = tuple(dataclasses.replace(q, page=n) for n, q in enumerate(defn.questions, 1))
        defn = dataclasses.replace(defn, questions=questions)
    return defn
