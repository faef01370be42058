"""Population upload (validation names row and column; UTF-8 with/without BOM and CP932) and
the weighted KPI beside the unweighted one, with effective n and design effect."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.results import find_declaration
from surveyapp.results.population import EXAMPLE_CSV, PopulationCsvError, accepted_values, parse_population_csv
from surveyapp.results.weighted import weighted_kpi
from surveyapp.stats import poststratify, weighted_proportion
from tests.conftest import login
from tests.results.factories import AGES, add_responses

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = accepted_values([("age_band", [(a, a) for a in AGES] + [("18_29", "18〜29歳")]),
                          ("gender", [("male", "男性"), ("female", "女性")])])


def _upload(client, year: int, data: bytes):  # type: ignore[no-untyped-def]
    return client.post("/staff/population", data={
        "fiscal_year": str(year), "source": "住民基本台帳（例）",
        "file": (io.BytesIO(data), "population.csv")}, content_type="multipart/form-data")


def test_example_file_is_the_documented_one_and_parses() -> None:
    shipped = (ROOT / "docs/examples/population-example.csv").read_text(encoding="utf-8")
    assert shipped.replace("\r\n", "\n") == EXAMPLE_CSV.replace("\r\n", "\n")
    parsed = parse_population_csv(shipped.encode("utf-8"), ALLOWED)
    assert len(parsed.cells) == 12 and not parsed.has_area


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings_and_japanese_headers(encoding: str) -> None:
    text = "年齢区分,性別,人口\r\n18〜29歳,男性,\"1,200\"\r\n18_29,女性,１１００\r\n"
    parsed = parse_population_csv(text.encode(encoding), ALLOWED)
    assert parsed.cells == {("18_29", "male", None): 1200, ("18_29", "female", None): 1100}


def test_errors_name_row_and_column() -> None:
    text = "age_band,gender,population\n18_29,male,100\n99_99,male,10\n30_39,robot,-5\n18_29,male,3\n"
    with pytest.raises(PopulationCsvError) as info:
        parse_population_csv(text.encode(), ALLOWED)
    problems = [(p.row, p.column) for p in info.value.problems]
    assert (3, "age_band") in problems and (4, "gender") in problems and (4, "population") in problems
    assert (5, None) in problems  # duplicate of row 2
    with pytest.raises(PopulationCsvError) as info:
        parse_population_csv(b"age,sex,count\n", ALLOWED)
    assert info.value.problems[0].row == 1 and info.value.problems[0].column == "age"
    with pytest.raises(PopulationCsvError):
        parse_population_csv(b"\xff\xfe\x00bad", ALLOWED)


def _sample() -> list[dict[str, str]]:
    sets = []
    rng = np.random.default_rng(7)
    for i in range(480):
        age = AGES[i % 6]
        gender = "female" if i % 5 < 3 else "male"  # women over-represented
        p = 0.2 + 0.08 * AGES.index(age) / 5 + (0.1 if gender == "female" else 0.0)
        code = "satisfied" if rng.random() < p else "dissatisfied"
        sets.append({"digital_satisfaction": code, "age_band": age, "gender": gender, "area": "naka"})
    sets += [{"digital_satisfaction": "satisfied", "gender": "other"}] * 7  # cannot be weighted
    return sets


def test_weighted_kpi_matches_the_engine(app: Flask) -> None:
    sample = _sample()
    add_responses(app, "digital-services", sample)
    client = app.test_client()
    login(client, app, "analyst")
    response = _upload(client, 2026, ("\ufeff" + EXAMPLE_CSV).encode("utf-8"))
    assert response.status_code == 303
    bad = _upload(client, 2026, b"age_band,gender,population\n18_29,male,x\n")
    assert bad.status_code == 400
    assert "2行目" in bad.get_data(as_text=True) and "「population」列" in bad.get_data(as_text=True)

    with app.app_context():
        declaration = find_declaration("digital-services", "digital_satisfaction_rate")
        result = weighted_kpi(declaration, 2026)
        assert result.problem is None and result.scheme == "poststratify"
        assert result.respondents == 480 and result.left_out == 7
        actions = list(db.session.scalars(sa.select(AuditEntry.action)))
    assert "population.upload" in actions

    from surveyapp.results.population import _EXAMPLE

    totals = {(a, g): float(v) for a, (m, f) in _EXAMPLE.items() for g, v in (("male", m), ("female", f))}
    cells = [(s["age_band"], s["gender"]) for s in sample[:480]]
    y = np.array([s["digital_satisfaction"] == "satisfied" for s in sample[:480]], dtype=float)
    weights = poststratify(cells, totals)
    expected = weighted_proportion(y, weights.weights, calibration=weights)
    assert result.proportion is not None and expected.estimate is not None
    assert abs(result.proportion.estimate - expected.estimate) < 1e-12  # type: ignore[operator]
    assert abs(result.proportion.low - expected.low) < 1e-12  # type: ignore[operator]

    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    assert "重み付け" in html and "有効n" in html and "デザイン効果" in html
    assert f"{expected.estimate * 100:.1f}%" in html
    data = client.get("/open-data/kpis.json").get_json()
    weighted = [r for r in data["records"] if r["weighted"] and r["kpi"] == "digital_satisfaction_rate"]
    assert len(weighted) == 1 and abs(weighted[0]["estimate"] - expected.estimate) < 1e-12
    assert weighted[0]["design_effect"] > 1


def test_thin_cells_are_raked(app: Flask) -> None:
    sets = [{"digital_satisfaction": "satisfied" if i % 2 else "dissatisfied",
             "age_band": AGES[i % 6], "gender": "female" if i % 4 else "male"} for i in range(90)]
    add_responses(app, "digital-services", sets)
    with app.app_context():
        from surveyapp.results.population import parse_population_csv as parse
        from surveyapp.results.population import save_population_table

        save_population_table(2026, parse(EXAMPLE_CSV.encode(), ALLOWED), source="test", user_id=None)
        result = weighted_kpi(find_declaration("digital-services", "digital_satisfaction_rate"), 2026)
    assert result.problem is None and result.scheme == "rake"
    assert result.design_effect is not None and result.effective_n is not None
