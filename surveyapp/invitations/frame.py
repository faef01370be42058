"""The sampling frame a city uploads: ``frame_id`` plus the stratum columns it chose.

Read in memory and never stored: only the number of people per stratum is kept (by the wave),
and the drawn ``frame_id``s go into the one-time mail-merge file. Names, addresses and similar
columns are refused outright, so such a file is not even read past its first line. Problems
are reported in Japanese with row (the header is row 1) and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ..results.population import CsvProblem, PopulationCsvError, decode_upload

ID_COLUMN = "frame_id"
MAX_ROWS = 1_000_000
MAX_STRATA = 200
MAX_VALUE = 64
MAX_ERRORS = 30
PERSONAL_WORDS = ("氏名", "名前", "姓名", "フリガナ", "ふりがな", "宛名", "住所", "番地", "郵便", "電話",
                  "生年月日", "誕生日", "メール")
PERSONAL_TOKENS = frozenset({
    "name", "fullname", "firstname", "lastname", "kana", "address", "addr", "street", "zip",
    "zipcode", "postal", "postcode", "phone", "tel", "telephone", "mobile", "birth", "birthday",
    "birthdate", "dob", "email", "mail"})


class FrameError(ValueError):
    def __init__(self, problems: list[CsvProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Frame:
    """The frame grouped by stratum: cells (in ``columns`` order) → frame ids."""

    columns: tuple[str, ...]
    strata: dict[tuple[str, ...], list[str]]
    rows: int
    digest: str
    encoding: str

    def sizes(self) -> list[int]:
        return [len(units) for units in self.strata.values()]


def _clean(text: str) -> str:
    """NFKC, and the wave dash of UTF-8 text read as the full-width tilde CP932 gives."""
    return unicodedata.normalize("NFKC", text).replace("\u301c", "~").strip()


def _personal(title: str) -> bool:
    if any(word in title for word in PERSONAL_WORDS):
        return True
    tokens = re.split(r"[^a-z0-9]+", title.lower())
    return any(token in PERSONAL_TOKENS for token in tokens) or title.lower().replace("_", "") in PERSONAL_TOKENS


def parse_frame(data: bytes, by: Sequence[str] | None = None) -> Frame:
    """Parse and check an uploaded frame; ``by`` = stratum columns (default: every column but
    ``frame_id``; none at all means one stratum). FrameError lists every problem found."""
    try:
        text, encoding = decode_upload(data)
    except PopulationCsvError as exc:
        raise FrameError(exc.problems) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FrameError([CsvProblem(None, None, _("ファイルが空です。"))]) from None
    except csv.Error as exc:
        raise FrameError([CsvProblem(1, None, _("CSVとして読めません（%(error)s）。", error=exc))]) from None
    titles = [_clean(title) for title in header]
    positions, columns = _header(titles, by)
    problems: list[CsvProblem] = []
    strata: dict[tuple[str, ...], list[str]] = {}
    first_row: dict[str, int] = {}
    rows = 0
    try:
        for number, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if rows > MAX_ROWS:
                raise FrameError([CsvProblem(None, None, _("行が多すぎます（%(n)s行まで）。", n=f"{MAX_ROWS:,}"))])
            if len(problems) >= MAX_ERRORS:
                break
            if len(row) > len(titles) and any(cell.strip() for cell in row[len(titles):]):
                problems.append(CsvProblem(number, None, _(
                    "列の数（%(columns)d）が1行目の列名の数（%(titles)d）より多くなっています。",
                    columns=len(row), titles=len(titles))))
                continue
            values = [_clean(row[i]) if i < len(row) else "" for i in positions]
            frame_id, cells = values[0], tuple(values[1:])
            row_ok = True
            for title, value in zip((ID_COLUMN, *columns), values, strict=True):
                if not value:
                    problems.append(CsvProblem(number, title, _("値が空です。")))
                    row_ok = False
                elif len(value) > MAX_VALUE:
                    problems.append(CsvProblem(number, title, _("値が長すぎます（%(n)d文字まで）。", n=MAX_VALUE)))
                    row_ok = False
            if not row_ok:
                continue
            if frame_id in first_row:
                problems.append(CsvProblem(number, ID_COLUMN,
                                           _("「%(id)s」は%(row)d行目と同じ frame_id です（重複）。",
                                             id=frame_id, row=first_row[frame_id])))
                continue
            first_row[frame_id] = number
            strata.setdefault(cells, []).append(frame_id)
    except csv.Error as exc:
        problems.append(CsvProblem(reader.line_num, None, _("CSVとして読めません（%(error)s）。", error=exc)))
    if not problems and rows == 0:
        problems.append(CsvProblem(None, None, _("データの行がありません。")))
    if not problems and len(strata) > MAX_STRATA:
        problems.append(CsvProblem(None, None, _(
            "層が%(n)s個あります（%(max)d個まで）。年齢は年齢区分にまとめるなど、粗い区分の列を使ってください。",
            n=f"{len(strata):,}", max=MAX_STRATA)))
    if problems:
        raise FrameError(problems[:MAX_ERRORS])
    ordered = {cells: sorted(strata[cells]) for cells in sorted(strata)}
    return Frame(columns=columns, strata=ordered, rows=rows, digest=_digest(columns, ordered),
                 encoding=encoding)


def _header(titles: list[str], by: Sequence[str] | None) -> tuple[list[int], tuple[str, ...]]:
    problems: list[CsvProblem] = []
    personal = [t for t in titles if _personal(t)]
    if personal:
        shown = _("」「").join(personal)
        raise FrameError([CsvProblem(1, personal[0],
                                     _("列「%(columns)s」は氏名・住所など個人を特定できる情報のため、受け付けません。"
                                       "frame_id と層に使う列（年齢区分・性別・地区など）だけのファイルにしてください。"
                                       "このファイルは保存していません。", columns=shown))])
    index: dict[str, int] = {}
    for i, title in enumerate(titles):
        key = title.lower() if title.lower() == ID_COLUMN else title
        if not title:
            problems.append(CsvProblem(1, None, _("%(n)d列目の列名が空です。", n=i + 1)))
        elif key in index:
            problems.append(CsvProblem(1, title, _("列「%(column)s」が2回あります。", column=title)))
        else:
            index[key] = i
    if ID_COLUMN not in index:
        problems.append(CsvProblem(1, ID_COLUMN, _("列「frame_id」がありません。1行目に frame_id と層に使う列名を"
                                                   "書いてください。")))
    if problems:
        raise FrameError(problems)
    wanted = [t for t in titles if t and t.lower() != ID_COLUMN] if by is None else [_clean(c) for c in by if _clean(c)]
    for name in wanted:
        if name.lower() == ID_COLUMN:
            problems.append(CsvProblem(1, name, _("frame_id は層には使えません。")))
        elif name not in index:
            problems.append(CsvProblem(1, name, _(
                "層に指定した列「%(column)s」がファイルにありません（ある列：%(columns)s）。",
                column=name, columns=", ".join(t for t in titles if t))))
    if len(set(wanted)) != len(wanted):
        problems.append(CsvProblem(1, None, _("層に同じ列が2回指定されています。")))
    if problems:
        raise FrameError(problems)
    return [index[ID_COLUMN], *(index[name] for name in wanted)], tuple(wanted)


def _digest(columns: tuple[str, ...], strata: dict[tuple[str, ...], list[str]]) -> str:
    """SHA-256 of the frame as used (sorted rows of frame id and cells): proves which frame a
    wave was drawn from, without keeping it."""
    digest = hashlib.sha256("\t".join((ID_COLUMN, *columns)).encode("utf-8") + b"\n")
    rows = sorted((unit, cells) for cells, units in strata.items() for unit in units)
    for unit, cells in rows:
        digest.update("\t".join((unit, *cells)).encode("utf-8") + b"\n")
    return digest.hexdigest()
