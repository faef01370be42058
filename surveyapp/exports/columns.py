"""Columns of the downloads, declared once: the CSV name, the Japanese heading in Excel, what the
column means, and the Excel number format of its values.

Values stay unrounded in every numeric cell; the number format decides what Excel shows (a rate
0.19799999999999995 is shown as 19.8%, and a sum or a chart uses the exact value).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..surveys.format.schema import Text
from .cells import Cell

# Excel number formats (one definition each).
RATE = "0.0%"  # a proportion 0–1 shown as a percentage
POINTS = "+0.0%;-0.0%;0.0%"  # a difference of two proportions, signed
LEVEL = "0%"  # a confidence level 0.95 shown as 95%
COUNT = "#,##0"
DECIMAL1 = "#,##0.0"  # an effective sample size
DECIMAL2 = "0.00"  # a design effect
DATE = "yyyy/mm/dd"
# Whole numbers that are not counts (years, 1/0 flags, numbers of responses and versions) stay in
# Excel's General format, which shows them as they are; a style on every cell of a million-row
# download would only cost time.
YEAR = FLAG = ID = None


@dataclass(frozen=True)
class Column:
    """One column of a download."""

    key: str  # the CSV heading (stable, ASCII)
    title: Text  # the Excel heading (Japanese; a lazy string where the column is declared once)
    description: Text = ""
    fmt: str | None = None  # the Excel number format of its numeric values (None: General)
    width: float | None = None


def csv_header(columns: Sequence[Column]) -> list[str]:
    return [column.key for column in columns]


def excel_header(columns: Sequence[Column]) -> list[str]:
    return [str(column.title) for column in columns]


def excel_formats(columns: Sequence[Column]) -> dict[int, str]:
    return {index: column.fmt for index, column in enumerate(columns) if column.fmt}


def heading_width(title: str) -> float:
    """Excel column width that shows a heading whole (a wide character counts two), 8–20."""
    units = sum(2 if unicodedata.east_asian_width(char) in ("W", "F") else 1 for char in title)
    return float(min(max(units + 2, 8), 20))


def excel_widths(columns: Sequence[Column]) -> dict[int, float]:
    """The declared width, else one that shows the heading."""
    return {index: column.width or heading_width(str(column.title)) for index, column in enumerate(columns)}


DEFINITION_COLUMNS = [
    Column("sheet", _l("シート"), width=14),
    Column("column", _l("列（CSV）"), width=26),
    Column("title", _l("列（Excel）"), width=26),
    Column("description", _l("説明"), width=90),
]


def definition_rows(tables: Iterable[tuple[str, Sequence[Column]]]) -> list[list[Cell]]:
    """The 「列の定義」 sheet: every column of every table sheet, with its meaning."""
    return [[sheet, column.key, str(column.title), str(column.description)]
            for sheet, columns in tables for column in columns]
