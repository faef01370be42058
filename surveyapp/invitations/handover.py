"""The one hand-over of a new wave's plain codes: mail-merge file and letters.

Codes are stored only hashed, so the plain codes exist once — when the wave is made. So that a
failed or wrong download can be repeated, the new wave's rows (serial, frame id, code, strata)
are kept **encrypted** (Fernet: AES-128-CBC + HMAC-SHA-256, key derived from the app's secret
key) until staff confirm they have the files, or at most ``HANDOVER_HOURS``; then they are
deleted and cannot be recovered by anyone. Nothing in the results reads them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app

from ..audit import record
from ..extensions import db
from ..timeutil import utcnow
from .codes import display
from .models import InvitationHandover, InvitationWave

HANDOVER_HOURS = 72
_KEY_LABEL = b"surveyapp/invitation-handover/v1"


@dataclass(frozen=True)
class IssuedInvitation:
    """One new invitation as handed over: serial, frame id (draws only), code, stratum cells."""

    serial: int
    frame_id: str | None
    code: str  # normalised, e.g. KX7P42MRQ
    cells: tuple[str, ...]

    @property
    def display_code(self) -> str:
        return display(self.code)


@dataclass(frozen=True)
class HandoverRows:
    columns: tuple[str, ...]
    rows: tuple[IssuedInvitation, ...]
    expires_at: datetime


class HandoverGone(LookupError):
    """The codes were handed over and erased, or the hand-over expired."""


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def keep_for_handover(wave: InvitationWave, columns: list[str], rows: list[IssuedInvitation],
                      *, now: datetime | None = None) -> None:
    """Store the encrypted rows of a new wave (flush only)."""
    now = now or utcnow()
    data = {"columns": columns,
            "rows": [[r.serial, r.frame_id, r.code, list(r.cells)] for r in rows]}
    token = _fernet().encrypt(zlib.compress(json.dumps(data, ensure_ascii=False).encode("utf-8")))
    db.session.add(InvitationHandover(wave_id=wave.id, payload=token, created_at=now,
                                      expires_at=now + timedelta(hours=HANDOVER_HOURS)))
    db.session.flush()


def _handover(wave: InvitationWave) -> InvitationHandover | None:
    return db.session.scalar(db.select(InvitationHandover).where(InvitationHandover.wave_id == wave.id))


def handover_pending(wave: InvitationWave, *, now: datetime | None = None) -> datetime | None:
    """When the hand-over of this wave expires, or None if the codes are gone."""
    handover = _handover(wave)
    if handover is None or handover.expires_at <= (now or utcnow()):
        return None
    return handover.expires_at


def handover_rows(wave: InvitationWave, *, now: datetime | None = None) -> HandoverRows:
    """The plain rows of a wave while its hand-over is open; HandoverGone otherwise."""
    handover = _handover(wave)
    if handover is None or handover.expires_at <= (now or utcnow()):
        raise HandoverGone(str(wave.id))
    try:
        data = json.loads(zlib.decompress(_fernet().decrypt(handover.payload)))
    except InvalidToken:  # the secret key changed since the wave was made
        raise HandoverGone(str(wave.id)) from None
    rows = tuple(IssuedInvitation(int(serial), frame_id, str(code), tuple(cells))
                 for serial, frame_id, code, cells in data["rows"])
    return HandoverRows(tuple(data["columns"]), rows, handover.expires_at)


def close_handover(wave: InvitationWave, *, user_id: int | None) -> None:
    """Erase the wave's plain codes for good (staff confirmed they have the files); commit."""
    handover = _handover(wave)
    if handover is not None:
        db.session.delete(handover)
    if wave.codes_erased_at is None:
        wave.codes_erased_at = utcnow()
    record(user_id, "invitations.codes_erased", str(wave.id), survey=wave.survey.key)
    db.session.commit()


def purge_expired_handovers(*, now: datetime | None = None) -> int:
    """Delete expired hand-overs and note it on their waves; commit; count."""
    now = now or utcnow()
    expired = list(db.session.scalars(db.select(InvitationHandover).where(
        InvitationHandover.expires_at <= now)))
    for handover in expired:
        wave = db.session.get(InvitationWave, handover.wave_id)
        if wave is not None and wave.codes_erased_at is None:
            wave.codes_erased_at = handover.expires_at
        db.session.delete(handover)
    db.session.commit()
    return len(expired)
