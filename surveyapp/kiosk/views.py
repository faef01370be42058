"""The tablet side of kiosk mode: enrollment, the kiosk page, PIN exit, the queue's JSON API.

Design (why it is built this way):

* **One page per language holds the whole survey.**  ``/kiosk/`` renders every question of the
  device's kiosk link into one document; ``static/js/kiosk.js`` shows one question at a time,
  keeps the partial answers only in page memory and, when the respondent finishes, puts the
  complete response with a fresh client UUID into IndexedDB before the thank-you screen.  The
  service worker (``/kiosk/sw.js``, scope ``/kiosk/``) caches these pages and their assets, so
  a tablet keeps collecting when the Wi-Fi drops or after a restart.  No partial answer ever
  reaches the server, so a reset only has to clear the page.
* **The queue is delivered to a JSON endpoint** (``api_views``) **authenticated by the device
  credential**, not by a CSRF token: a form left open all morning cannot fail on an expired
  token.  The endpoint is CSRF-exempt and guarded instead by the credential cookie
  (``SameSite=Strict``, HttpOnly), a JSON content type (a cross-site form cannot send one) and
  same-origin ``Sec-Fetch-Site``/``Origin`` checks.  The server stores each UUID once
  (``submit_response``): a replay gets the original receipt, a different body a 409 that is
  logged.  The device deletes an item only after a receipt that echoes its UUID.
* **Kiosk mode** is a cookie: while it is set, every page outside ``/kiosk/`` redirects to the
  kiosk; leaving needs the device's staff PIN (checked on the server, stored hashed).
"""

from __future__ import annotations

import json
import os
from typing import Any

from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import refresh
from werkzeug.wrappers import Response as WerkzeugResponse

from ..extensions import csrf
from ..i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, localized, offered_languages
from ..respond.forms import question_texts
from ..surveys.definitions import SurveyDef
from ..surveys.models import Link, SurveyVersion
from ..surveys.services import version_definition
from ..timeutil import utcnow
from .forms import EnrollForm, PinForm
from .models import KioskDevice
from .services import (
    HEARTBEAT_SECONDS,
    KioskError,
    PinRefused,
    check_pin,
    enroll_device,
    known_device,
    note_contact,
)

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")

CREDENTIAL_COOKIE = "kiosk_device"
MODE_COOKIE = "kiosk_mode"
COOKIE_MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days; renewed on every visit
OPEN_PATHS = ("/kiosk/", "/kiosk")


# --------------------------------------------------------------------------- helpers


def credential_cookie() -> str | None:
    return request.cookies.get(CREDENTIAL_COOKIE)


def _in_kiosk_mode() -> bool:
    return request.cookies.get(MODE_COOKIE) == "1"


def _set_cookie(response: WerkzeugResponse, name: str, value: str, *, path: str,
                samesite: str) -> None:
    response.set_cookie(name, value, max_age=COOKIE_MAX_AGE, path=path, httponly=True,
                        samesite=samesite, secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))


def _enter_kiosk_mode(response: WerkzeugResponse, credential: str | None = None) -> None:
    if credential is not None:
        _set_cookie(response, CREDENTIAL_COOKIE, credential, path="/kiosk", samesite="Strict")
    _set_cookie(response, MODE_COOKIE, "1", path="/", samesite="Lax")


def _use_language(code: str) -> None:
    """Show this request in ``code`` whatever the language cookie says (a kiosk serves many)."""
    g.language = code
    refresh()


