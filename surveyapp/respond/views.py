"""Public respondent pages: landing list, survey start, one page at a time, thank-you."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from werkzeug.datastructures import MultiDict

from ..extensions import reads_first
from ..i18n import (
    LANGUAGE_COOKIE,
    TEXT_SIZE_COOKIE,
    current_language,
    localized,
    offered_languages,
    set_link_language,
)
from ..invitations.services import WEB_CHANNEL as INVITATION_CHANNEL
from ..invitations.services import CodeAlreadyUsed, claim_for_flow
from ..ratelimits import rate_limited
from ..screening.services import Signals
from ..sources import source_hash
from ..surveys.definitions import QuestionDef, SurveyDef
from ..surveys.services import (
    PublicLink,
    UnknownSurvey,
    VersionAtLink,
    find_link_with_version,
    public_links,
    published_definition,
    version_by_id,
    version_definition,
)
from ..timeutil import utcnow
from .forms import HONEYPOT_FIELD, answers_from_form, cached_page_form_class, unanswered
from .models import RespondentFlow
from .pages import (
    PageContext,
    RespondentNavigation,
    kept_page,
    no_store,
    page_key,
    question_fragment,
    render_empty_page,
    render_page,
    survey_texts,
)
from .results_page import resident_results
from .services import (
    InvalidAnswers,
    ResponseConflict,
    SurveyNotAccepting,
    find_flow,
    is_stored,
    keep_rejected_input,
    mark_flow_submitted,
    new_flow,
    rejected_input,
    save_page_answers,
    stored_answers,
    submit_response,
)

bp = Blueprint("respond", __name__)
bp.add_app_template_global(question_fragment)  # the staff preview uses the same question markup

PREFERENCE_MAX_AGE = 365 * 24 * 3600
BROWSER_KEY = "browser"  # a random id of this browser session, only ever stored hashed
LINK_ENDPOINTS = frozenset({"respond.start_page", "respond.start", "respond.again", "respond.page",
                            "respond.results"})  # the thank-you page looks its link up itself


class _Context(PageContext):
    """The link, the version answered and its parsed definition."""

    def __init__(self, link: PublicLink, version: VersionAtLink, defn: SurveyDef) -> None:
        super().__init__(defn, RespondentNavigation(link.code), content_hash=version.content_hash)
        self.link = link
        self.version = version

    @property
    def code(self) -> str:
        return self.link.code


def flow_session_key(code: str) -> str:
    """The session key under which a link's flow is kept: the token of a stored flow, or what
    rebuilds a flow that has nothing stored yet (see ``_session_flow``)."""
    return f"flow:{code}"


@bp.url_value_preprocessor
def _link_of_the_address(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Find the link (with its survey's current version) before anything else runs (the rate
    limit included), so that each of its pages, a 429 page too, is in the link's default
    language when no choice was made.  Said before the first query: these pages read first, so
    SQLite's write lock is taken only to store something (a page shown never takes it)."""
    reads_first()
    code = (values or {}).get("code")
    if isinstance(code, str) and _endpoint in LINK_ENDPOINTS:
        found = g.respond_link = find_link_with_version(code)
        if found is not None and found[0].active:
            set_link_language(found[0].default_language)


def _resolve(code: str, *, for_new_flow: bool) -> _Context:
    found = g.respond_link if "respond_link" in g else find_link_with_version(code)
    if found is None or not found[0].active:
        abort(404)
    link, version = found
    set_link_language(link.default_language)
    survey = link.survey
    if version is None or survey.status == "draft":
        abort(404)
    if for_new_flow and not survey.is_accepting(utcnow()):
        abort(410)
    return _Context(link, version, version_definition(version))


def _session_flow(link: PublicLink) -> RespondentFlow | None:
    """The respondent's flow of this link: a stored one (the session holds its token), or one
    that has nothing to keep yet (the session holds its client id, version and times)."""
    kept = session.get(flow_session_key(link.code))
    if isinstance(kept, dict):
        try:
            return new_flow(link, int(kept["version"]), client_uuid=uuid.UUID(kept["uuid"]),
                            created_at=datetime.fromisoformat(kept["created"]),
                            submitted_at=datetime.fromisoformat(kept["submitted"]) if kept.get("submitted") else None)
        except (KeyError, TypeError, ValueError):
            return None
    return find_flow(kept if isinstance(kept, str) else None, link)


def _remember(ctx: _Context, flow: RespondentFlow) -> None:
    """Keep a flow that is not stored in the session: what rebuilds it (a stored flow is kept
    by its token, which the use cases that store it return), and the link's language, which
    the thank-you page shows without looking the link up."""
    submitted = flow.submitted_at.isoformat() if flow.submitted_at is not None else None
    session[flow_session_key(ctx.code)] = {
        "uuid": str(flow.client_uuid), "version": flow.survey_version_id, "created": flow.created_at.isoformat(),
        "submitted": submitted, "lang": ctx.link.default_language}


