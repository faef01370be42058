"""Analysts find the raw downloads where they work (the nav, the KPI page, fieldwork); roles
that may not download them see no such links."""

from __future__ import annotations

from flask import Flask

from tests.conftest import login

KPI = "/staff/kpis/counter/counter_satisfaction_rate"
RAW = "/staff/surveys/counter/responses.xlsx"


def test_analyst_reaches_raw_downloads_without_the_admin_pages(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "analyst")
    home = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/downloads"' in home
    page = client.get("/staff/downloads").get_data(as_text=True)
    for key in ("counter", "digital-services", "public-transport", "digital-divide-course",
                "staff-generative-ai"):
        assert f'href="/staff/surveys/{key}/responses.xlsx"' in page, key
        assert f'href="/staff/surveys/{key}/codebook.csv"' in page, key
    assert f'href="{RAW}"' in client.get(KPI).get_data(as_text=True)
    assert f'href="{RAW}"' in client.get("/staff/surveys/counter/fieldwork").get_data(as_text=True)
    assert client.get(RAW).status_code == 200
    assert client.get("/staff/surveys/counter").status_code == 403  # the admin page stays admin-only


def test_roles_without_download_rights_see_no_download_links(app: Flask) -> None:
    # Course staff see no results pages at all (docs/roles.md): no download link on their pages.
    client = app.test_client()
    login(client, app, "course-staff")
    assert client.get(KPI).status_code == 403
    home = client.get("/staff/courses").get_data(as_text=True)
    assert 'href="/staff/downloads"' not in home and "responses.xlsx" not in home
    assert client.get("/staff/downloads").status_code == 403
    assert client.get("/staff/surveys/counter/fieldwork").status_code == 403
