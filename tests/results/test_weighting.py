"""Population upload (validation names row and column; UTF-8 with/without BOM and CP932) and
the weighted KPI beside the unweighted one, with effective n and design effect."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from pathlib import Path

import numpy as np
import openpyxl
import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.results import find_declaration
from surveyapp.results.population import EXAMPLE_CSV, PopulationCsvError, accepted_values, parse_population_csv
from surveyapp.results.weighted import weighted_kpi
from surveyapp.stats import compare_weighted_to_baseline, poststratify, weighted_proportion
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
    # Men in every age band (with i % 4 they were all in three bands, margins that raking
    # cannot meet: see test_conflicting_margins_are_never_published).
    sets = [{"digital_satisfaction": "satisfied" if i % 2 else "dissatisfied",
             "age_band": AGES[i % 6], "gender": "female" if (i // 6) % 4 else "male"} for i in range(90)]
    add_responses(app, "digital-services", sets)
    with app.app_context():
        from surveyapp.results.population import parse_population_csv as parse
        from surveyapp.results.population import save_population_table

        save_population_table(2026, parse(EXAMPLE_CSV.encode(), ALLOWED), source="test", user_id=None)
        result = weighted_kpi(find_declaration("digital-services", "digital_satisfaction_rate"), 2026)
    assert result.problem is None and result.scheme == "rake"
    assert result.design_effect is not None and result.effective_n is not None


def _rows(client, url: str) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    return list(csv.DictReader(io.StringIO(client.get(url).get_data().decode("utf-8-sig"))))


def _weighted_row(html: str) -> dict[str, str]:
    """The first row of the KPI page's weighted table as {column heading: cell text}."""
    table = html[html.index('class="results weighted-table"'):]
    table = table[:table.index("</table>")]
    headings = [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)]
    row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>", " ", cell).split()[0]
             for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row.group(1), re.S)]
    return dict(zip(headings, cells, strict=True))


def test_effective_n_design_effect_and_weighted_change_are_consistent(app: Flask) -> None:
    """The 有効n shown is Kish's n ÷ design effect on the respondents of n (never above n);
    the weighted change is Newcombe on the effective n of the linearization variance."""
    sample = _sample()
    add_responses(app, "digital-services", sample)
    with app.app_context():
        from surveyapp.results.population import save_population_table

        save_population_table(2026, parse_population_csv(EXAMPLE_CSV.encode(), ALLOWED), source="test",
                              user_id=None)
        declaration = find_declaration("digital-services", "digital_satisfaction_rate")
        result = weighted_kpi(declaration, 2026)
    proportion = result.proportion
    assert proportion is not None and result.effective_n is not None and result.design_effect is not None
    assert result.design_effect >= 1.0 and result.effective_n <= proportion.n
    assert result.effective_n * result.design_effect == pytest.approx(proportion.n)
    # The variance-based figure is a different one (post-stratification can push it above n).
    assert result.effective_n == pytest.approx(proportion.kish_effective_n)
    expected_change = compare_weighted_to_baseline(
        proportion, baseline_rate=declaration.baseline_value, baseline_n=declaration.baseline_n or None,
        direction=declaration.direction)
    assert result.change == expected_change and result.change.method.endswith("-neff")
    assert result.change.effective_n == proportion.effective_n

    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    shown = _weighted_row(html)  # the weighted table labels every figure in its own column
    assert int(shown["有効n"].replace(",", "")) == round(result.effective_n) <= proportion.n
    assert shown["デザイン効果"] == f"{result.design_effect:.2f}"
    assert "基準値からの変化（重み付け）" in html and "有効サンプルサイズ" in html
    assert "n を超えることはありません" in html
    row = next(r for r in _rows(client, "/staff/downloads/kpis.csv")
               if r["kpi"] == "digital_satisfaction_rate" and r["weighted"] == "1")
    assert float(row["effective_n"]) == pytest.approx(result.effective_n) and float(row["effective_n"]) <= int(row["n"])
    assert float(row["design_effect"]) == pytest.approx(result.design_effect)
    assert float(row["change_low"]) == pytest.approx(result.change.low)
    assert row["change_method"] == result.change.method and row["change_assessment"] == result.change.assessment
    record = next(r for r in client.get("/open-data/kpis.json").get_json()["records"]
                  if r["weighted"] and r["kpi"] == "digital_satisfaction_rate")
    assert record["effective_n"] == pytest.approx(result.effective_n) and record["effective_n"] <= record["n"]
    assert record["change_high"] == pytest.approx(result.change.high)