def _flow_context(code: str) -> tuple[_Context, RespondentFlow | None]:
    ctx = _resolve(code, for_new_flow=False)
    flow = _session_flow(ctx.link)
    if flow is not None and flow.survey_version_id != ctx.version.id:
        # The survey got a new version while this person was answering: keep their version.
        version = version_by_id(flow.survey_version_id)
        if version.survey_id != ctx.link.survey_id:
            return ctx, None
        ctx = _Context(ctx.link, VersionAtLink.of(version, ctx.link.survey), version_definition(version))
    return ctx, flow


@bp.get("/")
def index() -> ResponseReturnValue:
    links = public_links(utcnow())
    items = []
    for link in links:
        version = link.survey.current_version
        assert version is not None
        defn = version_definition(version)
        title, lang = localized(defn.title)
        items.append({"code": link.code, "title": title, "lang": lang})
    return render_template("respond/index.html", items=items)


@bp.get("/s/<code>")
def start_page(code: str) -> ResponseReturnValue:
    """The introduction followed by the first page's questions.  Its GET makes the flow's client
    id (kept in the signed session, nothing written); posting it answers the first page."""
    ctx, flow = _flow_context(code)
    if flow is not None and flow.submitted_at is not None:  # e.g. Back after sending
        return _already_submitted(ctx)
    if not ctx.link.survey.is_accepting(utcnow()):
        abort(410)
    if flow is None:
        if ctx.link.channel == INVITATION_CHANNEL:  # answered only with a letter's code
            return redirect(_invitation_start(), 303)
        flow = new_flow(ctx.link, ctx.version.id)
        _remember(ctx, flow)
        session.setdefault(BROWSER_KEY, secrets.token_urlsafe(16))
    return _show_page(ctx, flow, 1, template="respond/start.html")


@bp.get("/s/<code>/again")
def again(code: str) -> ResponseReturnValue:
    """Answer once more in the same browser: forget the sent flow, then show the start page."""
    ctx, flow = _flow_context(code)
    if flow is not None and flow.submitted_at is not None:
        session.pop(flow_session_key(ctx.code), None)
    return redirect(url_for("respond.start_page", code=code), 303)


@bp.post("/s/<code>")
@rate_limited("RATE_LIMIT_START")
def start(code: str) -> ResponseReturnValue:
    ctx, flow = _flow_context(code)
    if HONEYPOT_FIELD not in request.form:
        # A start page without questions (loaded before they moved onto it): start as it said.
        return _start_without_answers(ctx)
    if flow is None:
        if ctx.link.channel == INVITATION_CHANNEL:
            return redirect(_invitation_start(), 303)
        return _start_again(ctx)
    return _post_page(ctx, flow, 1, here=url_for("respond.start_page", code=code))


def _start_without_answers(ctx: _Context) -> ResponseReturnValue:
    ctx = _resolve(ctx.code, for_new_flow=True)  # a new flow answers the current version
    if ctx.link.channel == INVITATION_CHANNEL:
        return redirect(_invitation_start(), 303)
    if not FlaskForm().validate_on_submit():
        abort(400)
    _remember(ctx, new_flow(ctx.link, ctx.version.id))
    session.setdefault(BROWSER_KEY, secrets.token_urlsafe(16))
    return redirect(url_for("respond.page", code=ctx.code, number=1), 303)


def _start_again(ctx: _Context) -> ResponseReturnValue:
    if not ctx.link.survey.is_accepting(utcnow()):
        abort(410)
    flash(_("はじめから回答してください。"))
    return redirect(url_for("respond.start_page", code=ctx.code), 303)


@bp.route("/s/<code>/p/<int:number>", methods=["GET", "POST"])
@rate_limited("RATE_LIMIT_ANSWER")
def page(code: str, number: int) -> ResponseReturnValue:
    ctx, flow = _flow_context(code)
    if flow is None:
        return _start_again(ctx)
    if not 1 <= number <= len(ctx.pages):
        abort(404)
    if not _is_post():
        return _show_page(ctx, flow, number)
    return _post_page(ctx, flow, number, here=url_for("respond.page", code=code, number=number))


