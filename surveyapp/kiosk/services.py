"""Kiosk device use cases: create, enroll, assign, revoke, PIN checks, contact, delivery.

A device proves itself with a random credential that only its browser holds; the server keeps
the SHA-256 of it.  Completed responses arrive from the device's queue and go through
:func:`surveyapp.respond.services.submit_response`, which stores each client UUID once.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..extensions import db
from ..inputs import valid_id
from ..respond.services import Receipt, ResponseConflict, submit_response
from ..surveys.models import Link, SurveyVersion
from ..surveys.services import LINK_ALPHABET, find_link, version_definition
from ..timeutil import utcnow
from .models import KioskAssignment, KioskDevice

log = logging.getLogger(__name__)

NAME_MAX = 100
PIN_PATTERN = re.compile(r"^[0-9]{4,8}$")
PIN_MAX_FAILURES = 5
PIN_LOCK = timedelta(minutes=5)
ENROLL_CODE_LENGTH = 8
ENROLL_VALID = timedelta(minutes=30)
REPORTED_COUNT_MAX = 1_000_000
HEARTBEAT_SECONDS = 60  # how often a kiosk page reports; it also reports whenever its queue changes
CONNECTED_WITHIN = timedelta(seconds=3 * HEARTBEAT_SECONDS)  # heard from since: shown as connected


class KioskError(Exception):
    """Base class; ``code`` names the reason (views word the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class DeviceRefused(KioskError):
    """The credential is missing, unknown (``unknown``) or revoked (``revoked``)."""


class PinRefused(KioskError):
    """A wrong PIN (``wrong``) or too many wrong ones in a row (``locked``)."""


class LinkUnavailable(KioskError):
    """The response names a link or version the kiosk cannot answer."""


@dataclass(frozen=True)
class Enrollment:
    """A device and its one-time enrollment code (shown to staff once, stored hashed)."""

    device: KioskDevice
    code: str

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _normalized_code(raw: str) -> str:
    return re.sub(r"[\s\-‐－ー]", "", raw).lower()


def _new_enroll_code() -> str:
    return "".join(secrets.choice(LINK_ALPHABET) for _ in range(ENROLL_CODE_LENGTH))


def _valid_name(name: str) -> str:
    value = " ".join(name.split())
    if not value or len(value) > NAME_MAX:
        raise KioskError("invalid_name")
    return value


def _valid_pin(pin: str) -> str:
    if not PIN_PATTERN.match(pin):
        raise KioskError("invalid_pin")
    return pin


def kiosk_links() -> list[Link]:
    """Active kiosk links a device can be set to (newest first)."""
    return list(db.session.scalars(
        db.select(Link).where(Link.channel == "kiosk", Link.active.is_(True))
        .order_by(Link.id.desc())))


def _kiosk_link(link: Link | None) -> Link | None:
    if link is not None and (link.channel != "kiosk" or not link.active):
        raise KioskError("invalid_link")
    return link


def list_devices() -> list[KioskDevice]:
    """Devices, active ones first, by name."""
    return list(db.session.scalars(
        db.select(KioskDevice).order_by(KioskDevice.revoked_at.is_not(None), KioskDevice.name,
                                        KioskDevice.id)))


def get_device(device_id: int) -> KioskDevice | None:
    return db.session.get(KioskDevice, device_id)


def _issue_code(device: KioskDevice, now: datetime) -> str:
    code = _new_enroll_code()
    device.enroll_code_hash = digest(code)
    device.enroll_expires_at = now + ENROLL_VALID
    return code


def create_device(name: str, pin: str, link: Link | None, *, user_id: int | None,
                  now: datetime | None = None) -> Enrollment:
    """A named device with a hashed PIN and a one-time enrollment code; commit."""
    now = now or utcnow()
    name = _valid_name(name)
    taken = db.session.scalar(db.select(KioskDevice.id).where(
        KioskDevice.name == name, KioskDevice.revoked_at.is_(None)))
    if taken is not None:
        raise KioskError("duplicate_name")
    device = KioskDevice(name=name, pin_hash=generate_password_hash(_valid_pin(pin)),
                         link=_kiosk_link(link), created_by=user_id)
    code = _issue_code(device, now)
    db.session.add(device)
    db.session.flush()
    _remember_assignment(device, link)
    record(user_id, "kiosk_device.create", name, device_id=device.id)
    db.session.commit()
    return Enrollment(device, code)


def reissue_enrollment(device: KioskDevice, *, user_id: int | None,
                       now: datetime | None = None) -> Enrollment:
    """A fresh enrollment code (e.g. the tablet's browser data was wiped); commit.

    The device's current credential keeps working until the new code is used.
    """
    if device.revoked:
        raise KioskError("revoked")
    code = _issue_code(device, now or utcnow())
    record(user_id, "kiosk_device.reissue", device.name, device_id=device.id)
    db.session.commit()
    return Enrollment(device, code)


def enroll_device(raw_code: str, *, now: datetime | None = None) -> tuple[KioskDevice, str]:
    """Trade a valid enrollment code for a new device credential (returned once); commit."""
    now = now or utcnow()
    code = _normalized_code(raw_code)
    if len(code) != ENROLL_CODE_LENGTH:
        raise KioskError("invalid_code")
    device = db.session.scalar(db.select(KioskDevice).where(
        KioskDevice.enroll_code_hash == digest(code)))
    if (device is None or device.revoked or device.enroll_expires_at is None
            or device.enroll_expires_at < now):
        raise KioskError("invalid_code")
    credential = secrets.token_urlsafe(32)
    device.credential_hash = digest(credential)
    device.enroll_code_hash = None
    device.enroll_expires_at = None
    device.enrolled_at = now
    device.last_contact_at = now
    record(None, "kiosk_device.enroll", device.name, device_id=device.id)
    db.session.commit()
    return device, credential


def device_for(credential: str | None) -> KioskDevice:
    """The device holding this credential; DeviceRefused if unknown or revoked."""
    if not credential or len(credential) > 200:
        raise DeviceRefused("unknown")
    device = db.session.scalar(db.select(KioskDevice).where(
        KioskDevice.credential_hash == digest(credential)))
    if device is None:
        raise DeviceRefused("unknown")
    if device.revoked:
        raise DeviceRefused("revoked")
    return device


def known_device(credential: str | None) -> KioskDevice | None:
    """The device holding this credential, revoked or not (None if unknown)."""
    if not credential or len(credential) > 200:
        return None
    return db.session.scalar(db.select(KioskDevice).where(
        KioskDevice.credential_hash == digest(credential)))


def assign_link(device: KioskDevice, link: Link | None, *, user_id: int | None) -> None:
    """Set which kiosk link the device shows (None: none); commit."""
    device.link = _kiosk_link(link)
    _remember_assignment(device, link)
    record(user_id, "kiosk_device.assign", device.name, device_id=device.id,
           code=link.code if link else None)
    db.session.commit()


def _remember_assignment(device: KioskDevice, link: Link | None) -> None:
    if link is None or was_assigned(device, link):
        return
    db.session.add(KioskAssignment(device_id=device.id, link_id=link.id))
    db.session.flush()


def was_assigned(device: KioskDevice, link: Link) -> bool:
    """Whether the device shows, or has shown, this link."""
    return db.session.scalar(db.select(KioskAssignment.id).where(
        KioskAssignment.device_id == device.id, KioskAssignment.link_id == link.id)) is not None


def revoke_device(device: KioskDevice, *, user_id: int | None, now: datetime | None = None) -> None:
    """Stop accepting anything from the device; its credential and code stop working; commit."""
    if device.revoked_at is None:
        device.revoked_at = now or utcnow()
        device.enroll_code_hash = None
        device.enroll_expires_at = None
        record(user_id, "kiosk_device.revoke", device.name, device_id=device.id)
    db.session.commit()


def check_pin(device: KioskDevice, pin: str, *, now: datetime | None = None) -> None:
    """Accept the device's staff PIN or raise PinRefused; failures are counted; commit."""
    now = now or utcnow()
    if device.pin_locked_until is not None and device.pin_locked_until > now:
        raise PinRefused("locked")
    if check_password_hash(device.pin_hash, pin):
        device.pin_failures = 0
        device.pin_locked_until = None
        db.session.commit()
        return
    device.pin_failures += 1
    locked = device.pin_failures >= PIN_MAX_FAILURES
    if locked:
        device.pin_failures = 0
        device.pin_locked_until = now + PIN_LOCK
        record(None, "kiosk_device.pin_locked", device.name, device_id=device.id)
    db.session.commit()
    raise PinRefused("locked" if locked else "wrong")


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return max(0, min(value, REPORTED_COUNT_MAX))


def recently_heard(device: KioskDevice, now: datetime) -> bool:
    """Whether the device's page is reporting (so its queue count is current)."""
    return device.last_contact_at is not None and now - device.last_contact_at <= CONNECTED_WITHIN


def note_contact(device: KioskDevice, *, pending: object = None, refused: object = None,
                 now: datetime | None = None) -> None:
    """Remember when the device was last heard from and what it says about its queue; commit."""
    device.last_contact_at = now or utcnow()
    if pending is not None:
        device.pending_count = _count(pending)
    if refused is not None:
        device.refused_count = _count(refused)
    db.session.commit()


def _version_for(link: Link, version_id: object) -> SurveyVersion:
    if not valid_id(version_id):
        raise LinkUnavailable("version")
    version = db.session.get(SurveyVersion, version_id)
    if version is None or version.survey_id != link.survey_id or version.published_at is None:
        raise LinkUnavailable("version")
    return version


def deliver_response(device: KioskDevice, *, link_code: object, version_id: object,
                     client_uuid: uuid.UUID, answers: Mapping[str, object],
                     language: object = None) -> Receipt:
    """Store one queued response from a device exactly once; commit (in submit_response).

    The link must be one the device is or was assigned to (answers queued before staff moved
    the tablet to the next session still arrive); the version is the one the respondent saw
    (the device may deliver it after a new version was published).  Raises LinkUnavailable,
    and the respondent errors of submit_response; a conflict (same UUID, different body) is
    logged.
    """
    link = find_link(link_code) if isinstance(link_code, str) else None
    if link is None or link.channel != "kiosk" or not link.active or not was_assigned(device, link):
        raise LinkUnavailable("link")
    version = _version_for(link, version_id)
    try:
        return submit_response(defn=version_definition(version), version=version, link=link,
                               channel=link.channel, client_uuid=client_uuid, answers=answers,
                               language=language)
    except ResponseConflict:
        db.session.rollback()
        log.warning("kiosk response refused: client id %s was already stored with a different "
                    "body (device %s, link %s)", client_uuid, device.id, link.code)
        raise
