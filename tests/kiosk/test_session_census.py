"""Course staff see how their own session went: every count per option of the session's
attendees, 1–4 included; published figures (the KPI page) keep hiding 1–4."""

from __future__ import annotations

import re
import uuid

from flask import Flask

from tests.conftest import login
from tests.kiosk.conftest import device_client, make_kiosk, post_response

KPI_URL = "/staff/kpis/digital-divide-course/course_satisfaction_rate"


def _cells(html: str) -> list[str]:
    table = re.search(r'<table class="results option-table">.*?</table>', html, re.S)
    assert table, "the session page has a table of counts per option"
    body = table.group(0).split("<tbody>")[1]
    return re.findall(r'<td class="num">([^<]*)</td>', body)


def test_a_session_of_twelve_shows_every_count_to_its_staff(app: Flask) -> None:
    kiosk = make_kiosk(app)
    client = device_client(app, kiosk.credential)
    answers = ["satisfied"] * 6 + ["somewhat_satisfied"] * 3 + ["somewhat_dissatisfied"] * 2 + ["dissatisfied"]
    for code in answers:
        response = post_response(client, kiosk, {"course_satisfaction": code}, client_uuid=str(uuid.uuid4()))
        assert response.status_code == 201
    staff = app.test_client()
    login(staff, app, "course-staff")
    page = staff.get(f"/staff/courses/sessions/{kiosk.session_id}").get_data(as_text=True)
    # satisfied 6, somewhat satisfied 3, somewhat dissatisfied 2, dissatisfied 1, no answer 0, total 12
    assert _cells(page)[:4] == ["6", "3", "2", "1"] and _cells(page)[-1] == "12"
    assert re.search(r"「満足」＋「やや満足」 9人 ÷ n 12人＝<strong>75\.0%</strong>", page)
    assert "「「" not in page
    assert "1〜4人の値も表示します" in page
    # The published-standard table on the same page and the KPI page still hide them.
    analyst = app.test_client()
    login(analyst, app, "analyst")
    kpi = analyst.get(KPI_URL).get_data(as_text=True)
    assert "75.0%" not in kpi
    kpi_counts = _cells(kpi)
    assert "2" not in kpi_counts and "3" not in kpi_counts and "1" not in kpi_counts
