"""Resident population by age band × gender (optionally × area) per fiscal year, for weighting.

Staff upload it as CSV (format in ``docs/population-csv.md``, example in
``docs/examples/population-example.csv``). Parsing reports every problem with its row and
column; a new upload for a fiscal year replaces the old table in one commit.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import record
from ..extensions import db
from ..timeutil import utcnow

MAX_ERRORS = 30
MAX_ROWS = 5000
COLUMNS = {
    "age_band": ("age_band", "年齢区分", "年齢"),
    "gender": ("gender", "性別"),
    "area": ("area", "地区", "地域"),
    "population": ("population", "人口", "人数"),
}
REQUIRED = ("age_band", "gender", "population")
_CODE_RE = re.compile(r"[a-z0-9_]+")
_EXAMPLE = {"18_29": (9800, 9100), "30_39": (8600, 8200), "40_49": (10400, 10100),
            "50_59": (9900, 9800), "60_69": (9100, 9500), "70_over": (15200, 19800)}
EXAMPLE_CSV = "age_band,gender,population\r\n" + "".join(
    f"{age},male,{m}\r\n{age},female,{f}\r\n" for age, (m, f) in _EXAMPLE.items())
"""The example file of docs/examples/population-example.csv (illustrative numbers only)."""


class PopulationTable(db.Model):  # type: ignore[name-defined]
    __tablename__ = "population_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int] = mapped_column(unique=True)
    source: Mapped[str] = mapped_column(String(200))
    has_area: Mapped[bool]
    total: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    cells: Mapped[list[PopulationCell]] = relationship(
        back_populates="table", cascade="all, delete-orphan", order_by="PopulationCell.id")


class PopulationCell(db.Model):  # type: ignore[name-defined]
    __tablename__ = "population_cells"
    __table_args__ = (UniqueConstraint("table_id", "age_band", "gender", "area"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    table_id: Mapped[int] = mapped_column(
        ForeignKey("population_tables.id", ondelete="CASCADE"), index=True)
    age_band: Mapped[str] = mapped_column(String(64))
    gender: Mapped[str] = mapped_column(String(64))
    area: Mapped[str | None] = mapped_column(String(64))
    population: Mapped[int]

    table: Mapped[PopulationTable] = relationship(back_populates="cells")


@dataclass(frozen=True)
class CsvProblem:
    """One problem in an uploaded file: 1-based row (the header is row 1) and column name."""

    row: int | None
    column: str | None
    message: str


class PopulationCsvError(ValueError):
    def __init__(self, problems: list[CsvProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


Cell = tuple[str, str, str | None]


@dataclass(frozen=True)
class ParsedPopulation:
    cells: dict[Cell, int]
    has_area: bool
    encoding: str

    @property
    def total(self) -> int:
        return sum(self.cells.values())


def decode_upload(data: bytes) -> tuple[str, str]:
    """Text of an uploaded CSV: UTF-8 (with or without BOM), else CP932 (Japanese Excel)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise PopulationCsvError([CsvProblem(None, None, _("文字コードを読み取れません。UTF-8 または "
                                                "Shift_JIS（CP932）で保存してください。"))]) from None