def _show_page(ctx: _Context, flow: RespondentFlow, number: int, *,
               template: str = "respond/page.html") -> ResponseReturnValue:
    """A page of questions with the answers kept so far, or the rejected input with its errors."""
    final = number == len(ctx.pages)
    if flow.submitted_at is not None:
        return _already_submitted(ctx)
    questions = ctx.pages[number - 1]
    form_class = cached_page_form_class(ctx.defn, number, current_language(), final=final)
    if rejected_input(flow, number) is None and all(unanswered(flow.answers.get(q.key)) for q in questions):
        return render_empty_page(ctx, lambda: _page_form(form_class, flow, questions, number, final), questions,
                                 number, final, template=template, token=generate_csrf(),
                                 response_id=str(flow.client_uuid) if final else None)
    return render_page(ctx, _page_form(form_class, flow, questions, number, final), questions, number,
                       final, template=template)


def _post_page(ctx: _Context, flow: RespondentFlow, number: int, *, here: str) -> ResponseReturnValue:
    """A page's answers: kept (next page), sent (last page), or refused (back ``here``)."""
    questions = ctx.pages[number - 1]
    final = number == len(ctx.pages)
    if flow.submitted_at is not None and not final:
        return _already_submitted(ctx)
    form = cached_page_form_class(ctx.defn, number, current_language(), final=final)()
    if not form.validate():
        # POST-redirect-GET: the history never holds a POST, so Back never asks to resend it.
        # What was entered is kept in the flow and shown again, with its errors, by the GET.
        if flow.submitted_at is None:
            session[flow_session_key(ctx.code)] = keep_rejected_input(
                flow, number, _entered(questions, final), honeypot=_honeypot_filled(form))
        return redirect(here, 303)
    page_answers = answers_from_form(form, questions)
    if not final:
        session[flow_session_key(ctx.code)] = save_page_answers(flow, page_answers, [q.key for q in questions],
                                                                 honeypot=_honeypot_filled(form))
        return redirect(url_for("respond.page", code=ctx.code, number=number + 1), 303)
    return _submit(ctx, flow, form, questions, page_answers)


def _submit(ctx: _Context, flow: RespondentFlow, form: Any, questions: list[QuestionDef],
            page_answers: dict[str, Any]) -> ResponseReturnValue:
    client_uuid = uuid.UUID(form.response_id.data)
    if client_uuid != flow.client_uuid:
        abort(400)
    page_keys = {q.key for q in questions}
    earlier = flow.answers
    submitted_before = flow.submitted_at is not None
    if submitted_before:
        earlier = stored_answers(ctx.defn, client_uuid) or {}
    answers = {k: v for k, v in earlier.items() if k not in page_keys}
    answers.update(page_answers)
    # Only a wave's link (channel "invitation") has codes to use up: other links skip the look-up.
    claim = claim_for_flow(flow) if ctx.link.channel == INVITATION_CHANNEL else None
    try:
        receipt = submit_response(defn=ctx.defn, version=ctx.version, link=ctx.link,
                                  channel=ctx.link.channel, client_uuid=client_uuid,
                                  answers=answers, signals=_signals(flow, form),
                                  claim=claim, language=current_language())
    except CodeAlreadyUsed:  # the letter's code was used meanwhile (another device, or paper)
        return redirect(url_for("invitations.received"), 303)
    except ResponseConflict:
        abort(409)
    except SurveyNotAccepting:
        abort(410)
    except InvalidAnswers as exc:
        first = _first_page_with(ctx.pages, set(exc.problems))
        flash(_("まだ回答していない質問があります。"))
        return redirect(ctx.nav.page(first), 303)
    if not submitted_before:
        # A changed cookie also stops Chromium from restoring the filled-in pages (kept with
        # Cache-Control: no-store) from its back/forward cache when the respondent goes Back.
        if is_stored(flow):
            session[flow_session_key(ctx.code)] = mark_flow_submitted(flow, receipt)
        else:  # a survey answered on one page: the response is the only row written
            flow.submitted_at = flow.created_at = receipt.submitted_at  # no finer time kept
            _remember(ctx, flow)
    return redirect(url_for("respond.done", code=ctx.code), 303)


def _honeypot_filled(form: Any) -> bool:
    return bool((form[HONEYPOT_FIELD].data or "").strip())


def _signals(flow: RespondentFlow, form: Any) -> Signals:
    """What the screening may know: hashes of the address and of this browser session, when the
    flow started, and whether a field people never see was filled in."""
    browser = session.get(BROWSER_KEY)
    return Signals(source=source_hash(),
                   session=source_hash("browser:" + browser) if isinstance(browser, str) else None,
                   started_at=flow.created_at, honeypot=flow.honeypot or _honeypot_filled(form))


def _invitation_start() -> str:
    from ..invitations.public_views import start_url_for_link  # the invitation pages import ours

    return start_url_for_link()