def _no_store(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def _confine_to_kiosk() -> ResponseReturnValue | None:
    """While a tablet is in kiosk mode it can show only kiosk pages (and their assets)."""
    if not _in_kiosk_mode():
        return None
    path = request.path
    static = (current_app.static_url_path or "/static") + "/"
    if path.startswith(OPEN_PATHS) or path.startswith(static):
        return None
    return redirect(url_for("kiosk.home"), 303)


@bp.after_request
def _kiosk_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --------------------------------------------------------------------------- the kiosk page


def _kiosk_language(link: Link) -> str:
    wanted = request.args.get("lang", "")
    return wanted if wanted in offered_languages() else kiosk_home_language(link)


def kiosk_home_language(link: Link) -> str:
    """The language each new person starts in: the link's fixed language, else Japanese (a
    shared tablet's browser language says nothing about the person in front of it)."""
    fixed = link.default_language
    return fixed if fixed in offered_languages() else DEFAULT_LANGUAGE


def _questions(defn: SurveyDef, language: str) -> list[dict[str, Any]]:
    return [question_texts(question, language) for page in defn.pages() for question in page]


def _precache_urls() -> list[str]:
    pages = [url_for("kiosk.home")] + [url_for("kiosk.home", lang=code)
                                       for code in offered_languages()]
    assets = [url_for("static", filename=name) for name in (
        "css/kiosk.css", "js/kiosk-idle.js", "js/kiosk-queue.js", "js/kiosk.js",
        "kiosk-icon.svg", "kiosk-icon-192.png", "kiosk-icon-512.png")]
    return pages + assets + [url_for("kiosk.manifest")]


def _page_settings() -> dict[str, Any]:
    config = current_app.config
    return {"idle": config["KIOSK_IDLE_SECONDS"], "countdown": config["KIOSK_COUNTDOWN_SECONDS"],
            "thanks": config["KIOSK_THANKS_SECONDS"], "retry_max": config["KIOSK_RETRY_MAX_SECONDS"],
            "heartbeat": HEARTBEAT_SECONDS}


def _render_app(device: KioskDevice, link: Link, version: SurveyVersion) -> ResponseReturnValue:
    language = _kiosk_language(link)
    _use_language(language)
    defn = version_definition(version)
    title, title_lang = localized(defn.title, language)
    languages = [(code, LANGUAGE_NAMES[code]) for code in offered_languages()]
    body = render_template(
        "kiosk/app.html", device=device, link=link, version=version, title=title,
        home_language=kiosk_home_language(link),
        title_lang=title_lang, questions=_questions(defn, language), languages=languages,
        furigana=language == "ja-easy", settings=_page_settings(),
        precache=_precache_urls(), page_key=page_key(device))
    response = make_response(body)
    _enter_kiosk_mode(response, credential_cookie())
    return _no_store(response)


def _render_status(device: KioskDevice | None, state: str, status: int) -> ResponseReturnValue:
    _use_language(DEFAULT_LANGUAGE)
    body = render_template("kiosk/status.html", device=device, state=state,
                           settings=_page_settings(),
                           page_key=page_key(device) if device is not None else state)
    return _no_store(make_response(body, status))


def _page_state(device: KioskDevice) -> tuple[str, Link | None, SurveyVersion | None]:
    """What the device should show: ``app`` (with its link and version), ``unassigned``,
    ``closed`` or ``revoked``."""
    if device.revoked:
        return "revoked", None, None
    link = device.link
    survey = link.survey if link is not None and link.active else None
    version = survey.current_version if survey is not None else None
    if link is None or survey is None or version is None or survey.status == "draft":
        return "unassigned", None, None
    if not survey.is_accepting(utcnow()):
        return "closed", None, None
    return "app", link, version


def page_key(device: KioskDevice) -> str:
    """Changes whenever the device should show another page (new link, version or state);
    the page compares it with the heartbeat's and reloads between two respondents."""
    state, link, version = _page_state(device)
    return f"{link.code}:{version.id}" if link is not None and version is not None else state


@bp.get("/")
def home() -> ResponseReturnValue:
    device = known_device(credential_cookie())
    if device is None:
        return redirect(url_for("kiosk.enroll"), 303)
    state, link, version = _page_state(device)
    if state == "revoked":
        return _render_status(device, "revoked", 403)
    note_contact(device)
    if link is None or version is None:
        return _render_status(device, state, 200)
    return _render_app(device, link, version)


@bp.post("/discard")
@csrf.exempt
def discard() -> ResponseReturnValue:
    """Where the kiosk form posts if its script did not run: nothing is kept."""
    return redirect(url_for("kiosk.home"), 303)


# --------------------------------------------------------------------------- enrollment, PIN


@bp.route("/enroll", methods=["GET", "POST"])
def enroll() -> ResponseReturnValue:
    _use_language(DEFAULT_LANGUAGE)
    form = EnrollForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                _device, credential = enroll_device(form.code.data or "")
            except KioskError:
                form.code.errors = [_("登録コードが正しくないか、有効期限が切れています。"
                                      "職員ページで新しいコードを発行してください。")]
            else:
                response = redirect(url_for("kiosk.home"), 303)
                _enter_kiosk_mode(response, credential)
                return response
    return _no_store(make_response(render_template("kiosk/enroll.html", form=form), status))


@bp.route("/exit", methods=["GET", "POST"])
def exit_kiosk() -> ResponseReturnValue:
    _use_language(DEFAULT_LANGUAGE)
    device = known_device(credential_cookie())
    if device is None:
        return redirect(url_for("kiosk.enroll"), 303)
    form = PinForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                check_pin(device, form.pin.data or "")
            except PinRefused as exc:
                form.pin.errors = [_("暗証番号を続けて間違えたため、5分間は入力できません。")
                                   if exc.code == "locked" else _("暗証番号が正しくありません。")]
            else:
                response = redirect(url_for("kiosk.device_page"), 303)
                response.delete_cookie(MODE_COOKIE, path="/")
                return response
    return _no_store(make_response(render_template("kiosk/exit.html", form=form, device=device),
                                   status))


@bp.get("/device")
def device_page() -> ResponseReturnValue:
    """After the PIN: the device's name, its link, its queue; back to kiosk mode from here."""
    if _in_kiosk_mode():
        return redirect(url_for("kiosk.home"), 303)
    _use_language(DEFAULT_LANGUAGE)
    device = known_device(credential_cookie())
    if device is None:
        return redirect(url_for("kiosk.enroll"), 303)
    return render_template("kiosk/device.html", device=device, settings=_page_settings())


@bp.post("/resume")
def resume() -> ResponseReturnValue:
    if known_device(credential_cookie()) is None:
        return redirect(url_for("kiosk.enroll"), 303)
    response = redirect(url_for("kiosk.home"), 303)
    _enter_kiosk_mode(response)
    return response


# --------------------------------------------------------------------------- installable app


@bp.get("/sw.js")
def service_worker() -> ResponseReturnValue:
    """Served from the kiosk path so that its scope covers the kiosk pages."""
    response = send_from_directory(os.path.join(current_app.static_folder or "", "js"),
                                   "kiosk-sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/manifest.webmanifest")
def manifest() -> ResponseReturnValue:
    """The manifest keeps its address; its icons point to their content-hashed URLs."""
    with open(os.path.join(current_app.static_folder or "", "kiosk.webmanifest"), encoding="utf-8") as file:
        data = json.load(file)
    static = (current_app.static_url_path or "/static") + "/"
    for icon in data.get("icons", []):
        if icon["src"].startswith(static):
            icon["src"] = url_for("static", filename=icon["src"].removeprefix(static))
    response = make_response(json.dumps(data, ensure_ascii=False, indent=1))
    response.mimetype = "application/manifest+json"
    response.headers["Cache-Control"] = "no-cache"
    response.add_etag()
    return response.make_conditional(request)


from . import api_views  # noqa: E402,F401  (the JSON API, on this blueprint)
