"""The survey editor: a draft's overview, its settings and its files (questions and KPIs are
in ``question_views``).

Every page is a plain server-rendered form.  A save stores what was typed in the draft (even
with problems) and comes back to the same page, where the schema's messages stand beside the
fields; buttons that add, move or remove items are ordinary submit buttons.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import permission_required
from ..exports.cells import attachment_header
from ..exports.xlsx import XLSX_MIMETYPE
from ..i18n import offered_languages
from ..surveys import drafts, editing
from ..surveys.definitions import DefinitionError
from ..surveys.drafts import DraftError, DraftState, StaleDraft, SurveyArchived, draft_state
from ..surveys.format.problems import keypath
from ..surveys.format.schema import LANGUAGE_LABELS, TYPE_CHOICES
from ..surveys.models import Survey
from .editor_forms import RevisionForm, UploadForm, settings_form_class, settings_formdata, settings_from_form
from .editor_problems import page_of, page_problems, place_label, problems_by_field, rendered_names
from .views import _survey_or_404, bp

PAPER_PREVIEW_ENDPOINT = "paper.draft_preview"
"""The paper questionnaire's preview of a draft (args ``key``), shown beside the screen
preview once the paper questionnaires provide it."""


def _state_or_404(key: str) -> tuple[Survey, DraftState]:
    survey = _survey_or_404(key)
    state = draft_state(survey)
    if state is None:
        abort(404)
    return survey, state


def _user_id() -> int:
    return int(current_user.id)


def refused(exc: DraftError) -> str:
    """Why a change to the draft was not made, for staff."""
    if isinstance(exc, StaleDraft):
        return _("保存していません：この下書きは、ほかの画面や別の人によって先に変更されています。"
                 "最新の内容を表示しましたので、もう一度変更してください。")
    if isinstance(exc, SurveyArchived):
        return _("アーカイブ中のアンケートは変更できません。先にアーカイブから戻してください。")
    return _("この操作はできません。画面を開き直して、もう一度お試しください。")


def _saved(state_after: DraftState | None) -> None:
    count = len(state_after.problems) if state_after else 0
    if count:
        flash(_("保存しました。公開する前に直す問題が%(n)d件あります（各項目の横に表示しています）。", n=count))
    else:
        flash(_("保存しました。"))


@bp.app_template_filter("keypath")
def _keypath_filter(path: tuple[str | int, ...]) -> str:
    return keypath(path)


def _where(problem_page: tuple[str, int | None, str], key: str) -> str:
    page, index, name = problem_page
    anchor = f"#{name}" if name else ""
    if page == "question" and index is not None:
        return url_for("staff.draft_question", key=key, index=index) + anchor
    if page == "kpi" and index is not None:
        return url_for("staff.draft_kpi", key=key, index=index) + anchor
    if page == "settings":
        return url_for("staff.draft_settings", key=key) + anchor
    return url_for("staff.draft_overview", key=key) + "#questions"


# --------------------------------------------------------------------------- overview


@bp.get("/surveys/<key>/draft")
@permission_required("surveys.edit")
def draft_overview(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    state = draft_state(survey)
    if state is None:
        return render_template("staff/editor/no_draft.html", survey=survey, form=RevisionForm())
    problems = [{"problem": p, "where": _where(page_of(p), key), "place": place_label(p.path)}
                for p in state.problems]
    counts: dict[tuple[str, int | None], int] = {}
    for problem in state.problems:
        page, index, _name = page_of(problem)
        counts[(page, index)] = counts.get((page, index), 0) + 1
    questions = editing.questions_of(state.data)
    return render_template(
        "staff/editor/overview.html", survey=survey, state=state, problems=problems, counts=counts,
        questions=questions, pages=editing.page_numbers(questions), kpis=editing.kpis_of(state.data),
        form=RevisionForm(revision=state.revision), upload=UploadForm(),
        type_labels={c.code: c.label for c in TYPE_CHOICES.items}, language_labels=LANGUAGE_LABELS,
        offered=editing.offered_languages(state.data), preview_languages=preview_languages(state),
        paper_preview=PAPER_PREVIEW_ENDPOINT if PAPER_PREVIEW_ENDPOINT in current_app.view_functions else None,
    )


def preview_languages(state: DraftState) -> list[str]:
    """The draft's languages that respondents can be shown (the UI is translated into them)."""
    ui = offered_languages()
    return [lang for lang in editing.offered_languages(state.data) if lang in ui]


