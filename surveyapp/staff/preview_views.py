"""Preview of a draft, page by page in each of its languages, rendered by the respondent
templates.  Nothing is stored: no flow, no response; sending the last page only shows the
thank-you page of the preview."""

from __future__ import annotations

import uuid
from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..auth.roles import permission_required
from ..i18n import LANGUAGE_NAMES, use_language
from ..respond.forms import page_form_class
from ..respond.pages import PageContext, render_page, survey_texts
from ..surveys.drafts import DraftState, draft_state
from ..surveys.format.model import SurveyDef
from .editor_problems import page_of
from .editor_views import _where, preview_languages
from .views import _survey_or_404, bp


class PreviewNavigation:
    """The preview's own pages, in one language."""

    def __init__(self, key: str, lang: str) -> None:
        self.key = key
        self.lang = lang

    def start(self) -> str:
        return url_for("staff.draft_preview_start", key=self.key, lang=self.lang)

    def begin(self) -> str:
        return url_for("staff.draft_preview_begin", key=self.key, lang=self.lang)

    def again(self) -> str:
        return self.start()

    def page(self, number: int) -> str:
        return url_for("staff.draft_preview_page", key=self.key, lang=self.lang, number=number)

    def done(self) -> str:
        return url_for("staff.draft_preview_done", key=self.key, lang=self.lang)

    def switch(self, lang: str, number: int | None, *, done: bool = False) -> str:
        """The same page in another language."""
        if done:
            return url_for("staff.draft_preview_done", key=self.key, lang=lang)
        if number is None:
            return url_for("staff.draft_preview_start", key=self.key, lang=lang)
        return url_for("staff.draft_preview_page", key=self.key, lang=lang, number=number)


def _preview(key: str, lang: str) -> tuple[DraftState, SurveyDef | None, dict[str, Any]]:
    """The draft, its definition (None with problems) and what every preview page shows."""
    survey = _survey_or_404(key)
    state = draft_state(survey)
    if state is None:
        abort(404)
    languages = preview_languages(state)
    if lang not in languages:
        abort(404)
    use_language(lang)
    nav = PreviewNavigation(key, lang)
    banner = {"preview_nav": nav, "preview_languages": [(code, LANGUAGE_NAMES[code]) for code in languages],
              "preview_language": lang, "survey": survey}
    return state, state.defn, banner


def _unavailable(state: DraftState) -> ResponseReturnValue:
    use_language("ja")
    problems = [{"problem": p, "where": _where(page_of(p), state.survey.key)} for p in state.problems]
    return render_template("staff/preview/unavailable.html", survey=state.survey, problems=problems), 409


@bp.get("/surveys/<key>/draft/preview")
@permission_required("surveys.edit")
def draft_preview(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    state = draft_state(survey)
    if state is None:
        abort(404)
    languages = preview_languages(state)
    default = state.data.get("default_language")
    lang = default if default in languages else "ja"
    return redirect(url_for("staff.draft_preview_start", key=key, lang=lang), 303)


@bp.get("/surveys/<key>/draft/preview/<lang>")
@permission_required("surveys.edit")
def draft_preview_start(key: str, lang: str) -> ResponseReturnValue:
    return _preview_page(key, lang, 1)


@bp.post("/surveys/<key>/draft/preview/<lang>")
@permission_required("surveys.edit")
def draft_preview_begin(key: str, lang: str) -> ResponseReturnValue:
    return _preview_page(key, lang, 1)


@bp.route("/surveys/<key>/draft/preview/<lang>/<int:number>", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_preview_page(key: str, lang: str, number: int) -> ResponseReturnValue:
    return _preview_page(key, lang, number)


def _preview_page(key: str, lang: str, number: int) -> ResponseReturnValue:
    """A page of the draft as residents get it; the first one is the start page (introduction,
    then the first page's questions).  A page that validates leads on, nothing is kept."""
    state, defn, banner = _preview(key, lang)
    if defn is None:
        return _unavailable(state)
    pages = defn.pages()
    if not 1 <= number <= len(pages):
        abort(404)
    questions = pages[number - 1]
    final = number == len(pages)
    form_class = page_form_class(questions, lang, final=final)
    form = form_class()
    if form.is_submitted():
        if form.validate():
            nav = banner["preview_nav"]
            return redirect(nav.done() if final else nav.page(number + 1), 303)
    else:
        form = form_class(response_id=str(uuid.uuid4()))
    ctx = PageContext(defn, banner["preview_nav"])
    start = request.endpoint in ("staff.draft_preview_start", "staff.draft_preview_begin")
    return render_page(ctx, form, questions, number, final,
                       template="staff/preview/start.html" if start else "staff/preview/page.html",
                       preview_number=None if start else number, preview_done=False, **banner)


@bp.get("/surveys/<key>/draft/preview/<lang>/done")
@permission_required("surveys.edit")
def draft_preview_done(key: str, lang: str) -> ResponseReturnValue:
    state, defn, banner = _preview(key, lang)
    if defn is None:
        return _unavailable(state)
    return render_template("staff/preview/done.html", ctx=PageContext(defn, banner["preview_nav"]),
                           results_url=None, preview_number=None, preview_done=True,
                           **survey_texts(defn), **banner)
