"""Staff pages for paper questionnaires (Japanese only): print, batches, double entry,
differences and duplicates.

Roles: everything here is for ``data-entry`` (and ``admin``, who always passes); the
services add the rule that the two entries of a questionnaire are keyed by two different
people and that an admin or a third person resolves their differences.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth.roles import can, permission_required
from ..invitations.models import InvitationWave
from ..invitations.waves import waves_of
from ..results.paper_batches import batch_progress
from ..surveys.definitions import SurveyDef
from ..surveys.drafts import draft_state
from ..surveys.models import Survey, SurveyVersion
from ..surveys.services import UnknownSurvey, get_survey, list_surveys, survey_version, version_definition
from ..timeutil import to_japan, utcnow
from .forms import DecisionForm, batch_form, field_name, form_values, questions_form_class
from .labels import STATE_LABELS, STATUS_LABELS
from .layout import paper_layout
from .models import PaperBatch, PaperQuestionnaire
from .printing import MAX_COPIES, PrintOptions, paper_languages, render_paper
from .services import (
    CODE_FIELD,
    BatchInvalid,
    CodeProblem,
    EntryRefused,
    InvalidValues,
    NotAllowed,
    WrongState,
    batch_definition,
    check_code,
    create_batch,
    decide_duplicate,
    differences,
    get_batch,
    get_questionnaire,
    key_entry,
    list_batches,
    may_decide,
    resolve,
    withdraw_entry,
)
from .values import MARK_KEYS, value_label

bp = Blueprint("paper", __name__, url_prefix="/staff")

def _today() -> Any:
    return to_japan(utcnow()).date()


def _is_admin() -> bool:
    """May decide on questionnaires one keyed, and withdraw others' entries."""
    return can("paper.supervise")


def _batch_or_404(batch_id: int) -> PaperBatch:
    batch = get_batch(batch_id)
    if batch is None:
        abort(404)
    return batch


def _questionnaire_or_404(questionnaire_id: int) -> PaperQuestionnaire:
    questionnaire = get_questionnaire(questionnaire_id)
    if questionnaire is None:
        abort(404)
    return questionnaire


# --------------------------------------------------------------------------- printing

def _version(survey: Survey, number: str | None) -> SurveyVersion:
    try:
        return survey_version(survey.key, int(number) if number and number.isdigit() else None)
    except UnknownSurvey:
        abort(404)


class _RangeError(ValueError):
    pass


def _serials(start: str | None, end: str | None) -> list[int] | None:
    if not start and not end:
        return None
    if not (start or "").isdigit() or not (end or "").isdigit():
        raise _RangeError(_("調査票番号の範囲は、最初と最後の番号を数字で指定してください。"))
    first, last = int(start or 0), int(end or 0)
    if not 1 <= first <= last or last - first >= MAX_COPIES:
        raise _RangeError(_("調査票番号の範囲は、1以上で最初が最後以下、一度に%(n)d部までで指定してください。",
                            n=MAX_COPIES))
    return list(range(first, last + 1))


@bp.get("/surveys/<key>/paper")
@permission_required("paper.enter")
def questionnaire(key: str) -> ResponseReturnValue:
    """The printable questionnaire of a published version (default: the current one)."""
    try:
        survey = get_survey(key)
    except UnknownSurvey:
        abort(404)
    version = _version(survey, request.args.get("version"))
    defn = version_definition(version)
    languages = paper_languages(defn)
    language = request.args.get("lang", "ja")
    if language not in dict(languages):
        abort(404)
    error = None
    try:
        serials = _serials(request.args.get("start"), request.args.get("end"))
    except _RangeError as exc:
        error, serials = str(exc), []
    wave = _wave(survey, request.args.get("wave"))
    toolbar = {"survey": survey, "version": version, "versions": [v for v in survey.versions if v.published_at],
               "languages": languages, "language": language, "start": request.args.get("start", ""),
               "end": request.args.get("end", ""), "copies": 1 if serials is None else len(serials),
               "waves": [w for w in _waves(survey) if w.kind != "reminder"], "wave": wave,
               "max_copies": MAX_COPIES, "error": error}
    options = PrintOptions(serials=serials, deadline=wave.deadline if wave else None,
                           contact=wave.contact or "" if wave else "", toolbar=toolbar)
    return render_paper(defn, language, options), 400 if error else 200


