"""Paper entry use cases: batches, double entry, comparison, resolution, responses.

* :func:`create_batch` — a stack of questionnaires received on one day.
* :func:`key_entry` — one keying of one questionnaire. The first entry waits; the second,
  by another person, is compared with it field by field: equal entries become a response at
  once, different ones wait for a resolution.
* :func:`resolve` — an admin, or a third person who keyed neither entry, reads each
  difference on the paper and records the right value; the questionnaire becomes a response.
* :func:`decide_duplicate` — the questionnaire's code was already used (answered on the web,
  or on another questionnaire): keep the response already counted and set this one aside, or
  correct a misread code.

A questionnaire becomes a response only through :func:`_finalise`, with
``respond.services.submit_response`` (channel ``paper``, the batch's link, the
questionnaire's own client id, so it is stored exactly once) and a claim that, in the same
transaction, uses up the invitation code (``invitations.services.invitation_claim``, channel
``paper``: the response rates count it) and erases the code hashes kept for the comparison.
A code already used makes the claim refuse: nothing is stored and the questionnaire waits
for a decision — a code is never counted twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from ..audit import record
from ..extensions import db
from ..invitations.codes import CodeMalformed, normalise
from ..invitations.models import Invitation, InvitationWave
from ..invitations.services import PAPER_CHANNEL, CodeAlreadyUsed, CodeUnknown, find_invitation, invitation_claim
from ..respond.models import Response
from ..respond.services import Claim, submit_response
from ..surveys.definitions import SurveyDef
from ..surveys.models import Survey, SurveyVersion
from ..surveys.services import add_link, version_definition
from ..timeutil import fiscal_year, from_japan, to_japan, utcnow
from .models import PaperBatch, PaperEntry, PaperQuestionnaire
from .values import response_answers, same_value, values_problems

LABEL_MAX = 100
EXPECTED_MAX = 5000
SERIAL_MAX = 999_999
CODE_FIELD = "code"
"""The name of the invitation code among the compared fields (question keys are the others)."""


class PaperError(Exception):
    """A paper entry use case that cannot be done; ``str()`` is a message for staff (Japanese)."""


class BatchInvalid(PaperError):
    """``field`` names the input that is wrong (``label``, ``received_on``, ``expected``, ``wave``)."""

    def __init__(self, message: str, field: str = "label") -> None:
        super().__init__(message)
        self.field = field


class EntryRefused(PaperError):
    """The entry cannot be stored as it is (same person, keyed twice already, serial taken)."""


class CodeProblem(PaperError):
    """The typed invitation code is malformed, unknown or of another survey."""


class InvalidValues(PaperError):
    """Values that do not fit the questions; ``problems`` maps question key to a message."""

    def __init__(self, problems: Mapping[str, str]) -> None:
        super().__init__(_("入力内容に問題があります。"))
        self.problems = dict(problems)


class NotAllowed(PaperError):
    """Only an admin or a third person (who keyed neither entry) may resolve or decide."""


class WrongState(PaperError):
    pass


# --------------------------------------------------------------------------- batches

def _check_label(survey: Survey, label: str) -> str:
    value = " ".join(label.split())
    if not value or len(value) > LABEL_MAX:
        raise BatchInvalid(_("束の名前は1〜%(n)d文字で入力してください。", n=LABEL_MAX))
    taken = db.session.scalar(db.select(PaperBatch.id).where(
        PaperBatch.survey_id == survey.id, PaperBatch.label == value))
    if taken is not None:
        raise BatchInvalid(_("「%(label)s」という束はこのアンケートにすでにあります。別の名前にしてください。",
                             label=value))
    return value


def create_batch(survey: Survey, *, label: str, received_on: date, expected: int,
                 wave_id: int | None = None, version_number: int | None = None,
                 user_id: int | None = None, today: date | None = None) -> PaperBatch:
    """A new batch with its own (never active) link of channel ``paper``; commit."""
    today = today or to_japan(utcnow()).date()
    value = _check_label(survey, label)
    if received_on > today:
        raise BatchInvalid(_("受付日に未来の日付は指定できません。"), "received_on")
    if not 1 <= expected <= EXPECTED_MAX:
        raise BatchInvalid(_("枚数は1〜%(n)sで入力してください。", n=f"{EXPECTED_MAX:,}"), "expected")
    published = [v for v in survey.versions if v.published_at is not None]
    if not published:
        raise BatchInvalid(_("公開された版がないアンケートには束を作れません。"))
    version = published[-1] if version_number is None else next(
        (v for v in published if v.number == version_number), None)
    if version is None:
        raise BatchInvalid(_("第%(n)s版はありません。", n=version_number))
    if wave_id is not None:
        wave = db.session.get(InvitationWave, wave_id)
        if wave is None or wave.survey_id != survey.id:
            raise BatchInvalid(_("この発送はこのアンケートのものではありません。"), "wave")
    link = add_link(survey, label=_("紙：%(label)s", label=value), channel="paper")
    link.active = False  # paper has no web address: the link only labels the batch's responses
    batch = PaperBatch(survey=survey, version=version, wave_id=wave_id, link=link, label=value,
                       received_on=received_on, expected=expected, created_by=user_id)
    db.session.add(batch)
    db.session.flush()
    record(user_id, "paper.batch_create", survey.key, batch=batch.id, label=value, expected=expected,
           received_on=received_on.isoformat(), version=version.number, wave=wave_id)
    db.session.commit()
    return batch


def get_batch(batch_id: int) -> PaperBatch | None:
    return db.session.get(PaperBatch, batch_id)


def list_batches() -> list[PaperBatch]:
    """Every batch, newest first."""
    return list(db.session.scalars(db.select(PaperBatch).order_by(PaperBatch.received_on.desc(),
                                                                  PaperBatch.id.desc())))


def batch_definition(batch: PaperBatch) -> SurveyDef:
    return version_definition(batch.version)


def get_questionnaire(questionnaire_id: int) -> PaperQuestionnaire | None:
    return db.session.get(PaperQuestionnaire, questionnaire_id)


# --------------------------------------------------------------------------- codes

@dataclass(frozen=True)
class CheckedCode:
    """A code typed from the paper: its keyed hash (None: the box was empty or unreadable) and
    the state of its invitation (``unused``, ``started``, ``used``) with the channel that used it."""

    hash: str | None
    state: str | None = None
    used_channel: str | None = None


CODE_MESSAGES = {
    "length": _l("コードは英字と数字の9文字です（例：KX7-P42-MRQ）。用紙と見比べてください。"),
    "check": _l("コードの最後の文字（チェック文字）が合いません。1文字ずつ用紙と見比べてください。"),
}


def check_code(batch: PaperBatch, raw: str) -> CheckedCode:
    """Check a typed code: the check character first (no database involved), then look it up.

    An empty box is no code. CodeProblem says what is wrong, in words for the keyer."""
    if not normalise(raw):
        return CheckedCode(None)
    try:
        invitation = find_invitation(raw)
    except CodeMalformed as exc:
        if exc.reason == "characters":
            raise CodeProblem(_("「%(characters)s」はコードに使われない文字です（0・1・I・L・O は使われていません）。"
                                "用紙の文字を確かめてください。", characters=exc.characters)) from exc
        raise CodeProblem(str(CODE_MESSAGES.get(exc.reason, CODE_MESSAGES["check"]))) from exc
    except CodeUnknown as exc:
        raise CodeProblem(_("このコードの案内状はありません。用紙と見比べてください"
                            "（読めないときは空欄のままにします）。")) from exc
    if invitation.wave.survey_id != batch.survey_id:
        raise CodeProblem(_("このコードは別のアンケートの案内状のものです。"))
    return CheckedCode(invitation.code_hash, invitation.state, invitation.used_channel)


# --------------------------------------------------------------------------- keying

@dataclass(frozen=True)
class KeyedEntry:
    """What happened to a keyed entry: ``first`` (waits for the second), ``done`` (the entries
    agreed: a response), ``discrepancies`` or ``duplicate`` (waits for a person)."""

    questionnaire: PaperQuestionnaire
    round: int
    outcome: str
    code: CheckedCode


def _serial_taken(batch: PaperBatch, serial: int) -> PaperBatch | None:
    """Another batch of the survey, in the same fiscal year, that has this serial."""
    year = fiscal_year(batch.received_on)
    others = db.session.execute(
        db.select(PaperBatch).join(PaperQuestionnaire, PaperQuestionnaire.batch_id == PaperBatch.id)
        .where(PaperBatch.survey_id == batch.survey_id, PaperBatch.id != batch.id,
               PaperQuestionnaire.serial == serial)).scalars()
    return next((b for b in others if fiscal_year(b.received_on) == year), None)


def key_entry(batch: PaperBatch, *, user_id: int, serial: int, code: str,
              values: Mapping[str, Any]) -> KeyedEntry:
    """Store one keying of questionnaire ``serial``; commit. The second entry (by another
    person) is compared with the first: equal → a response; different → discrepancies.

    Raises CodeProblem, InvalidValues or EntryRefused, storing nothing."""
    if not 1 <= serial <= SERIAL_MAX:
        raise EntryRefused(_("調査票番号は1〜%(n)sの数で入力してください。", n=f"{SERIAL_MAX:,}"))
    checked = check_code(batch, code)
    defn = batch_definition(batch)
    problems = values_problems(defn, values)
    if problems:
        raise InvalidValues(problems)
    questionnaire = db.session.scalar(db.select(PaperQuestionnaire).where(
        PaperQuestionnaire.batch_id == batch.id, PaperQuestionnaire.serial == serial))
    if questionnaire is None:
        other = _serial_taken(batch, serial)
        if other is not None:
            raise EntryRefused(_("調査票番号 %(serial)d は束「%(label)s」ですでに入力されています。"
                                 "番号を確かめてください。", serial=serial, label=other.label))
        questionnaire = PaperQuestionnaire(batch_id=batch.id, serial=serial, state="keying")
        db.session.add(questionnaire)
    entries = list(questionnaire.entries)
    if any(e.keyed_by == user_id for e in entries):
        raise EntryRefused(_("調査票 No.%(serial)d の1回目はあなたが入力しました。"
                             "2回目は別の職員が入力します（同じ人が2回入力すると、読み違いを見つけられません）。",
                             serial=serial))
    if len(entries) >= 2 or questionnaire.state != "keying":
        raise EntryRefused(_("調査票 No.%(serial)d はすでに2回入力されています。番号を確かめてください。",
                             serial=serial))
    number = len(entries) + 1
    entry = PaperEntry(questionnaire=questionnaire, round=number, keyed_by=user_id,
                       code_hash=checked.hash, values=_plain_values(defn, values))
    db.session.add(entry)
    outcome = "first"
    if number == 2:
        first = entries[0]
        if _differences(defn, first, entry):
            questionnaire.state = "discrepancies"
            outcome = "discrepancies"
        else:
            questionnaire.final_values = dict(first.values)
            questionnaire.code_hash = first.code_hash
            questionnaire.has_code = first.code_hash is not None
    try:
        db.session.flush()
        record(user_id, "paper.entry", batch.survey.key, batch=batch.id, serial=serial, round=number)
        db.session.commit()
    except IntegrityError as exc:  # someone keyed the same questionnaire at the same moment
        db.session.rollback()
        raise EntryRefused(_("調査票 No.%(serial)d はちょうど別の職員が入力しました。"
                             "もう一度保存すると、1回目か2回目かを確かめて記録します。", serial=serial)) from exc
    if number == 2 and outcome == "first":
        outcome = _finalise(questionnaire)
    return KeyedEntry(questionnaire, number, outcome, checked)


def _plain_values(defn: SurveyDef, values: Mapping[str, Any]) -> dict[str, Any]:
    return {q.key: values.get(q.key) for q in defn.questions}


@dataclass(frozen=True)
class Difference:
    """One field where the two entries differ (``field`` is ``code`` or a question key)."""

    field: str
    first: Any
    second: Any


def _differences(defn: SurveyDef, first: PaperEntry, second: PaperEntry) -> list[Difference]:
    found = []
    if first.code_hash != second.code_hash:
        found.append(Difference(CODE_FIELD, first.code_hash is not None, second.code_hash is not None))
    for question in defn.questions:
        a, b = first.values.get(question.key), second.values.get(question.key)
        if not same_value(question, a, b):
            found.append(Difference(question.key, a, b))
    return found


def differences(questionnaire: PaperQuestionnaire) -> list[Difference]:
    """Field by field, where the two entries of a questionnaire differ (none before the second).
    For the code only whether each entry had one is known: codes are kept as hashes."""
    if len(questionnaire.entries) < 2:
        return []
    first, second = questionnaire.entries[:2]
    return _differences(batch_definition(questionnaire.batch), first, second)


def keyers(questionnaire: PaperQuestionnaire) -> set[int]:
    return {e.keyed_by for e in questionnaire.entries}


def may_decide(questionnaire: PaperQuestionnaire, user_id: int, is_admin: bool) -> bool:
    """An admin, or a third person who keyed neither entry."""
    return is_admin or user_id not in keyers(questionnaire)


def _require_decider(questionnaire: PaperQuestionnaire, user_id: int, is_admin: bool) -> None:
    if not may_decide(questionnaire, user_id, is_admin):
        raise NotAllowed(_("この調査票を入力した人は、くい違いを確定できません。"
                           "入力していない職員か管理者が、用紙を見て確定します。"))


# --------------------------------------------------------------------------- resolving

def resolve(questionnaire: PaperQuestionnaire, *, user_id: int, is_admin: bool,
            values: Mapping[str, Any], code: str | None = None) -> str:
    """Record the value read on the paper for every field where the entries differ; commit;
    then the questionnaire becomes a response. Returns the new state (``done`` or
    ``duplicate``). Fields where the entries agree keep the agreed value."""
    if questionnaire.state != "discrepancies":
        raise WrongState(_("この調査票には確定を待つくい違いがありません。"))
    _require_decider(questionnaire, user_id, is_admin)
    batch = questionnaire.batch
    defn = batch_definition(batch)
    found = differences(questionnaire)
    keys = [d.field for d in found if d.field != CODE_FIELD]
    problems = values_problems(defn, values, keys)
    if problems:
        raise InvalidValues(problems)
    first = questionnaire.entries[0]
    final = dict(first.values)
    final.update({key: values.get(key) for key in keys})
    code_hash = first.code_hash
    if any(d.field == CODE_FIELD for d in found):
        code_hash = check_code(batch, code or "").hash
    questionnaire.final_values = final
    questionnaire.code_hash = code_hash
    questionnaire.has_code = code_hash is not None
    questionnaire.state = "keying"  # agreed now; _finalise makes it done or duplicate
    questionnaire.resolved_by = user_id
    questionnaire.resolved_at = utcnow()
    record(user_id, "paper.resolve", batch.survey.key, batch=batch.id, serial=questionnaire.serial,
           fields=[d.field for d in found])
    db.session.commit()
    return _finalise(questionnaire)


def decide_duplicate(questionnaire: PaperQuestionnaire, *, user_id: int, is_admin: bool,
                     decision: str, code: str | None = None) -> str:
    """For a questionnaire whose code was already used: ``keep_other`` keeps the response
    already counted and sets this questionnaire aside; ``correct_code`` replaces a misread
    code (or empties it) and tries again. Commit; returns the new state."""
    if questionnaire.state != "duplicate":
        raise WrongState(_("この調査票は重複の判断を待っていません。"))
    _require_decider(questionnaire, user_id, is_admin)
    batch = questionnaire.batch
    if decision == "keep_other":
        questionnaire.state = "set_aside"
        _erase_codes(questionnaire)
        questionnaire.resolved_by = user_id
        questionnaire.resolved_at = utcnow()
        record(user_id, "paper.set_aside", batch.survey.key, batch=batch.id, serial=questionnaire.serial,
               other=questionnaire.duplicate_of)
        db.session.commit()
        return questionnaire.state
    if decision != "correct_code":
        raise WrongState(_("判断の種類が正しくありません。"))
    if not normalise(code or ""):
        raise CodeProblem(_("用紙に書かれている正しいコードを入力してください。"))
    checked = check_code(batch, code or "")
    if checked.hash == questionnaire.code_hash:
        raise CodeProblem(_("同じコードです。用紙のコードを読み違えていたときだけ、正しいコードを入力します。"))
    questionnaire.code_hash = checked.hash
    questionnaire.has_code = checked.hash is not None
    questionnaire.state = "keying"
    questionnaire.duplicate_of = None
    questionnaire.resolved_by = user_id
    questionnaire.resolved_at = utcnow()
    record(user_id, "paper.correct_code", batch.survey.key, batch=batch.id, serial=questionnaire.serial)
    db.session.commit()
    return _finalise(questionnaire)


def withdraw_entry(questionnaire: PaperQuestionnaire, *, user_id: int, is_admin: bool) -> None:
    """Take back the only entry of a questionnaire (e.g. keyed under a wrong serial) — by the
    person who keyed it, or an admin; commit."""
    if questionnaire.state != "keying" or len(questionnaire.entries) != 1:
        raise WrongState(_("取り消せるのは、1回だけ入力された調査票です。"))
    entry = questionnaire.entries[0]
    if entry.keyed_by != user_id and not is_admin:
        raise NotAllowed(_("取り消せるのは、入力した本人か管理者です。"))
    batch = questionnaire.batch
    record(user_id, "paper.withdraw", batch.survey.key, batch=batch.id, serial=questionnaire.serial)
    db.session.delete(questionnaire)
    db.session.commit()


# --------------------------------------------------------------------------- responses

def _erase_codes(questionnaire: PaperQuestionnaire) -> None:
    questionnaire.code_hash = None
    for entry in questionnaire.entries:
        entry.code_hash = None


def received_moment(batch: PaperBatch) -> datetime:
    """The stored time of a batch's responses: noon (Japan time) of the day it was received,
    so that its fiscal year and its day in the fieldwork are those of the paper's arrival."""
    return from_japan(datetime.combine(batch.received_on, time(12)))


