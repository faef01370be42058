"""The survey editor's questions (with their options) and KPIs: add, edit, move, delete."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..auth.roles import permission_required
from ..surveys import drafts, editing
from ..surveys.drafts import DraftError, DraftState, draft_state
from ..surveys.format.schema import CHOICE_TYPES, LANGUAGE_LABELS
from .editor_forms import (
    MoveForm,
    RevisionForm,
    kpi_form_class,
    kpi_formdata,
    kpi_from_form,
    option_action,
    question_form_class,
    question_formdata,
    question_from_form,
)
from .editor_problems import page_problems, problems_by_field, rendered_names
from .editor_views import _languages, _saved, _state_or_404, _user_id, refused
from .views import bp

# --------------------------------------------------------------------------- questions


def _question_languages(state: DraftState, question: dict[str, Any]) -> list[str]:
    texts = [question.get("text"), question.get("hint")]
    options = question.get("options")
    texts += [o.get("text") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
    return _languages(state, texts)


@bp.post("/surveys/<key>/draft/questions")
@permission_required("surveys.edit")
def draft_add_question(key: str) -> ResponseReturnValue:
    survey, _state = _state_or_404(key)
    form = RevisionForm()
    try:
        index = drafts.add_question(survey, revision=form.revision_number(), user_id=_user_id())
    except DraftError as exc:
        flash(refused(exc))
        return redirect(url_for("staff.draft_overview", key=key), 303)
    flash(_("設問を追加しました。設問文と選択肢を書いてください。"))
    return redirect(url_for("staff.draft_question", key=key, index=index), 303)


@bp.route("/surveys/<key>/draft/questions/<int:index>", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_question(key: str, index: int) -> ResponseReturnValue:
    survey, state = _state_or_404(key)
    questions = editing.questions_of(state.data)
    if not 0 <= index < len(questions):
        abort(404)
    question = questions[index]
    langs = _question_languages(state, question)
    form_class = question_form_class(langs)
    form = form_class()
    if form.is_submitted():
        action = option_action(form.action.data)
        try:
            shown = drafts.save_question(survey, index, revision=form.revision_number(), user_id=_user_id(),
                                         question=question_from_form(form, langs),
                                         same_page=bool(form.same_page.data), option_action=action)
        except DraftError as exc:
            flash(refused(exc))
            return redirect(url_for("staff.draft_question", key=key, index=index), 303)
        _saved(draft_state(survey))
        if form.action.data == "save-close":
            return redirect(url_for("staff.draft_overview", key=key) + f"#q-{index}", 303)
        anchor = f"#option-{shown}" if shown is not None else ("#options" if action else "")
        return redirect(url_for("staff.draft_question", key=key, index=index) + anchor, 303)
    same_page = editing.same_page_flags(questions)[index]
    form = form_class(data={**question_formdata(question, same_page, langs), "revision": state.revision})
    return render_template(
        "staff/editor/question.html", survey=survey, state=state, form=form, index=index, langs=langs,
        question=question, count=len(questions), choice=question.get("type") in CHOICE_TYPES,
        problems=problems_by_field(state.problems, "question", index),
        listed=page_problems(state.problems, "question", index),
        names=[*_shown_question_fields(form, question), "options"])


def _shown_question_fields(form: Any, question: dict[str, Any]) -> list[str]:
    hidden = {"demographic"} if question.get("type") != "single" else set()
    if question.get("type") not in ("text", "textarea"):
        hidden.add("max_length")
    if question.get("type") not in CHOICE_TYPES:
        hidden.add("options")
    return [name for name in rendered_names(form) if name.split("-")[0] not in hidden]


@bp.post("/surveys/<key>/draft/questions/<int:index>/move")
@permission_required("surveys.edit")
def draft_move_question(key: str, index: int) -> ResponseReturnValue:
    survey, _state = _state_or_404(key)
    form = MoveForm()
    delta = -1 if form.direction.data == "up" else 1
    try:
        moved_to = drafts.move_question(survey, index, delta, revision=form.revision_number(), user_id=_user_id())
    except DraftError as exc:
        flash(refused(exc))
        return redirect(url_for("staff.draft_overview", key=key) + "#questions", 303)
    if moved_to == index:
        flash(_("これ以上は移動できません。"))
    else:
        flash(_("設問%(old)dを%(new)d番目に移動しました。", old=index + 1, new=moved_to + 1))
    return redirect(url_for("staff.draft_overview", key=key) + f"#q-{moved_to}", 303)


@bp.route("/surveys/<key>/draft/questions/<int:index>/delete", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_delete_question(key: str, index: int) -> ResponseReturnValue:
    survey, state = _state_or_404(key)
    questions = editing.questions_of(state.data)
    if not 0 <= index < len(questions):
        abort(404)
    form = RevisionForm()
    if form.is_submitted():
        try:
            drafts.delete_question(survey, index, revision=form.revision_number(), user_id=_user_id())
        except DraftError as exc:
            flash(refused(exc))
        else:
            flash(_("設問%(n)dを削除しました。", n=index + 1))
        return redirect(url_for("staff.draft_overview", key=key) + "#questions", 303)
    return render_template("staff/editor/delete.html", survey=survey, what="question", index=index,
                           item_name=_("設問%(n)d", n=index + 1),
                           item=questions[index], form=RevisionForm(revision=state.revision),
                           kpis=[k for k in editing.kpis_of(state.data)
                                 if k.get("question") == questions[index].get("key")])


# --------------------------------------------------------------------------- KPIs


@bp.post("/surveys/<key>/draft/kpis")
@permission_required("surveys.edit")
def draft_add_kpi(key: str) -> ResponseReturnValue:
    survey, _state = _state_or_404(key)
    form = RevisionForm()
    try:
        index = drafts.add_kpi(survey, revision=form.revision_number(), user_id=_user_id())
    except DraftError as exc:
        flash(refused(exc))
        return redirect(url_for("staff.draft_overview", key=key), 303)
    flash(_("KPIを追加しました。計画に書かれた名前、成功とする回答、基準値と目標を入力してください。"))
    return redirect(url_for("staff.draft_kpi", key=key, index=index), 303)


def _kpi_choices(state: DraftState, kpi: dict[str, Any]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(single questions to choose from, options of the KPI's question) as (code, label)."""
    def label(table: dict[str, Any], code: str) -> str:
        text = table.get("text")
        ja = text.get("ja") if isinstance(text, dict) else None
        return _("%(text)s（%(code)s）", text=ja, code=code) if isinstance(ja, str) and ja.strip() else code

    questions = [(str(q.get("key")), label(q, str(q.get("key"))))
                 for q in editing.questions_for_kpi(state.data)]
    chosen = next((q for q in editing.questions_of(state.data) if q.get("key") == kpi.get("question")), None)
    if chosen is not None and chosen.get("type") != "single":
        questions.append((str(chosen.get("key")), label(chosen, str(chosen.get("key")))))
    options = []
    if chosen is not None and isinstance(chosen.get("options"), list):
        options = [(str(o.get("code")), label(o, str(o.get("code")))) for o in chosen["options"]
                   if isinstance(o, dict)]
    return questions, options


