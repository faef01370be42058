"""Disclosure control: small groups show 「—」 with the reason on the page, blank + flag in
downloads, and no download contains a group cell of 1–4 people."""

from __future__ import annotations

import csv
import io

import openpyxl
from flask import Flask

from tests.conftest import login
from tests.results.factories import add_responses


def _sample() -> list[dict[str, str]]:
    sets = []
    # 60 women and 40 men answer; 3 people aged 18–29, the rest 60–69 / 70+.
    for i in range(100):
        age = "18_29" if i < 3 else ("60_69" if i % 2 else "70_over")
        sets.append({"digital_satisfaction": "satisfied" if i % 3 == 0 else "dissatisfied",
                     "age_band": age, "gender": "female" if i < 60 else "male", "area": "naka"})
    return sets


def test_small_groups_are_suppressed_everywhere(app: Flask) -> None:
    add_responses(app, "digital-services", _sample())
    add_responses(app, "digital-services", [{"digital_satisfaction": "satisfied"}] * 2, channel="paper")
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/kpis/digital-services/digital_satisfaction_rate").get_data(as_text=True)
    assert "1〜4人の区分は公表しません" in html
    assert 'href="#note-small_cell"' in html and 'id="note-small_cell"' in html
    assert "—" in html

    for url in ("/staff/kpis/digital-services/digital_satisfaction_rate/breakdowns.csv",
                "/staff/downloads/kpis.csv"):
        rows = list(csv.DictReader(io.StringIO(client.get(url).get_data().decode("utf-8-sig"))))
        for row in rows:
            for key in ("n", "successes", "responses", "no_answer", "excluded", "demo_responses"):
                if row.get(key):
                    assert not 1 <= int(row[key]) <= 4, (url, key, row)
        if url.endswith("breakdowns.csv"):
            young = next(r for r in rows if r["group"] == "18_29")
            assert young["n"] == "" and young["estimate"] == "" and young["suppressed"] == "1"
            assert young["suppression_reason"] == "small_cell"
            paper = next(r for r in rows if r["group"] == "paper")
            assert paper["n"] == "" and paper["suppressed"] == "1"

    book = openpyxl.load_workbook(io.BytesIO(client.get(
        "/staff/kpis/digital-services/digital_satisfaction_rate/breakdowns.xlsx").get_data()))
    sheet = book["内訳"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        for key in ("n（母数）", "該当数"):  # Japanese headings in Excel
            assert record[key] is None or not 1 <= record[key] <= 4
    options = book = openpyxl.load_workbook(io.BytesIO(client.get("/staff/downloads/kpis.xlsx").get_data()))
    for row in options["選択肢別"].iter_rows(min_row=2, values_only=True):
        assert row[8] is None or not 1 <= row[8] <= 4


def test_small_estimate_is_suppressed_with_reason(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 12
                  + [{"counter_satisfaction": "dissatisfied"}] * 8)
    client = app.test_client()
    login(client, app, "analyst")
    html = client.get("/staff/").get_data(as_text=True)
    assert "有効回答数が30未満のため信頼性が不足しています" in html
    data = client.get("/open-data/kpis.json").get_json()
    record = next(r for r in data["records"] if r["kpi"] == "counter_satisfaction_rate")
    assert record["suppressed"] is True and record["suppression_reason"] == "small_n"
    assert record["estimate"] is None and record["ci_low"] is None and record["n"] == 20
