"""Creating invitation waves: a drawn stratified sample, codes only, or a reminder.

Each use case commits once. The plain codes of a new wave are returned to the caller (CLI
file, or the staff page's hand-over) and kept only encrypted until the hand-over is closed
(``handover.py``); the database keeps their keyed hashes.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func

from ..audit import record
from ..extensions import db
from ..stats.sampling import allocate_fixed, allocate_proportional, draw_stratified, serial_order
from ..surveys.models import Survey
from ..surveys.services import add_link
from .codes import new_code
from .frame import Frame
from .handover import IssuedInvitation, keep_for_handover
from .models import ALLOCATIONS, Invitation, InvitationStratum, InvitationWave
from .services import hash_code

LABEL_MAX = 100
CONTACT_MAX = 500
MAX_INVITATIONS = 20_000
SEED_MAX_DIGITS = 18


class WaveError(ValueError):
    """A wave that cannot be made; ``str()`` is a message for staff (Japanese)."""


@dataclass(frozen=True)
class LetterDetails:
    """What the letters say besides the code: dispatch date, deadline, minutes, contact."""

    sent_on: date | None = None
    deadline: date | None = None
    minutes: int | None = None
    contact: str = ""
    with_paper: bool = False


@dataclass(frozen=True)
class DrawPlan:
    """How many to draw: ``n`` in total (proportional) or per stratum (fixed); the seed."""

    n: int
    allocation: str = "proportional"
    seed: str | None = None


@dataclass(frozen=True)
class CreatedWave:
    """A new wave with its plain codes — available this once (and during the hand-over)."""

    wave: InvitationWave
    columns: tuple[str, ...]
    invitations: tuple[IssuedInvitation, ...] = field(repr=False)


def new_seed() -> str:
    """A random seed of 9 digits (shown and stored with the wave)."""
    return str(secrets.randbelow(900_000_000) + 100_000_000)


def check_seed(seed: str | None) -> str:
    """A seed as typed (digits only), or a new random one."""
    if seed is None or not seed.strip():
        return new_seed()
    value = seed.strip()
    if not value.isascii() or not value.isdigit() or len(value) > SEED_MAX_DIGITS:
        raise WaveError(_("シードは%(n)d桁までの数字で指定してください。", n=SEED_MAX_DIGITS))
    return str(int(value))


def _check_label(survey: Survey, label: str) -> str:
    value = " ".join(label.split())
    if not value or len(value) > LABEL_MAX:
        raise WaveError(_("発送の名前は1〜%(n)d文字で入力してください。", n=LABEL_MAX))
    exists = db.session.scalar(db.select(InvitationWave.id).where(
        InvitationWave.survey_id == survey.id, InvitationWave.label == value))
    if exists is not None:
        raise WaveError(_("「%(label)s」という発送はこのアンケートにすでにあります。別の名前にしてください。",
                          label=value))
    return value


def _check_details(details: LetterDetails) -> LetterDetails:
    if details.minutes is not None and not 1 <= details.minutes <= 120:
        raise WaveError(_("所要時間は1〜120分で入力してください。"))
    if len(details.contact) > CONTACT_MAX:
        raise WaveError(_("問い合わせ先は%(n)d文字までにしてください。", n=CONTACT_MAX))
    if details.sent_on and details.deadline and details.deadline < details.sent_on:
        raise WaveError(_("回答期限は発送日より後にしてください。"))
    return details


def _new_wave(survey: Survey, label: str, kind: str, details: LetterDetails,
              user_id: int | None) -> InvitationWave:
    if survey.current_version is None:
        raise WaveError(_("公開された版がないアンケートには発送を作れません。"))
    wave = InvitationWave(survey=survey, kind=kind, label=label, sent_on=details.sent_on,
                          deadline=details.deadline, minutes=details.minutes,
                          contact=details.contact.strip() or None, with_paper=details.with_paper,
                          created_by=user_id, stratum_columns=[])
    if kind != "reminder":
        wave.link = add_link(survey, label=_("案内状：%(label)s", label=label), channel="invitation")
    db.session.add(wave)
    db.session.flush()
    return wave


def _fresh_codes(count: int) -> list[tuple[str, str]]:
    """``count`` new codes with their hashes, none already in use (collisions are astronomically
    rare with 31⁸ codes, but checked)."""
    codes: dict[str, str] = {}
    while len(codes) < count:
        batch: dict[str, str] = {}
        while len(batch) < min(count - len(codes), 1000):
            code = new_code()
            batch[hash_code(code)] = code
        taken = set(db.session.scalars(db.select(Invitation.code_hash).where(
            Invitation.code_hash.in_(list(batch)))))
        for digest, code in batch.items():
            if digest not in taken and digest not in codes:
                codes[digest] = code
    return [(code, digest) for digest, code in codes.items()][:count]


def _issue(wave: InvitationWave, members: list[tuple[InvitationStratum, str | None]],
           order: list[int]) -> list[IssuedInvitation]:
    """Invitations for ``members`` (stratum, frame id) numbered 1… in ``order``; flush."""
    codes = _fresh_codes(len(members))
    issued = []
    columns = wave.stratum_columns
    for serial, (index, (code, digest)) in enumerate(zip(order, codes, strict=True), start=1):
        stratum, frame_id = members[index]
        db.session.add(Invitation(wave_id=wave.id, stratum_id=stratum.id, serial=serial,
                                  code_hash=digest))
        issued.append(IssuedInvitation(serial, frame_id, code,
                                       tuple(str(stratum.cells[c]) for c in columns)))
    wave.invited = len(issued)
    db.session.flush()
    return issued


def create_codes_wave(survey: Survey, *, label: str, count: int, details: LetterDetails = LetterDetails(),
                      user_id: int | None = None) -> CreatedWave:
    """``count`` codes for a sample drawn elsewhere (no frame, no strata); commit."""
    label = _check_label(survey, label)
    details = _check_details(details)
    if not 1 <= count <= MAX_INVITATIONS:
        raise WaveError(_("コードの数は1〜%(n)sで指定してください。", n=f"{MAX_INVITATIONS:,}"))
    wave = _new_wave(survey, label, "codes", details, user_id)
    wave.requested_n = count
    stratum = InvitationStratum(wave=wave, position=0, cells={}, cells_key="{}", invited=count)
    db.session.add(stratum)
    db.session.flush()
    issued = _issue(wave, [(stratum, None)] * count, list(range(count)))
    keep_for_handover(wave, [], issued)
    record(user_id, "invitations.create", survey.key, wave=wave.id, label=label, count=count)
    db.session.commit()
    return CreatedWave(wave, (), tuple(issued))


def allocation_for(frame: Frame, plan: DrawPlan) -> tuple[int, ...]:
    """n per stratum of the frame under the plan (WaveError with a Japanese message)."""
    if plan.allocation not in ALLOCATIONS:
        raise WaveError(_("配分は「比例配分」か「各層同数」を選んでください。"))
    if plan.n < 1:
        raise WaveError(_("抽出する人数は1以上にしてください。"))
    sizes = frame.sizes()
    if plan.allocation == "proportional":
        if plan.n > frame.rows:
            raise WaveError(_("抽出する人数（%(n)s）が名簿の人数（%(rows)s）を超えています。",
                              n=f"{plan.n:,}", rows=f"{frame.rows:,}"))
        allocation = allocate_proportional(sizes, plan.n)
    else:
        allocation = allocate_fixed(sizes, plan.n)
    if sum(allocation) > MAX_INVITATIONS:
        raise WaveError(_("一度に作れる案内は%(n)s通までです。", n=f"{MAX_INVITATIONS:,}"))
    return allocation


def create_drawn_wave(survey: Survey, *, label: str, frame: Frame, plan: DrawPlan,
                      details: LetterDetails = LetterDetails(), user_id: int | None = None) -> CreatedWave:
    """Draw a stratified SRS without replacement from the frame and issue its codes; keep the
    frame's stratum counts (not its rows); commit."""
    label = _check_label(survey, label)
    details = _check_details(details)
    seed = check_seed(plan.seed)
    allocation = allocation_for(frame, plan)
    wave = _new_wave(survey, label, "draw", details, user_id)
    wave.seed, wave.allocation, wave.requested_n = seed, plan.allocation, plan.n
    wave.stratum_columns = list(frame.columns)
    wave.frame_rows, wave.frame_digest = frame.rows, frame.digest
    drawn = draw_stratified(list(frame.strata.values()), allocation, seed)
    members: list[tuple[InvitationStratum, str | None]] = []
    for position, (cells, units) in enumerate(zip(frame.strata, drawn, strict=True)):
        stratum = InvitationStratum(wave=wave, position=position,
                                    cells=dict(zip(frame.columns, cells, strict=True)),
                                    cells_key=_cells_key(cells), frame_count=len(frame.strata[cells]),
                                    invited=len(units))
        db.session.add(stratum)
        members.extend((stratum, unit) for unit in units)
    db.session.flush()
    position_of = {unit: i for i, (_stratum, unit) in enumerate(members)}
    order = [position_of[unit] for unit in serial_order(seed, [u for _s, u in members if u is not None])]
    issued = _issue(wave, members, order)
    keep_for_handover(wave, list(frame.columns), issued)
    record(user_id, "invitations.draw", survey.key, wave=wave.id, label=label, n=len(issued),
           seed=seed, allocation=plan.allocation, frame_rows=frame.rows, frame_digest=frame.digest,
           columns=list(frame.columns))
    db.session.commit()
    return CreatedWave(wave, tuple(frame.columns), tuple(issued))


