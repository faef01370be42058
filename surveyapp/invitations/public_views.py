"""Respondent pages for invitation letters: type the code, or scan the QR code; start or resume.

Two ways in, one path afterwards: ``/code`` (linked from the landing page; large input, works
without JavaScript) and ``/i/<code>`` (the URL in the QR code). Both check the code (typos are
caught by the check character before any look-up; failed look-ups are rate-limited), remember
the invitation in the session and redirect to ``/code/start`` — so the code does not stay in the
address bar or the history. The questions are then the survey's usual pages.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, make_response, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import StringField

from ..i18n import set_link_language
from ..respond.views import flow_session_key, survey_texts
from ..sources import source_hash
from ..surveys.services import version_by_id, version_definition
from ..timeutil import utcnow
from .codes import EXAMPLE, CodeMalformed
from .models import Invitation
from .services import (
    CodeAlreadyUsed,
    CodeUnknown,
    TooManyAttempts,
    get_invitation,
    lookup_code,
    resume_page,
    start_or_resume,
)

bp = Blueprint("invitations", __name__)

SESSION_KEY = "invitation"


class CodeForm(FlaskForm):
    code = StringField()


def _message(exc: Exception) -> str:
    if isinstance(exc, CodeMalformed):
        if exc.reason == "empty":
            return _("コードを入力してください。")
        if exc.reason == "characters":
            return _("「%(chars)s」はコードに使われていない文字です。コードには 0（ゼロ）、1（いち）、I、L、O は"
                     "使われていません。案内状の文字をもう一度確かめてください。", chars=exc.characters)
        if exc.reason == "length":
            return _("コードは英字と数字の9文字です（例：%(example)s）。案内状のコードをもう一度確かめてください。",
                     example=EXAMPLE)
        return _("コードに入力のまちがいがあるようです。案内状のコードと1文字ずつ見比べてください。")
    if isinstance(exc, TooManyAttempts):
        return _("まちがったコードの入力が続いたため、しばらく受け付けを止めています。%(minutes)d分ほど待ってから、"
                 "もう一度入力してください。", minutes=max(1, (exc.retry_after + 59) // 60))
    return _("このコードは見つかりませんでした。案内状のコードをもう一度確かめてください。")


def _code_page(form: CodeForm, error: str | None = None, status: int = 200,
               retry_after: int | None = None) -> ResponseReturnValue:
    response = make_response(render_template("invitations/respond/code.html", form=form, error=error,
                                              example=EXAMPLE), status)
    response.headers["Cache-Control"] = "no-store"
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _enter(raw: str, form: CodeForm) -> ResponseReturnValue:
    try:
        invitation = lookup_code(raw, source_hash())
    except (CodeMalformed, CodeUnknown) as exc:
        form.code.data = raw
        return _code_page(form, _message(exc), 400 if isinstance(exc, CodeMalformed) else 404)
    except TooManyAttempts as exc:
        form.code.data = raw
        return _code_page(form, _message(exc), 429, exc.retry_after)
    session[SESSION_KEY] = invitation.id
    return redirect(url_for("invitations.start_page"), 303)


@bp.get("/code")
def enter_code() -> ResponseReturnValue:
    return _code_page(CodeForm())


@bp.post("/code")
def submit_code() -> ResponseReturnValue:
    form = CodeForm()
    if not form.validate_on_submit():
        abort(400)
    return _enter(form.code.data or "", form)


@bp.get("/i/<code>")
def by_link(code: str) -> ResponseReturnValue:
    """The URL in the QR code: check the code, then continue on a clean URL."""
    return _enter(code, CodeForm(formdata=None))


def _invitation_or_code_page() -> Invitation | None:
    invitation_id = session.get(SESSION_KEY)
    return get_invitation(invitation_id) if isinstance(invitation_id, int) else None


def _context(invitation: Invitation) -> dict[str, Any]:
    wave = invitation.wave
    link = wave.link
    survey = wave.survey
    version = survey.current_version
    if link is None or version is None or survey.status == "draft":
        abort(404)
    set_link_language(link.default_language)
    return {"invitation": invitation, "link": link, "survey": survey, "version": version,
            "defn": version_definition(version)}


@bp.get("/code/start")
def start_page() -> ResponseReturnValue:
    invitation = _invitation_or_code_page()
    if invitation is None:
        return redirect(url_for("invitations.enter_code"), 303)
    if invitation.state == "used":
        return redirect(url_for("invitations.received"), 303)
    ctx = _context(invitation)
    if not ctx["survey"].is_accepting(utcnow()):
        abort(410)
    response = make_response(render_template(
        "invitations/respond/start.html", form=FlaskForm(), resume=invitation.state == "started",
        questions=len(ctx["defn"].questions), **survey_texts(ctx["defn"])))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/code/start")
def start() -> ResponseReturnValue:
    invitation = _invitation_or_code_page()
    if invitation is None:
        return redirect(url_for("invitations.enter_code"), 303)
    if not FlaskForm().validate_on_submit():
        abort(400)
    ctx = _context(invitation)
    if invitation.state != "used" and not ctx["survey"].is_accepting(utcnow()):
        abort(410)
    try:
        flow = start_or_resume(invitation, ctx["version"])
    except CodeAlreadyUsed:
        return redirect(url_for("invitations.received"), 303)
    link_code = ctx["link"].code
    session[flow_session_key(link_code)] = flow.token
    defn = version_definition(version_by_id(flow.survey_version_id))
    return redirect(url_for("respond.page", code=link_code, number=resume_page(defn, flow.answers)), 303)


@bp.get("/code/received")
def received() -> ResponseReturnValue:
    """The kind page for a code whose answer is already stored."""
    response = make_response(render_template("invitations/respond/received.html"))
    response.headers["Cache-Control"] = "no-store"
    return response


def start_url_for_link() -> str:
    """Where an invitation link (``/s/<link>``) sends a visitor: the start page if a code was
    given in this session, else the code-entry page."""
    if _invitation_or_code_page() is not None:
        return url_for("invitations.start_page")
    return url_for("invitations.enter_code")

