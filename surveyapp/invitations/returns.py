"""Fieldwork on a wave: letters returned undelivered (宛先不明), the unused list for a reminder.

Staff type (or upload) what is printed on a returned letter: its code (``KX7-P42-MRQ``) or its
serial number (``No. 123`` / ``123``). A code is checked with its check character first.

The unused list names invitations by **serial number** and stratum, not by code: codes are
stored only hashed, and the city holds serial ↔ code ↔ address in its own mail-merge file, so
it matches the serials there for the reminder letters.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..extensions import db
from .codes import CodeMalformed, parse_code
from .models import Invitation, InvitationWave
from .services import hash_code

MAX_LINES = 5000
_SERIAL = re.compile(r"^(?:no\.?|№|通し番号)?\s*0*(\d{1,6})$", re.IGNORECASE)
CODE_PROBLEMS = {"check": _l("コードの入力まちがいです（確認用の文字が合いません）。"),
                 "length": _l("コードは9文字です。")}


@dataclass
class MarkResult:
    """What marking did: counts and the lines that could not be used (line number, text, why)."""

    marked: int = 0
    already: int = 0
    answered: list[str] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)


def entries_from_upload(data: bytes) -> list[str]:
    """The codes or serials of an uploaded CSV: the ``code`` or ``serial`` column (e.g. the
    mail-merge file filtered to the returned letters), else the first column."""
    from ..results.population import PopulationCsvError, decode_upload

    try:
        text, _encoding = decode_upload(data)
    except PopulationCsvError:
        raise ValueError(_("文字コードを読み取れません。UTF-8 または Shift_JIS（CP932）で保存してください。")) from None
    rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(c.strip() for c in row)]
    if not rows:
        return []
    header = [c.strip().lower() for c in rows[0]]
    for name in ("code", "serial", "コード", "通し番号"):
        if name in header:
            index = header.index(name)
            return [row[index] if index < len(row) else "" for row in rows[1:]]
    return [row[0] for row in rows]


def mark_undelivered(wave: InvitationWave, entries: list[str], *, user_id: int | None,
                     undo: bool = False) -> MarkResult:
    """Mark (or with ``undo`` unmark) the invitations named by codes or serials as returned
    undelivered; answered ones are left alone and listed; commit."""
    result = MarkResult()
    if len(entries) > MAX_LINES:
        result.problems.append((0, "", _("一度に%(n)s行までです。", n=f"{MAX_LINES:,}")))
        return result
    for number, raw in enumerate(entries, start=1):
        text = raw.strip()
        if not text:
            continue
        invitation = _find(wave, text, number, result)
        if invitation is None:
            continue
        if invitation.state == "used":
            result.answered.append(f"No.{invitation.serial}")
        elif invitation.undelivered != undo:
            result.already += 1
        else:
            invitation.undelivered = not undo
            result.marked += 1
    record(user_id, "invitations.undelivered" if not undo else "invitations.delivered", str(wave.id),
           survey=wave.survey.key, marked=result.marked, problems=len(result.problems))
    db.session.commit()
    return result


def _find(wave: InvitationWave, text: str, number: int, result: MarkResult) -> Invitation | None:
    serial = _SERIAL.match(text)
    if serial:
        found = db.session.scalar(db.select(Invitation).where(
            Invitation.wave_id == wave.id, Invitation.serial == int(serial.group(1))))
        if found is None:
            result.problems.append((number, text, _("この発送にこの通し番号はありません。")))
        return found
    try:
        compact = parse_code(text)
    except CodeMalformed as exc:
        if exc.reason == "characters":
            why = _("コードに使わない文字「%(characters)s」があります。", characters=exc.characters)
        else:
            why = str(CODE_PROBLEMS.get(exc.reason, _("コードを読み取れません。")))
        result.problems.append((number, text, why))
        return None
    found = db.session.scalar(db.select(Invitation).where(Invitation.code_hash == hash_code(compact)))
    if found is None or found.wave_id != wave.id:
        result.problems.append((number, text, _("この発送のコードではありません。")))
        return None
    return found


UNUSED_STATES = {"unused": _l("未回答"), "started": _l("回答途中")}


def unused_rows(wave: InvitationWave) -> list[list[str | int]]:
    """Serial, state and stratum cells of every invitation not answered and not returned."""
    rows: list[list[str | int]] = []
    strata = {s.id: s for s in wave.strata}
    columns = list(wave.stratum_columns)
    for invitation in db.session.scalars(db.select(Invitation).where(
            Invitation.wave_id == wave.id, Invitation.state != "used",
            Invitation.undelivered.is_(False)).order_by(Invitation.serial)):
        cells = strata[invitation.stratum_id].cells
        rows.append([invitation.serial, str(UNUSED_STATES[invitation.state]), *(str(cells[c]) for c in columns)])
    return rows