@bp.post("/surveys/<key>/draft")
@permission_required("surveys.edit")
def draft_start(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    try:
        drafts.start_draft(survey, user_id=_user_id())
    except DraftError as exc:
        flash(refused(exc))
    return redirect(url_for("staff.draft_overview", key=key), 303)


# --------------------------------------------------------------------------- settings


@bp.route("/surveys/<key>/draft/settings", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_settings(key: str) -> ResponseReturnValue:
    survey, state = _state_or_404(key)
    langs = _languages(state, [state.data.get("title"), state.data.get("description")])
    form_class = settings_form_class(langs)
    form = form_class()
    if form.is_submitted():
        values, statuses = settings_from_form(form, state.data, langs)
        try:
            removed = drafts.save_settings(survey, revision=form.revision_number(), user_id=_user_id(),
                                           values=values, statuses=statuses)
        except DraftError as exc:
            flash(refused(exc))
        else:
            _saved(draft_state(survey))
            if removed:
                flash(_("提供しなくなった言語（%(names)s）の文を下書きから削除しました。",
                        names=_("、").join(str(LANGUAGE_LABELS[lang]) for lang in removed)))
        return redirect(url_for("staff.draft_settings", key=key), 303)
    form = form_class(data={**settings_formdata(state.data, langs), "revision": state.revision})
    return render_template("staff/editor/settings.html", survey=survey, state=state, form=form, langs=langs,
                           problems=problems_by_field(state.problems, "settings"),
                           listed=page_problems(state.problems, "settings"),
                           names=[*rendered_names(form), "languages"])


def _languages(state: DraftState, texts: list[Any]) -> list[str]:
    wanted: set[str] = set()
    for text in texts:
        wanted.update(editing.text_languages(state.data, text))
    return [lang for lang in LANGUAGE_LABELS if lang in wanted]


# --------------------------------------------------------------------------- files


@bp.post("/surveys/<key>/draft/upload")
@permission_required("surveys.edit")
def draft_upload(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = UploadForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        try:
            drafts.upload_draft(survey, upload.filename or "upload", upload.read(), user_id=_user_id())
        except DefinitionError as exc:
            errors = exc.errors
        except DraftError as exc:
            errors = [refused(exc)]
        else:
            flash(_("「%(name)s」を下書きとして読み込みました。", name=upload.filename))
            return redirect(url_for("staff.draft_overview", key=key), 303)
    else:
        errors = [str(e) for e in form.file.errors]
    return render_template("staff/editor/upload_problems.html", survey=survey, errors=errors,
                           filename=getattr(form.file.data, "filename", "")), 400


@bp.get("/surveys/<key>/draft.xlsx")
@permission_required("surveys.edit")
def draft_xlsx(key: str) -> ResponseReturnValue:
    survey, _state = _state_or_404(key)
    return Response(drafts.draft_workbook(survey), content_type=XLSX_MIMETYPE,
                    headers={"Content-Disposition": attachment_header(f"{key}-draft.xlsx")})


@bp.get("/surveys/<key>/draft.toml")
@permission_required("surveys.edit")
def draft_toml(key: str) -> ResponseReturnValue:
    survey, state = _state_or_404(key)
    if state.defn is None:
        flash(_("問題のある下書きは TOML にできません。問題を直すか、Excel でダウンロードしてください。"))
        return redirect(url_for("staff.draft_overview", key=key), 303)
    return Response(drafts.draft_toml(survey), content_type="application/toml; charset=utf-8",
                    headers={"Content-Disposition": attachment_header(f"{key}-draft.toml")})


@bp.post("/surveys/<key>/draft/discard")
@permission_required("surveys.edit")
def draft_discard(key: str) -> ResponseReturnValue:
    survey, _state = _state_or_404(key)
    try:
        drafts.discard_draft(survey, user_id=_user_id())
    except DraftError:
        flash(_("一度も公開していないアンケートの下書きは破棄できません。不要ならアーカイブしてください。"))
        return redirect(url_for("staff.draft_overview", key=key), 303)
    flash(_("下書きを破棄しました。公開中の版はそのままです。"))
    return redirect(url_for("staff.draft_overview", key=key), 303)