def parse_population_csv(data: bytes, allowed: Mapping[str, Mapping[str, str]]) -> ParsedPopulation:
    """Parse and check an upload. ``allowed`` maps column → {accepted value: code}
    (codes and Japanese labels of the surveys' demographic options); an empty mapping for a
    column accepts any lower-case code."""
    text, encoding = decode_upload(data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    problems: list[CsvProblem] = []
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise PopulationCsvError([CsvProblem(None, None, _("ファイルが空です。"))])
    if len(rows) > MAX_ROWS + 1:
        raise PopulationCsvError([CsvProblem(None, None, _("行が多すぎます（%(max)d行まで）。", max=MAX_ROWS))])
    positions = _header(rows[0], problems)
    if problems:
        raise PopulationCsvError(problems)
    has_area = "area" in positions
    cells: dict[Cell, int] = {}
    first_row: dict[Cell, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        values = {name: (row[i].strip() if i < len(row) else "") for name, i in positions.items()}
        codes: dict[str, str] = {}
        for name in ("age_band", "gender", "area"):
            if name in values:
                code = _code(values[name], allowed.get(name, {}), number, positions[name], name, problems)
                if code is not None:
                    codes[name] = code
        count = _count(values["population"], number, "population", problems)
        if len(problems) >= MAX_ERRORS:
            break
        if count is None or len(codes) != len(positions) - 1:
            continue
        key: Cell = (codes["age_band"], codes["gender"], codes.get("area"))
        if key in cells:
            problems.append(CsvProblem(number, None, _("%(row)d行目と同じ区分です（重複）。", row=first_row[key])))
            continue
        cells[key] = count
        first_row[key] = number
    if not problems and not cells:
        problems.append(CsvProblem(None, None, _("データの行がありません。")))
    if not problems and sum(cells.values()) == 0:
        problems.append(CsvProblem(None, "population", _("人口の合計が0です。")))
    if problems:
        raise PopulationCsvError(problems[:MAX_ERRORS])
    return ParsedPopulation(cells=cells, has_area=has_area, encoding=encoding)


def _header(header: list[str], problems: list[CsvProblem]) -> dict[str, int]:
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    positions: dict[str, int] = {}
    for i, raw in enumerate(header):
        title = unicodedata.normalize("NFKC", raw).strip().lower()
        name = aliases.get(title)
        if name is None:
            problems.append(CsvProblem(1, raw, _("列「%(column)s」は使えません。列名は age_band, gender, "
                                                 "area（任意）, population です。", column=raw)))
        elif name in positions:
            problems.append(CsvProblem(1, raw, _("列「%(column)s」が2回あります。", column=raw)))
        else:
            positions[name] = i
    for name in REQUIRED:
        if name not in positions and not problems:
            problems.append(CsvProblem(1, name, _("列「%(column)s」がありません。", column=name)))
    return positions


def _loose(text: str) -> str:
    """NFKC, and the wave dash of UTF-8 text equal to the full-width tilde CP932 decodes to."""
    return unicodedata.normalize("NFKC", text).replace("\u301c", "~").strip()


def _code(value: str, accepted: Mapping[str, str], row: int, _index: int, column: str,
          problems: list[CsvProblem]) -> str | None:
    normal = _loose(value)
    if not normal:
        problems.append(CsvProblem(row, column, _("値が空です。")))
        return None
    if accepted:
        for candidate in (value.strip(), normal, normal.lower()):
            if candidate in accepted:
                return accepted[candidate]
        shown = _("、").join(sorted(set(accepted.values())))
        problems.append(CsvProblem(row, column, _("「%(value)s」は使えない値です（使える値：%(shown)s）。",
                                                  value=value, shown=shown)))
        return None
    if not _CODE_RE.fullmatch(normal.lower()):
        problems.append(CsvProblem(row, column, _("「%(value)s」は英小文字・数字・_ のコードで書いてください。",
                                                  value=value)))
        return None
    return normal.lower()


def _count(value: str, row: int, column: str, problems: list[CsvProblem]) -> int | None:
    normal = unicodedata.normalize("NFKC", value).strip().replace(",", "")
    if not normal.isdigit():
        problems.append(CsvProblem(row, column, _("「%(value)s」は0以上の整数ではありません。", value=value)))
        return None
    return int(normal)


def accepted_values(groups: list[tuple[str, list[tuple[str, str]]]]) -> dict[str, dict[str, str]]:
    """{column: {code or label: code}} from (demographic, [(code, label), …]) pairs."""
    accepted: dict[str, dict[str, str]] = {}
    for demographic, options in groups:
        values = accepted.setdefault(demographic, {})
        for code, label in options:
            values[code] = code
            values[_loose(label)] = code
    return accepted


def save_population_table(fiscal_year: int, parsed: ParsedPopulation, *, source: str,
                          user_id: int | None) -> PopulationTable:
    """Store the table for a fiscal year (replacing an earlier one) and audit it; commit."""
    table = db.session.scalar(db.select(PopulationTable).where(PopulationTable.fiscal_year == fiscal_year))
    if table is None:
        table = PopulationTable(fiscal_year=fiscal_year, source=source[:200], has_area=parsed.has_area,
                                total=parsed.total, uploaded_by=user_id)
        db.session.add(table)
    else:
        table.cells.clear()
        db.session.flush()
        table.source, table.has_area, table.total = source[:200], parsed.has_area, parsed.total
        table.uploaded_at, table.uploaded_by = utcnow(), user_id
    for (age, gender, area), count in parsed.cells.items():
        table.cells.append(PopulationCell(age_band=age, gender=gender, area=area, population=count))
    record(user_id, "population.upload", str(fiscal_year), cells=len(parsed.cells), total=parsed.total,
           has_area=parsed.has_area, encoding=parsed.encoding)
    db.session.commit()
    return table


def population_tables() -> list[PopulationTable]:
    return list(db.session.scalars(db.select(PopulationTable).order_by(PopulationTable.fiscal_year)))


def population_cells(fiscal_year: int) -> tuple[PopulationTable, dict[Cell, int]] | None:
    """The table of a fiscal year as {(age band, gender, area or None): population}."""
    table = db.session.scalar(db.select(PopulationTable).where(PopulationTable.fiscal_year == fiscal_year))
    if table is None:
        return None
    rows = db.session.execute(db.select(PopulationCell.age_band, PopulationCell.gender,
                                        PopulationCell.area, PopulationCell.population)
                              .where(PopulationCell.table_id == table.id))
    return table, {(a, g, r): p for a, g, r, p in rows}
