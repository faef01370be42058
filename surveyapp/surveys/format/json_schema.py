"""The definition format as JSON Schema (draft-04, the dialect TOML editors such as Taplo
read), generated from the declarations in ``schema.py`` and published as
``docs/survey-schema.json``.

The schema checks keys, types, lists and ranges while typing; the rules that relate several
values (unique codes, pages, KPI references, complete translations) are checked by the app and
described in the descriptions.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from .schema import (
    FORMAT_VERSION,
    KEY_MAX_LENGTH,
    LANGUAGES,
    STATUS_CHOICES,
    SURVEY,
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

_CODE_PATTERN = "^[a-z0-9_]+$"


def _value(f: Field, definitions: dict[str, Any]) -> dict[str, Any]:
    match f.type:
        case Str():
            return {"type": "string"}
        case Key(pattern=pattern):
            return {"type": "string", "pattern": f"^{pattern.pattern}$", "maxLength": KEY_MAX_LENGTH}
        case Enum(choices=choices):
            return {"type": "string", "enum": list(choices.codes)}
        case Boolean():
            return {"type": "boolean"}
        case Integer(minimum=minimum, maximum=maximum):
            schema: dict[str, Any] = {"type": "integer", "minimum": minimum}
            if maximum is not None:
                schema["maximum"] = maximum
            return schema
        case Number():
            return {"type": "number"}
        case Proportion():
            return {"type": "number", "minimum": 0, "maximum": 1}
        case FormatVersion():
            return {"type": "integer", "enum": [FORMAT_VERSION]}
        case Texts():
            return {"$ref": "#/definitions/texts"}
        case CodeList(min_items=min_items):
            schema = {"type": "array", "items": {"type": "string", "pattern": _CODE_PATTERN},
                      "uniqueItems": True}
            if min_items:
                schema["minItems"] = min_items
            return schema
        case StatusMap():
            return {"$ref": "#/definitions/translation_status"}
        case Line(max_length=max_length):
            return {"type": "string", "maxLength": max_length}
        case Nested(table=table):
            definitions[table.name] = _table(table, definitions)
            return {"$ref": f"#/definitions/{table.name}"}
        case TableList(table=table, min_items=min_items):
            definitions[table.name] = _table(table, definitions)
            schema = {"type": "array", "items": {"$ref": f"#/definitions/{table.name}"}}
            if min_items:
                schema["minItems"] = min_items
            return schema
    raise AssertionError(f.type)  # pragma: no cover


def _table(table: Table, definitions: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    for f in table.fields:
        schema = _value(f, definitions)
        description = _("%(label)s: %(help)s", label=f.label, help=f.help)
        if f.only_for:
            description += _("（%(types)s の設問だけ）", types=_("・").join(f.only_for))
        if "$ref" in schema:  # draft-04 ignores keywords beside $ref
            schema = {"allOf": [schema]}
        schema["description"] = description
        if f.default not in (None, {}, ()):
            schema["default"] = f.default
        properties[f.key] = schema
    out: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    required = [f.key for f in table.fields if f.required]
    if required:
        out["required"] = required
    return out


def definition_schema() -> dict[str, Any]:
    """The JSON Schema of a definition file."""
    definitions: dict[str, Any] = {
        "texts": {
            "description": _("言語コードごとの文。ja（日本語）は必須。"),
            "type": "object",
            "properties": {lang: {"type": "string", "pattern": "\\S"} for lang in LANGUAGES},
            "required": ["ja"],
            "additionalProperties": False,
        },
        "translation_status": {
            "description": _("回答者に提供する言語と翻訳の状態: %(choices)s。ja は必須。",
                             choices=STATUS_CHOICES.listing()),
            "type": "object",
            "properties": {lang: {"type": "string", "enum": list(STATUS_CHOICES.codes)} for lang in LANGUAGES},
            "required": ["ja"],
            "additionalProperties": False,
        },
    }
    root = _table(SURVEY, definitions)
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "title": _("surveyapp 調査定義ファイル（format %(version)s）", version=FORMAT_VERSION),
        "description": _("docs/survey-format.md を参照。キーの重複、ページ番号、KPI の参照、翻訳のそろい方は"
                         "アプリが読み込むときに確かめます（flask surveys load）。"),
        **root,
        "definitions": dict(sorted(definitions.items())),
    }


def definition_schema_json() -> str:
    """The schema as the text of ``docs/survey-schema.json``."""
    return json.dumps(definition_schema(), ensure_ascii=False, indent=2) + "\n"
