"""Staff pages for invitation waves (Japanese only): create, hand over, letters, returns.

Roles: creating waves, the hand-over (mail-merge file, letters, erasing the codes) and the
unused list are for ``admin``; marking returned letters is also for ``data-entry``; the
response rates download is for ``analyst`` too (the fieldwork page shows them to all staff).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import segno
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..auth.roles import permission_required
from ..exports.cells import attachment_header, csv_stream
from ..exports.xlsx import XLSX_MIMETYPE, stream_file
from ..formatting import weekday_name
from ..i18n import LANGUAGE_NAMES
from ..staff.services import log_download
from ..surveys.models import Survey
from ..surveys.services import UnknownSurvey, get_survey, version_definition
from ..timeutil import to_japan, utcnow, wareki_fiscal_year
from .codes import CODE_LENGTH, ENTROPY_BITS, EXAMPLE
from .frame import FrameError, parse_frame
from .handover import HANDOVER_HOURS, HandoverGone, close_handover, handover_pending, handover_rows
from .limits import GLOBAL_LOOKUP_LIMIT, LOOKUP_LIMIT
from .mailmerge import invitation_url, merge_csv, merge_xlsx
from .models import InvitationWave
from .returns import entries_from_upload, mark_undelivered, unused_rows
from .staff_forms import CodesForm, ConfirmForm, DrawForm, ReminderForm, UndeliveredForm
from .waves import DrawPlan, WaveError, create_codes_wave, create_drawn_wave, create_reminder, get_wave, waves_of

bp = Blueprint("invitations_staff", __name__, url_prefix="/staff")

FRAME_MAX_BYTES = 32 * 1024 * 1024
LETTERS_PER_PAGE = 200


def _survey_or_404(key: str) -> Survey:
    try:
        return get_survey(key)
    except UnknownSurvey:
        abort(404)


def _wave_or_404(wave_id: int) -> InvitationWave:
    wave = get_wave(wave_id)
    if wave is None:
        abort(404)
    return wave


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL") or request.host_url.rstrip("/"))


def _reminder_form(survey: Survey, formdata: Any = None) -> ReminderForm:
    form = ReminderForm(formdata=formdata) if formdata is not None else ReminderForm(formdata=None)
    form.parent.choices = [(w.id, w.label) for w in waves_of(survey) if w.kind != "reminder"]
    return form


def _waves_page(survey: Survey, *, draw: DrawForm | None = None, codes: CodesForm | None = None,
                reminder: ReminderForm | None = None, problems: list[Any] | None = None,
                status: int = 200) -> ResponseReturnValue:
    waves = waves_of(survey)
    pending = {w.id: handover_pending(w) for w in waves}
    return render_template(
        "invitations/staff/waves.html", survey=survey, waves=waves, pending=pending,
        draw=draw or DrawForm(formdata=None), codes=codes or CodesForm(formdata=None),
        reminder=reminder or _reminder_form(survey), problems=problems or [], to_japan=to_japan,
        hours=HANDOVER_HOURS), status


@bp.get("/surveys/<key>/waves")
@permission_required("invitations.manage")
def waves(key: str) -> ResponseReturnValue:
    return _waves_page(_survey_or_404(key))


@bp.post("/surveys/<key>/waves/draw")
@permission_required("invitations.manage")
def draw(key: str) -> ResponseReturnValue:
    request.max_content_length = FRAME_MAX_BYTES  # a frame of a whole city is larger than a form
    survey = _survey_or_404(key)
    form = DrawForm()
    if not form.validate_on_submit():
        return _waves_page(survey, draw=form, status=400)
    by = [c.strip() for c in (form.by.data or "").split(",") if c.strip()] or None
    try:
        frame = parse_frame(form.frame.data.read(), by)
        created = create_drawn_wave(
            survey, label=form.label.data or "", frame=frame,
            plan=DrawPlan(n=form.n.data or 0, allocation=form.allocation.data or "", seed=form.seed.data),
            details=form.details(), user_id=current_user.id)
    except FrameError as exc:
        return _waves_page(survey, draw=form, problems=exc.problems, status=400)
    except WaveError as exc:
        form.n.errors = [str(exc)]
        return _waves_page(survey, draw=form, status=400)
    flash(_("「%(label)s」を作成しました（%(n)s通、シード %(seed)s）。"
            "差し込み用ファイルと案内状を今すぐダウンロードしてください。",
            label=created.wave.label, n=f"{created.wave.invited:,}", seed=created.wave.seed))
    return redirect(url_for("invitations_staff.wave", wave_id=created.wave.id), 303)


@bp.post("/surveys/<key>/waves/codes")
@permission_required("invitations.manage")
def codes(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = CodesForm()
    if not form.validate_on_submit():
        return _waves_page(survey, codes=form, status=400)
    try:
        created = create_codes_wave(survey, label=form.label.data or "", count=form.count.data or 0,
                                    details=form.details(), user_id=current_user.id)
    except WaveError as exc:
        form.label.errors = [str(exc)]
        return _waves_page(survey, codes=form, status=400)
    flash(_("「%(label)s」を作成しました（%(n)s通）。差し込み用ファイルと案内状を今すぐダウンロードしてください。",
            label=created.wave.label, n=f"{created.wave.invited:,}"))
    return redirect(url_for("invitations_staff.wave", wave_id=created.wave.id), 303)


@bp.post("/surveys/<key>/waves/reminder")
@permission_required("invitations.manage")
def reminder(key: str) -> ResponseReturnValue:
    survey = _survey_or_404(key)
    form = _reminder_form(survey, request.form)
    if not form.validate_on_submit():
        return _waves_page(survey, reminder=form, status=400)
    parent = get_wave(form.parent.data or 0)
    if parent is None or parent.survey_id != survey.id:
        abort(400)
    try:
        wave = create_reminder(parent, label=form.label.data or "", details=form.details(),
                               user_id=current_user.id)
    except WaveError as exc:
        form.label.errors = [str(exc)]
        return _waves_page(survey, reminder=form, status=400)
    flash(_("督促「%(label)s」を記録しました（対象 %(n)s通）。未回答の一覧をダウンロードできます。",
            label=wave.label, n=f"{wave.reminded:,}"))
    return redirect(url_for("invitations_staff.wave", wave_id=wave.id), 303)


@bp.get("/waves/<int:wave_id>")
@permission_required("invitations.manage")
def wave(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    return render_template(
        "invitations/staff/wave.html", wave=wave, expires=handover_pending(wave), to_japan=to_japan,
        confirm=ConfirmForm(), hours=HANDOVER_HOURS, pages=_letter_pages(wave.invited),
        entropy=ENTROPY_BITS, code_length=CODE_LENGTH, example=EXAMPLE,
        limit=LOOKUP_LIMIT, global_limit=GLOBAL_LOOKUP_LIMIT)


def _letter_pages(count: int) -> list[tuple[int, int]]:
    return [(start, min(start + LETTERS_PER_PAGE - 1, count))
            for start in range(1, count + 1, LETTERS_PER_PAGE)]


def _rows_or_gone(wave: InvitationWave) -> Any:
    try:
        return handover_rows(wave)
    except HandoverGone:
        abort(410, description=_("この発送のコードは消去済みです。"))


def _merge_name(wave: InvitationWave, ext: str) -> str:
    return _("差し込み用_%(survey)s_%(wave)s.%(ext)s", survey=wave.survey.key, wave=wave.label, ext=ext)


@bp.get("/waves/<int:wave_id>/merge.csv")
@permission_required("invitations.manage")
def merge_csv_file(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    rows = _rows_or_gone(wave)
    body = merge_csv(rows.columns, rows.rows, _base_url(), with_frame=wave.kind == "draw")
    log_download(current_user.id, "invitations.merge_csv", wave.survey.key, wave=wave.id, rows=len(rows.rows))
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": attachment_header(_merge_name(wave, "csv")), "Cache-Control": "no-store"})


@bp.get("/waves/<int:wave_id>/merge.xlsx")
@permission_required("invitations.manage")
def merge_xlsx_file(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    rows = _rows_or_gone(wave)
    handle = merge_xlsx(rows.columns, rows.rows, _base_url(), with_frame=wave.kind == "draw")
    log_download(current_user.id, "invitations.merge_xlsx", wave.survey.key, wave=wave.id, rows=len(rows.rows))
    return Response(stream_file(handle), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": attachment_header(_merge_name(wave, "xlsx")), "Cache-Control": "no-store"})


def _qr(url: str) -> Markup:
    svg = segno.make(url, error="m").svg_inline(scale=1, border=4, omitsize=True)
    return Markup(svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1))  # noqa: S704 - segno's own markup


@bp.get("/waves/<int:wave_id>/letters")
@permission_required("invitations.manage")
def letters(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    rows = _rows_or_gone(wave)
    start = request.args.get("start", "1")
    end = request.args.get("end", str(min(LETTERS_PER_PAGE, wave.invited)))
    if not (start.isdigit() and end.isdigit()) or not 1 <= int(start) <= int(end) or \
            int(end) - int(start) >= LETTERS_PER_PAGE:
        abort(400, description=_("通し番号の範囲は%(n)d通までで指定してください。", n=LETTERS_PER_PAGE))
    base = _base_url()
    chosen = [r for r in rows.rows if int(start) <= r.serial <= int(end)]
    version = wave.survey.current_version
    if version is None:
        abort(404)
    defn = version_definition(version)
    letters = [{"row": r, "url": invitation_url(base, r.code), "qr": _qr(invitation_url(base, r.code))}
               for r in sorted(chosen, key=lambda r: r.serial)]
    log_download(current_user.id, "invitations.letters", wave.survey.key, wave=wave.id, start=int(start),
                 end=int(end))
    languages = [LANGUAGE_NAMES[c] for c in defn.translation_status if c != "ja" and c in LANGUAGE_NAMES]
    return render_template("invitations/staff/letters.html", wave=wave, letters=letters,
                           title=defn.title["ja"],
                           description=defn.description.get("ja", "") if defn.description else "",
                           questions=len(defn.questions), entry_url=base + url_for("invitations.enter_code"),
                           languages=languages, start=int(start), end=int(end),
                           issued=_japanese_date(wave.sent_on or to_japan(utcnow()).date()),
                           deadline=_japanese_date(wave.deadline) if wave.deadline else "")


def _japanese_date(day: date) -> str:
    """「令和8年6月1日（月）」 as printed on letters."""
    era = wareki_fiscal_year(day.year).removesuffix("年度") if day.year >= 2020 else str(day.year)
    return _("%(era)s年%(month)s月%(day)s日（%(weekday)s）", era=era, month=day.month, day=day.day,
             weekday=weekday_name(day))


@bp.post("/waves/<int:wave_id>/handover")
@permission_required("invitations.manage")
def finish_handover(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("コードは消去していません。ファイルを保存したことを確かめて、チェックを入れてから押してください。"))
        return redirect(url_for("invitations_staff.wave", wave_id=wave.id), 303)
    close_handover(wave, user_id=current_user.id)
    flash(_("この発送のコードを消去しました。差し込み用ファイルと案内状は、もうダウンロードできません。"))
    return redirect(url_for("invitations_staff.wave", wave_id=wave.id), 303)


@bp.get("/waves/<int:wave_id>/unused.csv")
@permission_required("invitations.manage")
def unused_csv(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    target = wave.parent if wave.kind == "reminder" and wave.parent is not None else wave
    rows = unused_rows(target)
    header = ["serial", _("状態"), *target.stratum_columns]
    log_download(current_user.id, "invitations.unused", wave.survey.key, wave=target.id, rows=len(rows))
    body = "".join(csv_stream(header, rows)).encode("utf-8")
    name = _("未回答_%(survey)s_%(wave)s_%(date)s.csv", survey=wave.survey.key, wave=target.label,
             date=f"{to_japan(utcnow()):%Y%m%d}")
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": attachment_header(name), "Cache-Control": "no-store"})


@bp.route("/waves/<int:wave_id>/undelivered", methods=["GET", "POST"])
@permission_required("invitations.undelivered")
def undelivered(wave_id: int) -> ResponseReturnValue:
    wave = _wave_or_404(wave_id)
    if wave.kind == "reminder":
        abort(404)
    form = UndeliveredForm()
    result = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            entries = (form.codes.data or "").splitlines()
            upload = form.file.data
            try:
                if upload and getattr(upload, "filename", ""):
                    entries += entries_from_upload(upload.read())
            except ValueError as exc:
                form.file.errors = [str(exc)]
            else:
                result = mark_undelivered(wave, entries, user_id=current_user.id, undo=bool(form.undo.data))
                status = 200 if not result.problems else 400
                form = UndeliveredForm(formdata=None)
    from ..results.response_rates import survey_response_rates

    rates = next((w for w in survey_response_rates(wave.survey) if w.wave_id == wave.id), None)
    return render_template("invitations/staff/undelivered.html", wave=wave, form=form, result=result,
                           rates=rates), status


def _rates(key: str) -> tuple[Survey, list[Any]]:
    from ..results.response_rates import survey_response_rates

    survey = _survey_or_404(key)
    return survey, survey_response_rates(survey)


@bp.get("/surveys/<key>/response-rates.csv")
@permission_required("results.download")
def response_rates_csv(key: str) -> ResponseReturnValue:
    from ..exports.response_rates import rate_header, rate_rows

    survey, waves = _rates(key)
    log_download(current_user.id, "download.response_rates_csv", survey.key)
    body = "".join(csv_stream(rate_header(), rate_rows(waves))).encode("utf-8")
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": attachment_header(_("回収率_%(survey)s.csv", survey=survey.key)),
        "Cache-Control": "no-store"})


@bp.get("/surveys/<key>/response-rates.xlsx")
@permission_required("results.download")
def response_rates_xlsx(key: str) -> ResponseReturnValue:
    from ..exports.response_rates import rate_sheets
    from ..exports.xlsx import xlsx_file

    survey, waves = _rates(key)
    log_download(current_user.id, "download.response_rates_xlsx", survey.key)
    return Response(stream_file(xlsx_file(rate_sheets(waves))), mimetype=XLSX_MIMETYPE, headers={
        "Content-Disposition": attachment_header(_("回収率_%(survey)s.xlsx", survey=survey.key)),
        "Cache-Control": "no-store"})
