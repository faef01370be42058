"""One entry for every definition file: TOML or Excel, chosen by the file name."""

from __future__ import annotations

import os
import pathlib
from typing import Final

from flask_babel import gettext as _

from .model import SurveyDef
from .problems import DefinitionError, Problem
from .tomlfile import decode, loads_definition

MAX_FILE_BYTES: Final = 5 * 1024 * 1024
"""Largest definition file accepted (a survey workbook is some tens of kilobytes)."""
SUFFIXES: Final = (".toml", ".xlsx")


def read_definition(filename: str, content: bytes, source: str | None = None) -> SurveyDef:
    """Validate an uploaded or stored definition file (``.toml`` or ``.xlsx``).

    ``source`` names the file in messages (default: ``filename``).  Raises DefinitionError.
    """
    source = source or filename
    suffix = pathlib.PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise DefinitionError.of([Problem(
            (), _("読めるのは TOML（.toml）と Excel ブック（.xlsx）の定義ファイルです"), source)])
    if len(content) > MAX_FILE_BYTES:
        raise DefinitionError.of([Problem(
            (), _("ファイルが大きすぎます（%(max)s MB まで）", max=MAX_FILE_BYTES // (1024 * 1024)), source)])
    if suffix == ".xlsx":
        from .workbook_read import loads_workbook  # openpyxl: imported when a workbook comes

        return loads_workbook(content, source)
    return loads_definition(decode(content, source), source)


def read_definition_file(path: str | os.PathLike[str]) -> SurveyDef:
    """Read and validate a definition file from disk (``.toml`` or ``.xlsx``)."""
    source = os.fspath(path)
    try:
        content = pathlib.Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise DefinitionError.of([Problem((), _("ファイルを読めません（%(reason)s）", reason=reason), source)]) from exc
    return read_definition(source, content)