def _page_form(form_class: type[FlaskForm], flow: RespondentFlow, questions: list[QuestionDef],
               number: int, final: bool) -> Any:
    """The page's form: the rejected input with its errors (validated again, so the messages
    are in the language of this request), else the answers kept so far."""
    kept = rejected_input(flow, number)
    if kept is None:
        return form_class(data={q.key: flow.answers.get(q.key) for q in questions},
                          response_id=str(flow.client_uuid))
    form = form_class(formdata=MultiDict([(k, v) for k, vs in kept.items() for v in vs]),
                      meta={"csrf": False})
    form.validate()
    if final:
        form.response_id.data = str(flow.client_uuid)  # the next try carries the flow's id
    return form


def _entered(questions: list[QuestionDef], final: bool) -> dict[str, list[str]]:
    """The posted values of the page's fields (never anything else)."""
    names = [q.key for q in questions] + (["response_id"] if final else [])
    return {name: request.form.getlist(name) for name in names if name in request.form}


def _first_page_with(pages: list[list[QuestionDef]], keys: set[str]) -> int:
    for index, questions in enumerate(pages, start=1):
        if any(q.key in keys for q in questions):
            return index
    return 1


def _is_post() -> bool:
    return request.method == "POST"


def _already_submitted(ctx: _Context) -> ResponseReturnValue:
    response = make_response(render_template("respond/submitted.html", ctx=ctx,
                                              **survey_texts(ctx.defn)))
    response.headers["Cache-Control"] = "no-store"
    return response


def _sent_in_session(code: str) -> tuple[int, SurveyDef] | None:
    """The version answered and its definition, when the session itself says that this link's
    flow was sent (a survey answered on one page), with the link's language set; None otherwise."""
    kept = session.get(flow_session_key(code))
    if not (isinstance(kept, dict) and kept.get("submitted") and "lang" in kept):
        return None
    try:
        version_id = int(kept["version"])
        defn = published_definition(version_id)
    except (KeyError, TypeError, ValueError, UnknownSurvey):
        return None
    set_link_language(kept["lang"] if isinstance(kept["lang"], str) else None)
    return version_id, defn


@bp.get("/s/<code>/done")
def done(code: str) -> ResponseReturnValue:
    """The thank-you page. After a one-page survey the session holds all it shows, and it reads
    nothing from the database: the answers were stored before the redirect to it. Nothing on it
    is the respondent's own, so its markup is kept per version (``kept_page``)."""
    sent = _sent_in_session(code)
    if sent is None:
        ctx, flow = _flow_context(code)
        if flow is None or flow.submitted_at is None:
            return redirect(url_for("respond.start_page", code=code), 303)
        sent = ctx.version.id, ctx.defn
    version_id, defn = sent
    results_url = url_for("respond.results", code=code) if defn.public_results else None
    key = page_key(defn, "respond/done.html", version_id, results_url)
    return no_store(kept_page(key, lambda: render_template("respond/done.html", results_url=results_url,
                                                           **survey_texts(defn))))


@bp.get("/s/<code>/results")
def results(code: str) -> ResponseReturnValue:
    """The survey's KPI results for residents (only for surveys that publish them)."""
    ctx = _resolve(code, for_new_flow=False)
    if not ctx.defn.public_results:
        abort(404)
    kpis = resident_results(ctx.link.survey.key, ctx.defn, current_language())
    return render_template("respond/results.html", ctx=ctx, kpis=kpis, **survey_texts(ctx.defn))


# --------------------------------------------------------------------------- preferences
# Plain links that set a cookie and return to the page: they work without JavaScript. A GET is
# enough: the only effect is the display preference of the person who follows the link.


def _return_path() -> str:
    """The local path to go back to; anything that could leave the site becomes the landing page."""
    target = request.args.get("next", "")
    unsafe = "\\" in target or any(ord(char) < 0x20 for char in target)
    if unsafe or not target.startswith("/") or target.startswith("//"):
        return url_for("respond.index")
    return target


def _preference(name: str, value: str) -> ResponseReturnValue:
    response = redirect(_return_path(), 303)
    response.set_cookie(name, value, max_age=PREFERENCE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


@bp.get("/language")
def choose_language() -> ResponseReturnValue:
    """Every offered language as a plain link (for the compact line on the question pages)."""
    return render_template("respond/language.html", back=_return_path())


@bp.get("/language/<code>")
def set_language(code: str) -> ResponseReturnValue:
    if code not in offered_languages():
        abort(404)
    return _preference(LANGUAGE_COOKIE, code)


@bp.get("/text-size/<size>")
def set_text_size(size: str) -> ResponseReturnValue:
    if size not in ("large", "standard"):
        abort(404)
    return _preference(TEXT_SIZE_COOKIE, size)