@bp.get("/surveys/<key>/draft/paper")
@permission_required("surveys.edit")
def draft_preview(key: str) -> ResponseReturnValue:
    """The paper questionnaire of a survey's draft, before it is published (one blank copy)."""
    from ..staff.preview_views import _unavailable  # the staff blueprint imports ours

    try:
        survey = get_survey(key)
    except UnknownSurvey:
        abort(404)
    state = draft_state(survey)
    if state is None:
        abort(404)
    if state.defn is None:
        return _unavailable(state)
    languages = paper_languages(state.defn)
    language = request.args.get("lang", "ja")
    if language not in dict(languages):
        abort(404)
    toolbar = {"draft": True, "survey": survey, "languages": languages, "language": language}
    return render_paper(state.defn, language, PrintOptions(toolbar=toolbar))


def _waves(survey: Survey) -> list[InvitationWave]:
    return list(waves_of(survey))


def _wave(survey: Survey, value: str | None) -> InvitationWave | None:
    if not value:
        return None
    wave = next((w for w in _waves(survey) if str(w.id) == value), None)
    if wave is None:
        abort(404)
    return wave


# --------------------------------------------------------------------------- batches

def _surveys() -> list[tuple[str, str]]:
    return [(s.key, s.current_version.title) for s in list_surveys() if s.current_version is not None]


def _wave_choices() -> list[tuple[str, str]]:
    waves = []
    for survey in list_surveys():
        for wave in _waves(survey):
            if wave.kind != "reminder" and survey.current_version is not None:
                waves.append((str(wave.id), _("%(wave)s（%(survey)s）", wave=wave.label,
                                                survey=survey.current_version.title)))
    return waves


def _index(form: Any = None, status: int = 200) -> ResponseReturnValue:
    batches = list_batches()
    return render_template("paper/batches.html", batches=batches, progress=batch_progress(batches),
                           form=form or batch_form(_surveys(), _wave_choices(), today=_today()),
                           status_labels=STATUS_LABELS, surveys=_surveys(), waves=_wave_choices()), status


@bp.get("/paper")
@permission_required("paper.enter")
def index() -> ResponseReturnValue:
    return _index()


@bp.post("/paper/batches")
@permission_required("paper.enter")
def create() -> ResponseReturnValue:
    form = batch_form(_surveys(), _wave_choices(), formdata=request.form)
    if not form.validate_on_submit():
        return _index(form, 400)
    wave = form.wave.data or ""
    if wave and not wave.isdigit():
        form.wave.errors = [_("一覧から発送を選んでください。")]
        return _index(form, 400)
    try:
        survey = get_survey(form.survey.data or "")
        batch = create_batch(survey, label=form.label.data or "", received_on=form.received_on.data or _today(),
                             expected=form.expected.data or 0, wave_id=int(wave) if wave else None,
                             user_id=current_user.id, today=_today())
    except UnknownSurvey:
        form.survey.errors = [_("アンケートを選んでください。")]
        return _index(form, 400)
    except BatchInvalid as exc:
        form[exc.field].errors = [str(exc)]
        return _index(form, 400)
    flash(_("束「%(label)s」（%(n)d枚）を作りました。1回目の入力を始めてください。",
            label=batch.label, n=batch.expected))
    return redirect(url_for("paper.batch", batch_id=batch.id), 303)


