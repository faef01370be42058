"""CSV in UTF-8 with BOM by default; CP932 never fails and reports what it replaced."""

from __future__ import annotations

import csv
import io

from flask import Flask

from surveyapp.exports.cells import Cp932Encoder
from tests.conftest import login
from tests.results.factories import add_responses


def test_cp932_reports_replacements_and_never_fails(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied",
                                    "comment": "𠮷野家の😀と、〜18〜29歳〜 — ①②"}] * 6)
    client = app.test_client()
    login(client, app, "analyst")
    for url in ("/staff/surveys/counter/responses.csv?encoding=cp932",
                "/staff/surveys/counter/comments.csv?encoding=cp932"):
        response = client.get(url)
        assert response.status_code == 200
        assert "Shift_JIS" in response.headers["Content-Type"]
        text = response.get_data().decode("cp932")
        rows = list(csv.reader(io.StringIO(text)))
        note = rows[-1]
        assert note[0] == "# 注記"
        assert "12 字" in note[1] and "U+20BB7 ×6" in note[1] and "U+1F600 ×6" in note[1]
        assert "〓野家の〓と、～18～29歳～ ― ①②" in text

    response = client.get("/staff/downloads/kpis.csv?encoding=cp932")
    assert response.status_code == 200
    assert response.headers["X-Replaced-Characters"] == "0"
    text = response.get_data().decode("cp932")
    assert "窓口における職員対応" in text


def test_utf8_csv_starts_with_bom_and_keeps_every_character(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied", "comment": "𠮷😀"}])
    client = app.test_client()
    login(client, app, "analyst")
    for url in ("/staff/surveys/counter/responses.csv", "/staff/downloads/kpis.csv",
                "/staff/surveys/counter/comments.csv", "/open-data/kpis.csv"):
        raw = client.get(url).get_data()
        assert raw.startswith(b"\xef\xbb\xbf"), url
    assert "𠮷😀" in client.get("/staff/surveys/counter/responses.csv").get_data().decode("utf-8-sig")
    disposition = client.get("/staff/downloads/kpis.csv").headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="') and "filename*=UTF-8''KPI" in disposition


def test_encoder_counts_each_character() -> None:
    encoder = Cp932Encoder()
    assert encoder.encode("𠮷a𠮷") == "〓a〓".encode("cp932")
    assert encoder.count == 2 and encoder.summary() == "U+20BB7 ×2"
    assert Cp932Encoder().encode("〜−—") == "～－―".encode("cp932")
