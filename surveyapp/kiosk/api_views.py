"""The kiosk's JSON API (on the ``kiosk`` blueprint): queued responses and heartbeats.

CSRF-exempt by design: a request is authenticated by the device credential cookie
(``SameSite=Strict``) and must be same-origin JSON — see the notes in ``views``.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..extensions import csrf
from ..ratelimits import rate_limited
from ..respond.services import InvalidAnswers, Receipt, ResponseConflict, SurveyNotAccepting
from ..sources import source_hash
from .models import KioskDevice
from .services import DeviceRefused, LinkUnavailable, deliver_response, device_for, digest, note_contact
from .views import bp, credential_cookie, page_key

UNAVAILABLE_MESSAGES = {
    "link": _l("この端末に割り当てられていない回答先です。この回答は送信できません。職員にお知らせください。"),
    "version": _l("この回答先のアンケートの版が見つかりません。職員にお知らせください。"),
}


def _error(status: int, code: str, message: object = "", **extra: Any) -> ResponseReturnValue:
    return jsonify(error=code, message=str(message), **extra), status


def _cross_site_problem() -> ResponseReturnValue | None:
    """The API is CSRF-exempt: accept only same-origin JSON requests."""
    if not request.is_json:
        return _error(415, "json_required")
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in ("same-origin", "none"):
        return _error(403, "cross_site")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        return _error(403, "cross_site")
    return None


def _device_or_error() -> KioskDevice | ResponseReturnValue:
    try:
        return device_for(credential_cookie())
    except DeviceRefused as exc:
        if exc.code == "revoked":
            return _error(403, "revoked", _("この端末は登録が取り消されたため、回答を送信できません。"
                                            "職員にお知らせください。"))
        return _error(401, "unknown_device", _("この端末は登録されていません。職員にお知らせください。"))


def _calling_device() -> KioskDevice | ResponseReturnValue:
    """The enrolled, active device making a same-site call, or the error response to send."""
    problem = _cross_site_problem()
    if problem is not None:
        return problem
    return _device_or_error()


def _json_body() -> Any:
    """The parsed JSON body, or None when it is not JSON we can read (deep nesting included)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _receipt_json(receipt: Receipt) -> dict[str, Any]:
    return {"client_uuid": str(receipt.client_uuid),
            "submitted_at": receipt.submitted_at.isoformat() + "Z", "created": receipt.created}


def _device_key() -> str:
    """Kiosk devices are not limited by address (a venue's tablets share one) but each by its
    own credential; a request without one counts against its address."""
    credential = credential_cookie()
    return "device:" + digest(credential) if credential else "source:" + source_hash()


@bp.post("/api/responses")
@csrf.exempt
@rate_limited("RATE_LIMIT_KIOSK", key=_device_key)
def api_response() -> ResponseReturnValue:
    device = _calling_device()
    if not isinstance(device, KioskDevice):
        return device
    payload = _json_body()
    if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
        return _error(400, "malformed")
    try:
        client_uuid = uuid.UUID(str(payload.get("client_uuid")))
    except ValueError:
        return _error(400, "malformed")
    note_contact(device, pending=payload.get("pending"), refused=payload.get("refused"))
    try:
        receipt = deliver_response(device, link_code=payload.get("link"),
                                   version_id=payload.get("version"), client_uuid=client_uuid,
                                   answers=payload["answers"], language=payload.get("language"))
    except ResponseConflict:
        return _error(409, "conflict", client_uuid=str(client_uuid))
    except SurveyNotAccepting:
        return _error(410, "closed", client_uuid=str(client_uuid))
    except InvalidAnswers as exc:
        return _error(400, "invalid", client_uuid=str(client_uuid), problems=exc.problems)
    except LinkUnavailable as exc:
        return _error(400, "unavailable_" + exc.code, UNAVAILABLE_MESSAGES.get(exc.code, ""),
                      client_uuid=str(client_uuid))
    return jsonify(receipt=_receipt_json(receipt)), 201 if receipt.created else 200


@bp.post("/api/heartbeat")
@csrf.exempt
def api_heartbeat() -> ResponseReturnValue:
    device = _calling_device()
    if not isinstance(device, KioskDevice):
        return device
    payload = _json_body()
    payload = payload if isinstance(payload, dict) else {}
    note_contact(device, pending=payload.get("pending"), refused=payload.get("refused"))
    return jsonify(status="active", device=device.name, page=page_key(device))