@bp.get("/paper/batches/<int:batch_id>")
@permission_required("paper.enter")
def batch(batch_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    return render_template("paper/batch.html", batch=batch, progress=batch_progress([batch])[batch.id],
                           status_labels=STATUS_LABELS, state_labels=STATE_LABELS, to_japan=to_japan,
                           user_id=current_user.id)


# --------------------------------------------------------------------------- keying

def _question_rows(defn: SurveyDef, form: FlaskForm, keys: list[str] | None = None) -> list[dict[str, Any]]:
    layout = paper_layout(defn, "ja")
    return [{"q": q, "field": form[field_name(q.key)]} for q in layout.questions if keys is None or q.key in keys]


def _entry_page(batch: PaperBatch, form: FlaskForm, status: int = 200,
                errors: dict[str, str] | None = None) -> ResponseReturnValue:
    defn = batch_definition(batch)
    return render_template("paper/entry.html", batch=batch, form=form, rows=_question_rows(defn, form),
                           mark_keys=MARK_KEYS, has_errors=bool(form.errors or errors),
                           progress=batch_progress([batch])[batch.id], status_labels=STATUS_LABELS), status


@bp.route("/paper/batches/<int:batch_id>/entry", methods=["GET", "POST"])
@permission_required("paper.enter")
def entry(batch_id: int) -> ResponseReturnValue:
    batch = _batch_or_404(batch_id)
    defn = batch_definition(batch)
    form_class = questions_form_class(defn, serial=True, code=True)
    if request.method == "GET":
        return _entry_page(batch, form_class(formdata=None))
    form = form_class()
    if not form.validate_on_submit():
        try:  # say at once what is wrong with the code too, not after the answers are fixed
            check_code(batch, form.code.data or "")
        except CodeProblem as exc:
            form.code.errors = [*form.code.errors, str(exc)]
        return _entry_page(batch, form, 400)
    try:
        keyed = key_entry(batch, user_id=current_user.id, serial=form.serial.data,
                          code=form.code.data or "", values=form_values(form, defn))
    except CodeProblem as exc:
        form.code.errors = [str(exc)]
        return _entry_page(batch, form, 400)
    except EntryRefused as exc:
        form.serial.errors = [str(exc)]
        return _entry_page(batch, form, 400)
    except InvalidValues as exc:
        for key, message in exc.problems.items():
            form[field_name(key)].errors = [message]
        return _entry_page(batch, form, 400)
    flash(_entry_message(keyed))
    return redirect(url_for("paper.entry", batch_id=batch.id), 303)


def _entry_message(keyed: Any) -> str:
    serial = keyed.questionnaire.serial
    used = ""
    if keyed.code.state == "used":
        used = _("このコードはウェブでの回答かほかの調査票ですでに使われています。") if keyed.round == 1 else ""
    if keyed.outcome == "first":
        return _("No.%(serial)d の1回目を保存しました。%(used)s続けて次の調査票を入力できます。",
                 serial=serial, used=used)
    if keyed.outcome == "done":
        return _("No.%(serial)d の2回目を保存しました。1回目と一致したので、回答として集計しました。", serial=serial)
    if keyed.outcome == "duplicate":
        return _("No.%(serial)d の2回目を保存しました。1回目と一致しましたが、このコードはすでに使われています。"
                 "束の画面で、どちらを残すか判断してください。", serial=serial)
    return _("No.%(serial)d の2回目を保存しました。1回目と違うところがあります。"
             "束の画面で、用紙を見て確定してください。", serial=serial)


# --------------------------------------------------------------------------- differences

def _detail(questionnaire: PaperQuestionnaire, resolve_form: Any = None, decision_form: Any = None,
            status: int = 200) -> ResponseReturnValue:
    batch = questionnaire.batch
    defn = batch_definition(batch)
    found = differences(questionnaire)
    keys = [d.field for d in found if d.field != CODE_FIELD]
    code_differs = any(d.field == CODE_FIELD for d in found)
    if resolve_form is None and questionnaire.state == "discrepancies":
        resolve_form = questions_form_class(defn, keys, code=code_differs)(formdata=None)
    layout = paper_layout(defn, "ja")
    rows = []
    for q in layout.questions:
        question = defn.question(q.key)
        values = [value_label(question, e.values.get(q.key)) for e in questionnaire.entries]
        rows.append({"q": q, "values": values, "differs": q.key in keys})
    allowed = can("paper.resolve") and may_decide(questionnaire, current_user.id, _is_admin())
    return render_template(
        "paper/questionnaire_detail.html", questionnaire=questionnaire, batch=batch, rows=rows,
        code_difference=next((d for d in found if d.field == CODE_FIELD), None), allowed=allowed,
        resolve_form=resolve_form, resolve_rows=_question_rows(defn, resolve_form, keys) if resolve_form else [],
        decision_form=decision_form or DecisionForm(formdata=None), withdraw_form=FlaskForm(),
        state_labels=STATE_LABELS, mark_keys=MARK_KEYS, to_japan=to_japan, user_id=current_user.id,
        has_errors=bool((resolve_form and resolve_form.errors) or (decision_form and decision_form.errors))), status


@bp.get("/paper/questionnaires/<int:questionnaire_id>")
@permission_required("paper.enter")
def questionnaire_detail(questionnaire_id: int) -> ResponseReturnValue:
    return _detail(_questionnaire_or_404(questionnaire_id))


@bp.post("/paper/questionnaires/<int:questionnaire_id>/resolve")
@permission_required("paper.resolve")
def resolve_questionnaire(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    defn = batch_definition(questionnaire.batch)
    found = differences(questionnaire)
    keys = [d.field for d in found if d.field != CODE_FIELD]
    form = questions_form_class(defn, keys, code=any(d.field == CODE_FIELD for d in found))()
    if not form.validate_on_submit():
        return _detail(questionnaire, resolve_form=form, status=400)
    try:
        state = resolve(questionnaire, user_id=current_user.id, is_admin=_is_admin(),
                        values=form_values(form, defn, keys), code=form.code.data if "code" in form else None)
    except (NotAllowed, WrongState) as exc:
        flash(str(exc))
        return redirect(url_for("paper.questionnaire_detail", questionnaire_id=questionnaire.id), 303)
    except CodeProblem as exc:
        form.code.errors = [str(exc)]
        return _detail(questionnaire, resolve_form=form, status=400)
    except InvalidValues as exc:
        for key, message in exc.problems.items():
            form[field_name(key)].errors = [message]
        return _detail(questionnaire, resolve_form=form, status=400)
    flash(_state_message(questionnaire.serial, state))
    return redirect(url_for("paper.batch", batch_id=questionnaire.batch_id), 303)


def _state_message(serial: int, state: str) -> str:
    if state == "done":
        return _("No.%(serial)d を確定し、回答として集計しました。", serial=serial)
    if state == "duplicate":
        return _("No.%(serial)d を確定しましたが、このコードはすでに使われています。どちらを残すか判断してください。",
                 serial=serial)
    if state == "set_aside":
        return _("No.%(serial)d は集計しないことにしました（すでに集計されている回答を残します）。", serial=serial)
    return _("No.%(serial)d を保存しました。", serial=serial)


@bp.post("/paper/questionnaires/<int:questionnaire_id>/decision")
@permission_required("paper.resolve")
def decide(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _detail(questionnaire, decision_form=form, status=400)
    try:
        state = decide_duplicate(questionnaire, user_id=current_user.id, is_admin=_is_admin(),
                                 decision=form.decision.data or "", code=form.code.data)
    except (NotAllowed, WrongState) as exc:
        flash(str(exc))
        return redirect(url_for("paper.questionnaire_detail", questionnaire_id=questionnaire.id), 303)
    except CodeProblem as exc:
        form.code.errors = [str(exc)]
        return _detail(questionnaire, decision_form=form, status=400)
    flash(_state_message(questionnaire.serial, state))
    if state == "duplicate":
        return redirect(url_for("paper.questionnaire_detail", questionnaire_id=questionnaire.id), 303)
    return redirect(url_for("paper.batch", batch_id=questionnaire.batch_id), 303)


@bp.post("/paper/questionnaires/<int:questionnaire_id>/withdraw")
@permission_required("paper.enter")
def withdraw(questionnaire_id: int) -> ResponseReturnValue:
    questionnaire = _questionnaire_or_404(questionnaire_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    batch_id, serial = questionnaire.batch_id, questionnaire.serial
    try:
        withdraw_entry(questionnaire, user_id=current_user.id, is_admin=_is_admin())
    except (NotAllowed, WrongState) as exc:
        flash(str(exc))
        return redirect(url_for("paper.questionnaire_detail", questionnaire_id=questionnaire_id), 303)
    flash(_("No.%(serial)d の入力を取り消しました。", serial=serial))
    return redirect(url_for("paper.batch", batch_id=batch_id), 303)
