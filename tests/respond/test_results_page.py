"""The residents' results page: the numbers of surveyapp.results (open-data rules: demo
responses out, disclosure control kept), in the resident's language, readable without JS."""

from __future__ import annotations

import re
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient

from surveyapp.results import PUBLIC, find_declaration, kpi_year_results
from surveyapp.results.kpis import KpiYearResult
from tests.conftest import link_code
from tests.results.factories import add_responses, digital_services_sample, repeat

SURVEY = "digital-services"
KPI = "digital_satisfaction_rate"


def _results(app: Flask) -> list[KpiYearResult]:
    with app.app_context():
        return kpi_year_results(find_declaration(SURVEY, KPI), selection=PUBLIC)


def _rows(html: str) -> list[list[str]]:
    body = html[html.index("<tbody>"):html.index("</tbody>")]
    return [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row) for row in re.findall(r"<tr>(.*?)</tr>",
                                                                               body, re.S)]


def test_rates_intervals_and_n_are_the_results_numbers(client: FlaskClient, app: Flask) -> None:
    add_responses(app, SURVEY, digital_services_sample(60, 90, not_used=20),
                  when=datetime(2025, 10, 1, 9, 0))
    add_responses(app, SURVEY, digital_services_sample(95, 105, not_used=10))
    add_responses(app, SURVEY, repeat({"digital_satisfaction": "satisfied"}, 300), channel="demo")
    html = client.get(f"/s/{link_code(app, SURVEY)}/results").get_data(as_text=True)
    results = _results(app)
    assert [r.fiscal_year for r in results] == [2025, 2026]
    expected = [[str(r.fiscal_year), f"{r.estimate * 100:.1f}%",
                 f"{r.low * 100:.1f}%〜{r.high * 100:.1f}%", str(r.base_n)] for r in results]
    assert _rows(html) == expected
    assert [row[3] for row in expected] == ["150", "200"]  # 20 / 10 「利用したことがない」 left out
    assert "<svg" in html and 'role="img"' in html  # the chart, drawn on the server
    assert "「満足」または「やや満足」と答えた人の割合です。" in html
    assert "「利用したことがない」と答えた人は、割合の計算に入れていません。" in html
    assert "市の計画の基準値は28.4%（2025年度）です。" in html
    assert "95%の確かさ" in html
    assert "<script" not in html  # nothing needs JavaScript


def test_unreliable_or_small_numbers_are_not_shown(client: FlaskClient, app: Flask) -> None:
    add_responses(app, SURVEY, digital_services_sample(2, 1))
    html = client.get(f"/s/{link_code(app, SURVEY)}/results").get_data(as_text=True)
    (result,) = _results(app)
    assert result.suppressed
    assert _rows(html) == [["2026", "—", "—", "—"]]  # not even n: 3 people
    assert "<svg" not in html


def test_no_responses_yet(client: FlaskClient, app: Flask) -> None:
    html = client.get(f"/s/{link_code(app, 'counter')}/results").get_data(as_text=True)
    assert "まだ集計結果はありません。" in html and "<table" not in html


def test_in_the_residents_language(client: FlaskClient, app: Flask) -> None:
    add_responses(app, SURVEY, digital_services_sample(95, 105))
    client.set_cookie("lang", "pt-BR", domain="survey.test")
    html = client.get(f"/s/{link_code(app, SURVEY)}/results").get_data(as_text=True)
    assert '<html lang="pt-BR"' in html
    assert "Porcentagem de pessoas que responderam “Satisfeito” ou “Um pouco satisfeito”." in html
    assert "Qual é o seu grau de satisfação" in html  # the question, as the KPI title is Japanese
    (row,) = _rows(html)
    result = _results(app)[0]
    assert result.estimate is not None
    assert row[1] == f"{result.estimate * 100:.1f}%".replace(".", ",")
    assert "Referência 28,4%" in html


def test_only_for_surveys_that_publish_results(client: FlaskClient, app: Flask) -> None:
    from surveyapp.extensions import db
    from surveyapp.surveys.models import Link

    assert client.get("/s/zzzzzzzz/results").status_code == 404
    with app.app_context():
        # A draft survey's link shows nothing either.
        link = db.session.scalar(db.select(Link).where(Link.code == link_code(app, SURVEY)))
        assert link is not None
        link.survey.status = "draft"
        db.session.commit()
    assert client.get(f"/s/{link_code(app, SURVEY)}/results").status_code == 404
