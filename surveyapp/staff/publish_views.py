"""Publishing a draft (after its differences and comparability warnings), creating, copying
and archiving surveys, and downloading any published version as a definition file."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import permission_required
from ..exports.cells import attachment_header
from ..exports.xlsx import XLSX_MIMETYPE
from ..surveys import drafts, lifecycle
from ..surveys.definitions import DefinitionError
from ..surveys.drafts import DraftError, DraftState, draft_state
from ..surveys.format.schema import KPI, LANGUAGE_LABELS, OPTION, QUESTION, SURVEY
from ..surveys.models import Survey
from ..surveys.services import (
    UnknownSurvey,
    export_survey,
    export_survey_workbook,
    get_survey,
    list_surveys,
)
from .editor_forms import SOURCES, NewSurveyForm, PublishForm
from .editor_views import refused
from .views import _survey_or_404, bp

FIELD_LABELS = {table.name: {f.key: f.label_text for f in table.fields} for table in (SURVEY, QUESTION, OPTION, KPI)}
"""The schema's Japanese names of every key, to say what changed."""


def _user_id() -> int:
    return int(current_user.id)


# --------------------------------------------------------------------------- publishing


def _render_publish(survey: Survey, state: DraftState, form: PublishForm, status: int = 200,
                    message: str = "") -> ResponseReturnValue:
    diff = state.diff()
    return render_template("staff/editor/publish.html", survey=survey, state=state, form=form, diff=diff,
                           message=message, language_labels=LANGUAGE_LABELS, labels_of=FIELD_LABELS), status


@bp.route("/surveys/<key>/draft/publish", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_publish(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    state = draft_state(survey)
    if state is None:
        abort(404)
    current = state.current
    fresh = PublishForm(formdata=None, revision=state.revision,
                        current=str(current.number) if current is not None else "")
    if request.method == "GET":
        return _render_publish(survey, state, fresh)
    form = PublishForm()
    try:
        version = drafts.publish_draft(survey, revision=form.revision_number(), current_number=form.current_number(),
                                       acknowledged=bool(form.acknowledge.data), user_id=_user_id())
    except drafts.AcknowledgementRequired:
        form.acknowledge.errors = [_("比べられなくなることを確認して、チェックを入れてください。")]
        return _render_publish(survey, state, form, 400)
    except drafts.VersionChanged:
        return _render_publish(survey, state, fresh, 409, _(
            "変更点を表示した後に、別の版が公開されました。新しい変更点を確認してから公開してください。"))
    except drafts.NothingToPublish:
        return _render_publish(survey, state, fresh, 400,
                               _("下書きは公開中の版と同じです。公開するものはありません。"))
    except drafts.DraftHasProblems:
        return _render_publish(survey, state, fresh, 400,
                               _("下書きに問題があるため公開できません。先に問題を直してください。"))
    except DraftError as exc:
        flash(refused(exc))
        return redirect(url_for("staff.draft_publish", key=key), 303)
    flash(_("第%(n)d版を公開しました。これからの回答は第%(n)d版で受け付けます（これまでの回答は、回答した版のままです）。",
            n=version.number))
    if survey.status != "open" and current_user.role == "admin":
        flash(_("このアンケートはまだ受付を始めていません。アンケートのページの「受付の設定」で受付を始めてください。"))
    elif survey.status != "open":
        flash(_("このアンケートはまだ受付を始めていません。受付の開始は、管理者に依頼してください。"))
    return redirect(url_for("staff.draft_overview", key=key), 303)


# --------------------------------------------------------------------------- lifecycle


def _render_new(form: NewSurveyForm, errors: list[str], status: int = 200) -> ResponseReturnValue:
    return render_template("staff/editor/new.html", form=form, errors=errors, sources=SOURCES), status


def _copy_choices(form: NewSurveyForm) -> None:
    form.copy_from.choices = [(s.key, _("%(title)s（%(key)s）", title=s.title, key=s.key)) for s in list_surveys()
                              if s.current_version is not None]


@bp.route("/surveys/new", methods=["GET", "POST"])
@permission_required("surveys.edit")
def survey_new() -> ResponseReturnValue:
    form = NewSurveyForm()
    _copy_choices(form)
    if request.method == "GET":
        return _render_new(form, [])
    key = (form.key.data or "").strip()
    title = (form.title.data or "").strip()
    try:
        if form.source.data == "file":
            upload = form.file.data
            if not upload or not upload.filename:
                return _render_new(form, [_("定義ファイルを選んでください。")], 400)
            survey = lifecycle.create_survey_from_file(upload.filename, upload.read(), user_id=_user_id())
        elif form.source.data == "copy":
            try:
                source = get_survey(form.copy_from.data or "")
            except UnknownSurvey:
                return _render_new(form, [_("コピーするアンケートを選んでください。")], 400)
            survey = lifecycle.copy_survey(source, key, title, user_id=_user_id())
        else:
            survey = lifecycle.create_survey(key, title, user_id=_user_id())
    except DefinitionError as exc:
        return _render_new(form, exc.errors if form.source.data == "file" else [p.message for p in exc.problems], 400)
    except lifecycle.NothingToCopy:
        return _render_new(form, [_("コピーするアンケートには公開された版がありません。")], 400)
    flash(_("アンケート「%(title)s」の下書きを作りました。", title=survey.title))
    return redirect(url_for("staff.draft_overview", key=survey.key), 303)


@bp.post("/surveys/<key>/archive")
@permission_required("surveys.manage")
def survey_archive(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    closed = lifecycle.archive_survey(survey, user_id=_user_id())
    flash(_("「%(title)s」をアーカイブしました。一覧と回答者向けのページには表示しません。回答と版はすべて残っています。",
            title=survey.title))
    if closed:
        flash(_("受付中だったため、受付を終了しました。"))
    return redirect(url_for("staff.surveys"), 303)


@bp.post("/surveys/<key>/restore")
@permission_required("surveys.manage")
def survey_restore(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    lifecycle.restore_survey(survey, user_id=_user_id())
    flash(_("「%(title)s」をアーカイブから戻しました。受付を始めるには、受付の設定をしてください。",
            title=survey.title))
    return redirect(url_for("staff.survey_detail", key=key), 303)


# --------------------------------------------------------------------------- versions as files


@bp.get("/surveys/template.xlsx")
@permission_required("surveys.edit")
def survey_template_xlsx() -> ResponseReturnValue:
    """The blank workbook to write a new survey in Excel."""
    from ..surveys.format.workbook_write import definition_workbook  # openpyxl: only when asked

    return Response(definition_workbook(None), content_type=XLSX_MIMETYPE,
                    headers={"Content-Disposition": attachment_header("survey-template.xlsx")})


def _version_file(key: str, number: int, fmt: str) -> ResponseReturnValue:
    try:
        content = (export_survey_workbook(key, number) if fmt == "xlsx"
                   else export_survey(key, number).encode("utf-8"))
    except UnknownSurvey:
        abort(404)
    mimetype = XLSX_MIMETYPE if fmt == "xlsx" else "application/toml; charset=utf-8"
    return Response(content, content_type=mimetype,
                    headers={"Content-Disposition": attachment_header(f"{key}-v{number}.{fmt}")})


@bp.get("/surveys/<key>/versions/<int:number>.xlsx")
@permission_required("surveys.edit")
def version_xlsx(key: str, number: int) -> ResponseReturnValue:
    return _version_file(key, number, "xlsx")


@bp.get("/surveys/<key>/versions/<int:number>.toml")
@permission_required("surveys.edit")
def version_toml(key: str, number: int) -> ResponseReturnValue:
    return _version_file(key, number, "toml")