def _kpi_languages(kpi: dict[str, Any]) -> list[str]:
    """KPI names are for staff: Japanese, and any other language they already have."""
    present = {"ja"}
    for name in ("title", "headline"):
        texts = kpi.get(name)
        present.update(texts if isinstance(texts, dict) else ())
    return [lang for lang in LANGUAGE_LABELS if lang in present]


@bp.route("/surveys/<key>/draft/kpis/<int:index>", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_kpi(key: str, index: int) -> ResponseReturnValue:
    survey, state = _state_or_404(key)
    kpis = editing.kpis_of(state.data)
    if not 0 <= index < len(kpis):
        abort(404)
    kpi = kpis[index]
    langs = _kpi_languages(kpi)
    form_class = kpi_form_class(langs, *_kpi_choices(state, kpi))
    form = form_class()
    if form.is_submitted():
        chosen = next((q for q in editing.questions_of(state.data) if q.get("key") == form.question.data), {})
        codes = [str(o.get("code")) for o in chosen.get("options") or [] if isinstance(o, dict)]
        try:
            drafts.save_kpi(survey, index, revision=form.revision_number(), user_id=_user_id(),
                            kpi=kpi_from_form(form, langs, codes))
        except DraftError as exc:
            flash(refused(exc))
        else:
            _saved(draft_state(survey))
        return redirect(url_for("staff.draft_kpi", key=key, index=index), 303)
    form = form_class(data={**kpi_formdata(kpi, langs), "revision": state.revision})
    return render_template("staff/editor/kpi.html", survey=survey, state=state, form=form, index=index,
                           langs=langs, kpi=kpi, problems=problems_by_field(state.problems, "kpi", index),
                           listed=page_problems(state.problems, "kpi", index),
                           names=rendered_names(form))


@bp.route("/surveys/<key>/draft/kpis/<int:index>/delete", methods=["GET", "POST"])
@permission_required("surveys.edit")
def draft_delete_kpi(key: str, index: int) -> ResponseReturnValue:
    survey, state = _state_or_404(key)
    kpis = editing.kpis_of(state.data)
    if not 0 <= index < len(kpis):
        abort(404)
    form = RevisionForm()
    if form.is_submitted():
        try:
            drafts.delete_kpi(survey, index, revision=form.revision_number(), user_id=_user_id())
        except DraftError as exc:
            flash(refused(exc))
        else:
            flash(_("KPI %(n)dを削除しました。", n=index + 1))
        return redirect(url_for("staff.draft_overview", key=key) + "#kpis", 303)
    return render_template("staff/editor/delete.html", survey=survey, what="kpi", index=index, item=kpis[index],
                           item_name=_("KPI %(n)d", n=index + 1),
                           form=RevisionForm(revision=state.revision), kpis=[])
