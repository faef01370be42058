"""Survey definitions: the public names other modules use.

A survey is described by one definition (see ``docs/survey-format.md``), written as a TOML
file, an Excel workbook or (stored) plain data.  The format is declared once in
``format/schema.py``; ``format/`` holds one module per job:

- ``schema``: the declared keys, types, defaults, Japanese labels and help texts
- ``model``: the immutable dataclasses (SurveyDef, QuestionDef, OptionDef, KpiDef)
- ``parse`` and ``rules``: plain data → SurveyDef, reporting every problem
- ``problems``: the problems and their wording (Japanese, for staff)
- ``serialise``: SurveyDef → canonical plain data and its content hash
- ``tomlfile``: the TOML front door; ``workbook_*``: the Excel front door;
  ``files``: either, chosen by the file name; ``json_schema``: the published JSON Schema
"""

from __future__ import annotations

import pathlib
from collections.abc import Mapping
from typing import Any

from .format.model import ContactDef, KpiDef, OptionDef, QuestionDef, ReportInfo, SurveyDef
from .format.parse import validate
from .format.problems import DefinitionError, Problem, located
from .format.schema import (
    AUDIENCES,
    CHOICE_TYPES,
    DEMOGRAPHICS,
    DIRECTIONS,
    FORMAT_VERSION,
    LANGUAGES,
    MAX_LENGTH_LIMIT,
    OPTION_KINDS,
    QUESTION_TYPES,
    TEXT_MAX_LENGTH_DEFAULT,
    TEXT_SHORT_MAX_LENGTH_DEFAULT,
    TEXT_TYPES,
    TRANSLATION_STATUSES,
)
from .format.serialise import content_hash, definition_to_dict
from .format.tomlfile import dump_definition, load_definition, loads_definition

__all__ = [
    "AUDIENCES",
    "CHOICE_TYPES",
    "DEMOGRAPHICS",
    "DIRECTIONS",
    "FORMAT_VERSION",
    "LANGUAGES",
    "MAX_LENGTH_LIMIT",
    "OPTION_KINDS",
    "QUESTION_TYPES",
    "TEXT_MAX_LENGTH_DEFAULT",
    "TEXT_SHORT_MAX_LENGTH_DEFAULT",
    "TEXT_TYPES",
    "TRANSLATION_STATUSES",
    "ContactDef",
    "DefinitionError",
    "KpiDef",
    "OptionDef",
    "Problem",
    "QuestionDef",
    "ReportInfo",
    "SurveyDef",
    "builtin_paths",
    "content_hash",
    "definition_to_dict",
    "dump_definition",
    "load_definition",
    "loads_definition",
    "parse_definition",
]


def parse_definition(data: Mapping[str, Any], source: str = "<definition>") -> SurveyDef:
    """Validate plain data (as read from TOML or stored) and build a SurveyDef.

    Raises DefinitionError listing every problem found.
    """
    defn, problems = validate(data)
    if defn is None:
        raise DefinitionError.of(located(problems, source))
    return defn


def builtin_paths() -> list[pathlib.Path]:
    """Sorted paths of the built-in definitions shipped with the app."""
    return sorted(pathlib.Path(__file__).resolve().with_name("builtin").glob("*.toml"))