def test_conflicting_margins_are_never_published(app: Flask) -> None:
    """Every man answers in the 18–29, 40–49 or 60–69 band, whose population (58,000) is below
    the male total (61,100): raking cannot meet the margins, so no weighted number anywhere."""
    sets = [{"digital_satisfaction": "satisfied" if i % 2 else "dissatisfied",
             "age_band": AGES[i % 6], "gender": "female" if i % 4 else "male"} for i in range(90)]
    add_responses(app, "digital-services", sets)
    with app.app_context():
        from surveyapp.results.population import save_population_table

        save_population_table(2026, parse_population_csv(EXAMPLE_CSV.encode(), ALLOWED), source="test",
                              user_id=None)
        result = weighted_kpi(find_declaration("digital-services", "digital_satisfaction_rate"), 2026)
    failure = result.failure
    assert result.problem == "weighting_failed" and failure is not None and failure.kind == "not_converged"
    assert result.proportion is None and result.estimate is None and result.low is None
    assert result.suppressed and result.suppression_reason == "weighting_failed"
    assert failure.variable in {"age_band", "gender"} and failure.misfit is not None and failure.misfit > 0.01
    assert failure.category_label is not None and failure.target is not None and failure.achieved is not None

    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    message = (f"{failure.variable_label}「{failure.category_label}」の重み付け後の合計"
               f"（{failure.achieved:,.0f}人）を人口表の{failure.target:,.0f}人に合わせられませんでした"
               f"（{failure.misfit * 100:.1f}%のずれ）")
    assert message in html
    assert "区分をとなりの区分とまとめた人口表" in html and "人口表の区分ごとの人口と合計が正しいか" in html
    shown = _weighted_row(html)  # the failed year is listed in the weighted table without a number
    assert shown["割合（重み付け）"] == shown["信頼区間"] == shown["有効n"] == shown["デザイン効果"] == "—"
    table = html[html.index('class="results weighted-table"'):]
    table = table[:table.index("</table>")]
    assert "重みを作れません" in table
    assert 'href="#note-weighting_failed"' in table and 'id="note-weighting_failed"' in html
    assert "基準値からの変化（重み付け）" not in html

    row = next(r for r in _rows(client, "/staff/downloads/kpis.csv")
               if r["kpi"] == "digital_satisfaction_rate" and r["weighted"] == "1")
    assert row["suppressed"] == "1" and row["suppression_reason"] == "weighting_failed"
    assert row["responses"] == "90"
    for key in ("estimate", "ci_low", "ci_high", "n", "successes", "effective_n", "design_effect", "change",
                "change_low", "change_high", "verdict"):
        assert row[key] == "", key
    book = openpyxl.load_workbook(io.BytesIO(client.get("/staff/downloads/kpis.xlsx").get_data()))
    sheet = book["KPI"]
    header = [c.value for c in sheet[1]]
    weighted = [dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)
                if r[header.index("重み付け")] == 1]
    assert len(weighted) == 1 and weighted[0]["割合"] is None and weighted[0]["非表示の理由"] == "weighting_failed"
    data = client.get("/open-data/kpis.json").get_json()
    assert not [r for r in data["records"] if r["weighted"] and r["kpi"] == "digital_satisfaction_rate"]


def test_declared_population_gives_the_weighted_fpc(app: Flask) -> None:
    sample = _sample()
    add_responses(app, "digital-services", sample)
    with app.app_context():
        from surveyapp.results.population import save_population_table

        save_population_table(2026, parse_population_csv(EXAMPLE_CSV.encode(), ALLOWED), source="test",
                              user_id=None)
        declaration = find_declaration("digital-services", "digital_satisfaction_rate")
        plain = weighted_kpi(declaration, 2026)
        small = weighted_kpi(dataclasses.replace(declaration, population=600), 2026)
        too_small = weighted_kpi(dataclasses.replace(declaration, population=400), 2026)
    assert plain.proportion is not None and small.proportion is not None
    assert plain.population is None and small.population == 600 and too_small.population is None
    assert small.proportion.fpc == pytest.approx(1 - 480 / 600)
    assert small.proportion.standard_error == pytest.approx(
        plain.proportion.standard_error * (1 - 480 / 600) ** 0.5)  # type: ignore[operator]
    assert small.reliability is not None and small.reliability.effective_n is not None
    assert plain.reliability is not None and plain.reliability.effective_n is not None
    assert small.reliability.effective_n > plain.reliability.effective_n
    # The Kish figures describe the weights only and do not change.
    assert small.effective_n == plain.effective_n


def test_a_margin_category_without_respondents_is_named(app: Flask) -> None:
    sets = [{"digital_satisfaction": "satisfied" if i % 3 else "dissatisfied", "age_band": AGES[i % 5],
             "gender": "female" if i % 2 else "male"} for i in range(100)]  # nobody aged 70 or over
    add_responses(app, "digital-services", sets)
    with app.app_context():
        from surveyapp.results.population import save_population_table

        save_population_table(2026, parse_population_csv(EXAMPLE_CSV.encode(), ALLOWED), source="test",
                              user_id=None)
        result = weighted_kpi(find_declaration("digital-services", "digital_satisfaction_rate"), 2026)
    assert result.failure is not None and result.failure.kind == "empty_category"
    assert (result.failure.variable, result.failure.category) == ("age_band", "70_over")
    assert result.proportion is None and result.suppression_reason == "weighting_failed"
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    assert "年齢区分「70歳以上」（人口表35,000人）の回答者がいないため、重みを作れません。" in html