def _paper_claim(questionnaire_id: int, invitation_id: int | None) -> Claim:
    def claim(response: Response) -> None:
        if invitation_id is not None:
            invitation_claim(invitation_id, PAPER_CHANNEL)(response)
        questionnaire = db.session.get(PaperQuestionnaire, questionnaire_id)
        assert questionnaire is not None
        questionnaire.state = "done"
        questionnaire.response_id = response.id
        _erase_codes(questionnaire)
        db.session.flush()

    return claim


def _finalise(questionnaire: PaperQuestionnaire) -> str:
    """Store the agreed values as the questionnaire's response, exactly once; commit.
    A used code makes it ``duplicate`` instead (committed too). Returns the state."""
    batch = questionnaire.batch
    version: SurveyVersion = batch.version
    defn = version_definition(version)
    invitation_id = None
    if questionnaire.code_hash is not None:
        invitation_id = db.session.scalar(db.select(Invitation.id).where(
            Invitation.code_hash == questionnaire.code_hash))
    assert questionnaire.final_values is not None
    try:
        submit_response(defn=defn, version=version, link=batch.link, channel=PAPER_CHANNEL,
                        client_uuid=questionnaire.client_uuid,
                        answers=response_answers(defn, questionnaire.final_values),
                        now=received_moment(batch), claim=_paper_claim(questionnaire.id, invitation_id),
                        enforce_required=False, check_open=False)
    except CodeAlreadyUsed:
        current = db.session.get(PaperQuestionnaire, questionnaire.id, populate_existing=True)
        assert current is not None
        invitation = db.session.get(Invitation, invitation_id) if invitation_id else None
        current.state = "duplicate"
        current.duplicate_of = invitation.used_channel if invitation is not None else None
        db.session.commit()
        return current.state
    db.session.refresh(questionnaire)
    return questionnaire.state
