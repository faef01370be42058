"""137 of 400 satisfied in FY2026: every output shows the same n, estimate and interval, equal
to the statistics engine and to an independently written Wilson formula (to 1e-9)."""

from __future__ import annotations

import csv
import io
import math
from statistics import NormalDist

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.stats import proportion_ci
from tests.conftest import login
from tests.results.factories import add_responses, digital_services_sample

SUCCESSES, N = 137, 400


def wilson_reference(x: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Closed-form Wilson score interval, written here independently of surveyapp.stats."""
    z = NormalDist().inv_cdf(1 - (1 - level) / 2)
    p = x / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


@pytest.fixture
def controlled(app: Flask) -> FlaskClient:
    add_responses(app, "digital-services", digital_services_sample(SUCCESSES, N - SUCCESSES, not_used=23))
    client = app.test_client()
    login(client, app, "analyst")
    return client


def test_every_output_shows_the_same_numbers(app: Flask, controlled: FlaskClient) -> None:
    low, high = wilson_reference(SUCCESSES, N)
    engine = proportion_ci(SUCCESSES, N)
    assert engine.low is not None and engine.high is not None
    assert abs(engine.low - low) < 1e-12 and abs(engine.high - high) < 1e-12

    # Open data JSON: unrounded, equal to the reference to 1e-9.
    data = controlled.get("/open-data/kpis.json").get_json()
    record = next(r for r in data["records"] if r["kpi"] == "digital_satisfaction_rate"
                  and r["fiscal_year"] == 2026 and not r["weighted"])
    assert record["n"] == N and record["successes"] == SUCCESSES
    assert record["estimate"] == SUCCESSES / N
    assert abs(record["ci_low"] - low) < 1e-9 and abs(record["ci_high"] - high) < 1e-9
    assert record["ci_method"] == "wilson" and record["level"] == 0.95
    assert record["suppressed"] is False

    # CSV: the same floats (written with full precision) and the same n.
    raw = controlled.get("/staff/downloads/kpis.csv").get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    row = next(r for r in rows if r["kpi"] == "digital_satisfaction_rate" and r["weighted"] == "0"
               and r["fiscal_year"] == "2026")
    assert (int(row["n"]), int(row["successes"]), int(row["excluded"])) == (N, SUCCESSES, 23)
    assert row["fiscal_year_wareki"] == "令和8年度"
    assert float(row["estimate"]) == record["estimate"]
    assert float(row["ci_low"]) == record["ci_low"] and float(row["ci_high"]) == record["ci_high"]

    # XLSX: numbers as numbers, equal to the JSON.
    book = openpyxl.load_workbook(io.BytesIO(controlled.get("/staff/downloads/kpis.xlsx").get_data()))
    sheet = book["KPI"]
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)]
    xrow = next(v for v in values if v["KPIキー"] == "digital_satisfaction_rate" and v["重み付け"] == 0)
    assert xrow["n（母数）"] == N and xrow["該当数"] == SUCCESSES
    assert xrow["年度（和暦）"] == "令和8年度" and xrow["西暦年度"] == 2026
    # openpyxl writes numbers with 16 significant digits (Excel keeps 15), so within 1e-15.
    assert abs(xrow["割合"] - record["estimate"]) < 1e-15
    assert abs(xrow["信頼区間（下限）"] - record["ci_low"]) < 1e-15
    assert abs(xrow["信頼区間（上限）"] - record["ci_high"]) < 1e-15
    assert {"KPI", "選択肢別", "方法", "列の定義"} <= set(book.sheetnames)
    assert not sheet.merged_cells.ranges

    # Dashboard, KPI page and printable report: the same values, rounded for display only.
    shown = f"{pct(low)}〜{pct(high)}"
    for url in ("/staff/", "/staff/kpis/digital-services/digital_satisfaction_rate", "/staff/report"):
        html = controlled.get(url).get_data(as_text=True)
        assert pct(SUCCESSES / N) in html, url
        assert shown in html, url
        assert "400" in html, url


def test_unknown_kpi_is_404_and_bad_parameters_are_explained(app: Flask, controlled: FlaskClient) -> None:
    assert controlled.get("/staff/kpis/digital-services/nope").status_code == 404
    for query in ("method=bogus", "level=0.5", "channel=%3Cscript%3E", "fiscal_year=20x6",
                  "group=age_band%3Dnone", "date_from=2026-13-01", "demo=maybe",
                  "date_from=2026-05-01&date_to=2026-04-01"):
        response = controlled.get(f"/staff/kpis/digital-services/digital_satisfaction_rate?{query}")
        assert response.status_code == 400, query
        html = response.get_data(as_text=True)
        assert "エラー：" in html and "error-summary" in html
        assert "<script>" not in html
    for url in ("/staff/report?level=2", "/staff/surveys/digital-services/fieldwork?margin=7"):
        assert controlled.get(url).status_code == 400
    assert controlled.get("/staff/downloads/kpis.csv?method=x").status_code == 400
    assert controlled.get("/staff/downloads/kpis.csv?encoding=latin-1").status_code == 400


def test_method_and_level_chosen_on_the_page(controlled: FlaskClient) -> None:
    for method in ("wilson", "clopper-pearson", "jeffreys", "agresti-coull", "wald"):
        result = proportion_ci(SUCCESSES, N, method=method, level=0.9)
        assert result.low is not None and result.high is not None
        html = controlled.get("/staff/kpis/digital-services/digital_satisfaction_rate"
                              f"?method={method}&level=0.90").get_data(as_text=True)
        assert f"{pct(result.low)}〜{pct(result.high)}" in html, method
        rows = list(csv.DictReader(io.StringIO(controlled.get(
            f"/staff/downloads/kpis.csv?method={method}&level=0.90").get_data().decode("utf-8-sig"))))
        row = next(r for r in rows if r["kpi"] == "digital_satisfaction_rate" and r["weighted"] == "0")
        assert row["ci_method"] == method and float(row["ci_level"]) == 0.9
        assert float(row["ci_low"]) == result.low
