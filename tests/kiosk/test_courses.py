"""Course staff: course titles, sessions with a kiosk link and QR, results from the results layer."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.kiosk.models import Course, CourseSession
from surveyapp.surveys.models import Link
from tests.conftest import login
from tests.kiosk.conftest import SATISFIED, Kiosk, device_client, make_kiosk, make_session, post_response

KPI_URL = "/staff/kpis/digital-divide-course/course_satisfaction_rate"
ROW = re.compile(r"<td>([\d,—]+)</td>\s*<td>([\d,—]+)</td>\s*<td><strong>([\d.]+%)</strong></td>\s*"
                 r"<td>([\d.]+%〜[\d.]+%)</td>")


def _answers(satisfaction: str) -> dict[str, object]:
    return {**SATISFIED, "course_satisfaction": satisfaction}


def _deliver(app: Flask, kiosk: Kiosk, counts: dict[str, int]) -> None:
    client = device_client(app, kiosk.credential)
    for satisfaction, number in counts.items():
        for _ in range(number):
            assert post_response(client, kiosk, _answers(satisfaction),
                                 client_uuid=str(uuid.uuid4())).status_code == 201


def test_course_staff_manage_titles_and_create_a_session_with_a_kiosk_link(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "course-staff")
    assert client.get("/staff/courses").status_code == 200
    assert client.post("/staff/courses", data={"title": "  スマートフォン  入門 "}).status_code == 303
    duplicate = client.post("/staff/courses", data={"title": "スマートフォン 入門"})
    assert duplicate.status_code == 400
    assert "同じ講座名がすでにあります" in duplicate.get_data(as_text=True)
    with app.app_context():
        course = db.session.scalars(sa.select(Course)).one()
        course_id = course.id
    form = client.get("/staff/courses/sessions/new").get_data(as_text=True)
    survey_id = re.search(r'<option value="(\d+)"[^>]*>デジタル講座 参加者アンケート', form)
    assert survey_id, form
    data = {"course": str(course_id), "survey": survey_id.group(1), "held_on": "2026-11-20",
            "venue": "川島会館 2階", "instructor": "各務 花子", "attendees": "24"}
    missing = client.post("/staff/courses/sessions/new", data={**data, "attendees": ""})
    assert missing.status_code == 400 and "参加者数を数字で入力してください" in missing.get_data(as_text=True)
    created = client.post("/staff/courses/sessions/new", data=data)
    assert created.status_code == 303
    with app.app_context():
        session = db.session.scalars(sa.select(CourseSession)).one()
        assert (session.attendees, session.venue) == (24, "川島会館 2階")
        link = db.session.get(Link, session.link_id)
        assert link is not None and link.channel == "kiosk" and link.survey.key == "digital-divide-course"
        session_id, code = session.id, link.code
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert f"/s/{code}" in page and "二次元コード" in page
    qr = client.get(f"/staff/courses/sessions/{session_id}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    # The session link also works on attendees' own phones (the ordinary respondent pages).
    assert app.test_client().get(f"/s/{code}").status_code == 200
    edited = client.post(f"/staff/courses/sessions/{session_id}", data={**data, "attendees": "25"})
    assert edited.status_code == 303
    with app.app_context():
        assert db.session.get(CourseSession, session_id).attendees == 25  # type: ignore[union-attr]
    # A title taken off the list is not offered for new sessions; its sessions stay.
    assert client.post(f"/staff/courses/{course_id}/active", data={"active": "0"}).status_code == 303
    assert "スマートフォン 入門" not in client.get("/staff/courses/sessions/new").get_data(as_text=True)
    assert client.get(f"/staff/courses/sessions/{session_id}").status_code == 200


def test_session_and_course_figures_match_the_kpi_page(app: Flask) -> None:
    from surveyapp.results import ResultFilter, find_declaration, kpi_year_results
    from surveyapp.results.courses import link_results

    first = make_kiosk(app)
    second_session, second_link, _code = make_session(app, venue="那加福祉センター", attendees=20)
    second = make_kiosk(app, name="那加タブレット1", link_id=second_link)
    _deliver(app, first, {"satisfied": 20, "somewhat_satisfied": 12, "dissatisfied": 6})
    _deliver(app, second, {"satisfied": 9, "somewhat_dissatisfied": 5})

    staff = app.test_client()
    login(staff, app, "analyst")
    kpi_page = staff.get(KPI_URL).get_data(as_text=True)
    kiosk_only = staff.get(KPI_URL + "?channel=kiosk").get_data(as_text=True)
    staff = app.test_client()
    login(staff, app, "course-staff")
    first_page = staff.get(f"/staff/courses/sessions/{first.session_id}").get_data(as_text=True)
    second_page = staff.get(f"/staff/courses/sessions/{second_session}").get_data(as_text=True)
    with app.app_context():
        course_id = db.session.get(CourseSession, first.session_id).course_id  # type: ignore[union-attr]
        declaration = find_declaration("digital-divide-course", "course_satisfaction_rate")
        by_link = kpi_year_results(declaration, selection=ResultFilter(link_id=first.link_id))
        assert [r.base_n for r in link_results(declaration, [first.link_id])] == [r.base_n for r in by_link]
        both = link_results(declaration, [first.link_id, second.link_id])
        assert both[0].base_n == 52 and both[0].successes == 41
    course_page = staff.get(f"/staff/courses/{course_id}").get_data(as_text=True)

    # The whole course (every response of the survey came through its two sessions) = KPI page.
    assert ROW.search(course_page) and ROW.search(course_page).groups() == ROW.search(kpi_page).groups()  # type: ignore[union-attr]
    assert ROW.search(kiosk_only).groups() == ROW.search(kpi_page).groups()  # type: ignore[union-attr]
    n, successes, estimate, interval = ROW.search(first_page).groups()  # type: ignore[union-attr]
    assert (n, successes) == ("38", "32")
    assert estimate == f"{by_link[0].estimate * 100:.1f}%"
    assert interval == f"{by_link[0].low * 100:.1f}%〜{by_link[0].high * 100:.1f}%"  # type: ignore[operator]
    assert "95.0%（38件 ÷ 参加者40人）" in first_page
    # 14 answers: too few for a reliable estimate — hidden here exactly as on the KPI page.
    assert ROW.search(second_page) is None
    assert "70.0%（14件 ÷ 参加者20人）" in second_page
    assert "回答数が少ない" in second_page or "※" in second_page
