"""Course staff pages: course titles, sessions with their kiosk link, QR and results, devices."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse

from .. import formatting
from ..auth.roles import permission_required
from ..results.courses import link_results, responses_in
from ..results.declarations import KpiDeclaration, kpi_declarations
from ..staff.views import LABELS
from ..surveys.models import Link
from ..timeutil import fiscal_year_label, to_japan, utcnow
from .courses import (
    CourseError,
    SessionInput,
    add_course,
    course_surveys,
    create_session,
    get_course,
    get_session,
    list_courses,
    list_sessions,
    set_course_active,
    update_session,
)
from .forms import AssignForm, CourseForm, DeviceForm, SessionEditForm, SessionForm
from .models import Course, CourseSession, KioskDevice
from .services import (
    Enrollment,
    KioskError,
    assign_link,
    create_device,
    get_device,
    kiosk_links,
    list_devices,
    recently_heard,
    reissue_enrollment,
    revoke_device,
)

bp = Blueprint("courses", __name__, url_prefix="/staff")


COURSE_ERRORS = {
    "invalid_title": _l("講座名を200文字以内で入力してください。"),
    "duplicate_title": _l("同じ講座名がすでにあります。"),
    "inactive_course": _l("この講座名は現在使われていません。一覧で「使う」に戻してから作成してください。"),
    "invalid_survey": _l("講座向けのアンケートを選んでください。"),
    "invalid_attendees": _l("参加者数は1以上の数字で入力してください。"),
    "invalid_venue": _l("会場を200文字以内で入力してください。"),
    "invalid_instructor": _l("講師の名前を100文字以内で入力してください。"),
}
DEVICE_ERRORS = {
    "invalid_name": _l("端末の名前を100文字以内で入力してください。"),
    "duplicate_name": _l("同じ名前の端末がすでにあります。別の名前にしてください。"),
    "invalid_pin": _l("暗証番号は4〜8けたの数字にしてください。"),
    "invalid_link": _l("キオスク用のアンケートを選んでください。"),
    "revoked": _l("登録を取り消した端末には、新しいコードを発行できません。"),
}


@bp.context_processor
def _globals() -> dict[str, Any]:
    return {"labels": LABELS, "fiscal_year_label": fiscal_year_label, "to_japan": to_japan,
            "fmt": formatting}


@bp.after_request
def _no_store(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _message(table: dict[str, Any], code: str) -> str:
    return str(table.get(code, _l("入力を確認してください。")))


def _course_or_404(course_id: int) -> Course:
    course = get_course(course_id)
    if course is None:
        abort(404)
    return course


def _session_or_404(session_id: int) -> CourseSession:
    session = get_session(session_id)
    if session is None:
        abort(404)
    return session


def _device_or_404(device_id: int) -> KioskDevice:
    device = get_device(device_id)
    if device is None:
        abort(404)
    return device


# --------------------------------------------------------------------------- results


def _declarations_for(survey_key: str) -> list[KpiDeclaration]:
    return [d for d in kpi_declarations(archived=True) if d.survey_key == survey_key]


def _results_for(survey_key: str, link_ids: list[int]) -> list[dict[str, Any]]:
    """Per KPI of the survey: its result rows over these links (the KPI page's numbers)."""
    return [{"kpi": d, "years": link_results(d, link_ids)} for d in _declarations_for(survey_key)]


def _response_rate(responses: int, attendees: int) -> float | None:
    return responses / attendees if attendees > 0 else None


def _session_figures(session: CourseSession) -> dict[str, Any]:
    results = _results_for(session.link.survey.key, [session.link_id])
    responses = responses_in(results[0]["years"]) if results else 0
    return {"session": session, "results": results, "responses": responses,
            "rate": _response_rate(responses, session.attendees)}


# --------------------------------------------------------------------------- courses


@bp.get("/courses")
@permission_required("courses.manage")
def course_index() -> ResponseReturnValue:
    return _render_courses(CourseForm(formdata=None))


def _render_courses(form: CourseForm, status: int = 200) -> ResponseReturnValue:
    sessions = [_session_figures(s) for s in list_sessions()[:50]]
    return render_template("staff_kiosk/courses.html", form=form, courses=list_courses(),
                           sessions=sessions), status


@bp.post("/courses")
@permission_required("courses.manage")
def course_add() -> ResponseReturnValue:
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = add_course(form.title.data or "", user_id=current_user.id)
        except CourseError as exc:
            form.title.errors = [_message(COURSE_ERRORS, exc.code)]
        else:
            flash(_("講座名「%(title)s」を追加しました。", title=course.title))
            return redirect(url_for("courses.course_index"), 303)
    return _render_courses(form, 400)


@bp.post("/courses/<int:course_id>/active")
@permission_required("courses.manage")
def course_active(course_id: int) -> ResponseReturnValue:
    course = _course_or_404(course_id)
    active = request.form.get("active") == "1"
    set_course_active(course, active, user_id=current_user.id)
    return redirect(url_for("courses.course_index"), 303)


@bp.get("/courses/<int:course_id>")
@permission_required("courses.manage")
def course_detail(course_id: int) -> ResponseReturnValue:
    course = _course_or_404(course_id)
    sessions = [_session_figures(s) for s in list_sessions(course)]
    by_survey: dict[str, list[int]] = {}
    attendees: dict[str, int] = {}
    for item in sessions:
        key = item["session"].link.survey.key
        by_survey.setdefault(key, []).append(item["session"].link_id)
        attendees[key] = attendees.get(key, 0) + item["session"].attendees
    totals = []
    for key, link_ids in by_survey.items():
        results = _results_for(key, link_ids)
        responses = responses_in(results[0]["years"]) if results else 0
        totals.append({"survey_key": key, "results": results, "responses": responses,
                       "attendees": attendees[key], "rate": _response_rate(responses, attendees[key])})
    return render_template("staff_kiosk/course.html", course=course, sessions=sessions,
                           totals=totals)


# --------------------------------------------------------------------------- sessions


def _session_form(form: SessionForm) -> SessionForm:
    form.course.choices = [(c.id, c.title) for c in list_courses(active_only=True)]
    form.survey.choices = [(s.id, s.current_version.title if s.current_version else s.key)
                           for s in course_surveys()]
    return form


def _session_input(form: SessionForm | SessionEditForm) -> SessionInput:
    assert form.held_on.data is not None and form.attendees.data is not None
    return SessionInput(held_on=form.held_on.data, venue=form.venue.data or "",
                        instructor=form.instructor.data or "", attendees=form.attendees.data)


@bp.route("/courses/sessions/new", methods=["GET", "POST"])
@permission_required("courses.manage")
def session_new() -> ResponseReturnValue:
    form = _session_form(SessionForm())
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            course = get_course(form.course.data or 0)
            survey = next((s for s in course_surveys() if s.id == form.survey.data), None)
            if course is None or survey is None:
                abort(400)
            try:
                session = create_session(course, survey, _session_input(form),
                                         user_id=current_user.id)
            except CourseError as exc:
                form.venue.errors = [_message(COURSE_ERRORS, exc.code)]
            else:
                flash(_("講座の回を作成しました。キオスク用のリンクとQRコードができています。"))
                return redirect(url_for("courses.session_detail", session_id=session.id), 303)
    return render_template("staff_kiosk/session_new.html", form=form), status


@bp.get("/courses/sessions/<int:session_id>")
@permission_required("courses.manage")
def session_detail(session_id: int) -> ResponseReturnValue:
    session = _session_or_404(session_id)
    form = SessionEditForm(formdata=None, obj=session)
    return _render_session(session, form)


def _public_url(link: Link) -> str:
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return str(base) + url_for("respond.start_page", code=link.code)


def _render_session(session: CourseSession, form: SessionEditForm,
                    status: int = 200) -> ResponseReturnValue:
    devices = [d for d in list_devices() if d.link_id == session.link_id and not d.revoked]
    return render_template("staff_kiosk/session.html", figures=_session_figures(session),
                           session=session, form=form, url=_public_url(session.link),
                           devices=devices), status


@bp.post("/courses/sessions/<int:session_id>")
@permission_required("courses.manage")
def session_update(session_id: int) -> ResponseReturnValue:
    session = _session_or_404(session_id)
    form = SessionEditForm()
    if form.validate_on_submit():
        try:
            update_session(session, _session_input(form), user_id=current_user.id)
        except CourseError as exc:
            form.attendees.errors = [_message(COURSE_ERRORS, exc.code)]
        else:
            flash(_("講座の回の内容を保存しました。"))
            return redirect(url_for("courses.session_detail", session_id=session.id), 303)
    return _render_session(session, form, 400)


@bp.get("/courses/sessions/<int:session_id>/qr.svg")
@permission_required("courses.manage")
def session_qr(session_id: int) -> ResponseReturnValue:
    from ..links.qr import qr_svg

    session = _session_or_404(session_id)
    response = make_response(qr_svg(_public_url(session.link)))
    response.mimetype = "image/svg+xml"
    response.headers["Content-Disposition"] = f'inline; filename="course-session-{session.id}.svg"'
    return response


# --------------------------------------------------------------------------- devices


def _link_choices(form: DeviceForm | AssignForm) -> None:
    form.link.choices = [(0, _("（あとで選ぶ）"))] + [(link.id, link.label) for link in kiosk_links()]


def _chosen_link(link_id: int | None) -> Link | None:
    if not link_id:
        return None
    return next((link for link in kiosk_links() if link.id == link_id), None)


@bp.get("/kiosks")
@permission_required("kiosks.manage")
def device_index() -> ResponseReturnValue:
    form = DeviceForm(formdata=None)
    _link_choices(form)
    return _render_devices(form)


def _render_devices(form: DeviceForm, status: int = 200) -> ResponseReturnValue:
    now = utcnow()
    devices = []
    for device in list_devices():
        assign = AssignForm(formdata=None, link=device.link_id or 0, prefix=f"d{device.id}")
        _link_choices(assign)
        devices.append({"device": device, "assign": assign, "heard": recently_heard(device, now)})
    return render_template("staff_kiosk/devices.html", form=form, devices=devices, now=now), status


@bp.post("/kiosks")
@permission_required("kiosks.manage")
def device_add() -> ResponseReturnValue:
    form = DeviceForm()
    _link_choices(form)
    if form.validate_on_submit():
        try:
            enrollment = create_device(form.name.data or "", form.pin.data or "",
                                       _chosen_link(form.link.data), user_id=current_user.id)
        except KioskError as exc:
            form.name.errors = [_message(DEVICE_ERRORS, exc.code)]
        else:
            return _render_code(enrollment)
    return _render_devices(form, 400)


def _render_code(enrollment: Enrollment) -> ResponseReturnValue:
    """The enrollment code is shown once, on this response only (never stored in plain): large,
    and as a QR code of the enrollment page with the code in the URL's fragment (which the
    browser never sends to the server, so it stays out of access logs); the page fills it in."""
    from ..links.qr import qr_svg

    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    enroll_url = str(base) + url_for("kiosk.enroll")
    qr = Markup(qr_svg(f"{enroll_url}#code={enrollment.display_code}").decode("utf-8"))  # noqa: S704 - our SVG
    return render_template("staff_kiosk/device_code.html", enrollment=enrollment, enroll_url=enroll_url, qr=qr)


@bp.post("/kiosks/<int:device_id>/code")
@permission_required("kiosks.manage")
def device_code(device_id: int) -> ResponseReturnValue:
    device = _device_or_404(device_id)
    try:
        enrollment = reissue_enrollment(device, user_id=current_user.id)
    except KioskError as exc:
        flash(_message(DEVICE_ERRORS, exc.code))
        return redirect(url_for("courses.device_index"), 303)
    return _render_code(enrollment)


@bp.post("/kiosks/<int:device_id>/assign")
@permission_required("kiosks.manage")
def device_assign(device_id: int) -> ResponseReturnValue:
    device = _device_or_404(device_id)
    form = AssignForm(prefix=f"d{device.id}")
    _link_choices(form)
    if not form.validate_on_submit():
        abort(400)
    assign_link(device, _chosen_link(form.link.data), user_id=current_user.id)
    flash(_("「%(name)s」に表示するアンケートを変更しました。", name=device.name))
    return redirect(url_for("courses.device_index"), 303)


@bp.post("/kiosks/<int:device_id>/revoke")
@permission_required("kiosks.manage")
def device_revoke(device_id: int) -> ResponseReturnValue:
    device = _device_or_404(device_id)
    revoke_device(device, user_id=current_user.id)
    flash(_("「%(name)s」の登録を取り消しました。この端末からの送信は受け付けません。", name=device.name))
    return redirect(url_for("courses.device_index"), 303)
