"""A SurveyDef → plain data in the file's shape (canonical key order), and its content hash.

The canonical data is what the database stores for a version, what the TOML writer and the
workbook writer start from, and what the content hash is computed over.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .model import SurveyDef
from .schema import FORMAT_VERSION, LANGUAGES, SURVEY, CodeList, FormatVersion, Nested, Number, Table, TableList, Texts


def _number_out(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _table_out(table: Table, obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in table.fields:
        if isinstance(f.type, FormatVersion):
            out[f.key] = FORMAT_VERSION
            continue
        value = getattr(obj, f.key)
        if isinstance(f.type, Nested):
            nested = _table_out(f.type.table, value)
            if nested or f.write != "if_set":
                out[f.key] = nested
            continue
        if f.write == "if_set" and (value is None or value == f.default or value in ({}, ())):
            continue
        match f.type:
            case TableList(table=inner):
                out[f.key] = [_table_out(inner, item) for item in value]
            case Texts():
                out[f.key] = texts_out(value)
            case CodeList():
                out[f.key] = list(value)
            case Number():
                out[f.key] = _number_out(value)
            case _ if isinstance(value, Mapping):
                out[f.key] = texts_out(value)
            case _:
                out[f.key] = value
    return out


def texts_out(mapping: Mapping[str, str]) -> dict[str, str]:
    """A language map in the order of LANGUAGES."""
    return {lang: mapping[lang] for lang in LANGUAGES if lang in mapping}


def definition_to_dict(defn: SurveyDef) -> dict[str, Any]:
    """Canonical plain data in the file's shape, with a fixed key order.

    Optional values that are unset (None, empty hints, default option kind) are left out.
    """
    return _table_out(SURVEY, defn)


def content_hash(defn: SurveyDef) -> str:
    """SHA-256 (hex) of the canonical JSON of ``definition_to_dict(defn)``."""
    canonical = json.dumps(
        definition_to_dict(defn), ensure_ascii=False, sort_keys=True, separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