def _cells_key(cells: tuple[str, ...]) -> str:
    return json.dumps(list(cells), ensure_ascii=False, separators=(",", ":"))


def create_reminder(parent: InvitationWave, *, label: str, details: LetterDetails = LetterDetails(),
                    user_id: int | None = None) -> InvitationWave:
    """A reminder of ``parent``'s unused codes (same codes, no new invitations); records how
    many were still unused and not undelivered; commit."""
    if parent.kind == "reminder":
        raise WaveError(_("督促は、コードを作った発送に対して作ってください。"))
    label = _check_label(parent.survey, label)
    details = _check_details(details)
    wave = _new_wave(parent.survey, label, "reminder", details, user_id)
    wave.parent_id = parent.id
    wave.stratum_columns = list(parent.stratum_columns)
    wave.reminded = int(db.session.scalar(db.select(func.count()).select_from(Invitation).where(
        Invitation.wave_id == parent.id, Invitation.state != "used",
        Invitation.undelivered.is_(False))) or 0)
    record(user_id, "invitations.reminder", parent.survey.key, wave=wave.id, parent=parent.id,
           reminded=wave.reminded)
    db.session.commit()
    return wave


def waves_of(survey: Survey) -> list[InvitationWave]:
    return list(db.session.scalars(db.select(InvitationWave).where(
        InvitationWave.survey_id == survey.id).order_by(InvitationWave.id)))


def get_wave(wave_id: int) -> InvitationWave | None:
    return db.session.get(InvitationWave, wave_id)
