"""What an analyst with Japanese Excel sees: Japanese headings and labels beside the codes, the
response language, exact numbers shown through number formats, frozen headings and filters."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime
from typing import Any

import openpyxl
from flask import Flask
from flask.testing import FlaskClient

from surveyapp.respond.services import submit_response
from surveyapp.surveys.services import get_survey, version_definition
from surveyapp.timeutil import from_japan
from tests.conftest import login
from tests.results.factories import add_responses, digital_services_sample

RESPONSES = "/staff/surveys/digital-services/responses"
KPI_PAGE = "/staff/kpis/digital-services/digital_satisfaction_rate"
XLSX_DOWNLOADS = ("/staff/downloads/kpis.xlsx", f"{RESPONSES}.xlsx", f"{KPI_PAGE}/breakdowns.xlsx",
                  "/staff/surveys/digital-services/comments.xlsx")


def _submit(app: Flask, answers: dict[str, Any], language: str | None) -> None:
    with app.app_context():
        survey = get_survey("digital-services")
        version = survey.current_version
        assert version is not None
        submit_response(defn=version_definition(version), version=version, link=survey.links[0],
                        channel="web", client_uuid=uuid.uuid4(), answers=answers,
                        now=from_japan(datetime(2026, 6, 2, 9, 0)), language=language)


def _analyst(app: Flask) -> FlaskClient:
    add_responses(app, "digital-services", digital_services_sample(70, 110, not_used=10, comment="便利です"))
    _submit(app, {"digital_satisfaction": "somewhat_satisfied", "services_used": ["website", "line"],
                  "age_band": "70_over", "gender": "female"}, "pt-BR")
    client = app.test_client()
    login(client, app, "analyst")
    return client


def _csv(client: FlaskClient, url: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(client.get(url).get_data().decode("utf-8-sig"))))


def _book(client: FlaskClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def test_raw_csv_keeps_codes_and_adds_japanese_labels_and_the_response_language(app: Flask) -> None:
    client = _analyst(app)
    rows = _csv(client, f"{RESPONSES}.csv")
    header = list(rows[0])
    # Each coded column is followed by its label; the codes stay as they were.
    for code in ("channel", "response_language", "digital_satisfaction", "age_band", "gender"):
        assert header[header.index(code) + 1] == f"{code}_label"
    # Rows come by (random) response number: find the one answered in Portuguese.
    answered_in_pt = [r for r in rows if r["response_language"] == "pt-BR"]
    assert len(answered_in_pt) == 1
    last = answered_in_pt[0]
    assert last["digital_satisfaction"] == "somewhat_satisfied" and last["digital_satisfaction_label"] == "やや満足"
    assert last["age_band"] == "70_over" and last["age_band_label"] == "70歳以上"
    assert last["response_language"] == "pt-BR" and last["response_language_label"] == "ポルトガル語（ブラジル）"
    assert last["channel"] == "web" and last["channel_label"] == "ウェブ（公開リンク）"
    assert last["services_used/website"] == "1" and last["services_used/none"] == "0"
    assert last["area"] == "" and last["area_label"] == "無回答"
    assert last["fiscal_year"] == "2026" and last["fiscal_year_wareki"] == "令和8年度"
    assert last["submitted_date_jst"] == "2026-06-02"
    # Responses stored through the factory did not say their language: shown as unknown.
    others = [r for r in rows if r is not last]
    assert others and all(r["response_language"] == "" and r["response_language_label"] == "不明"
                          for r in others)


def test_raw_xlsx_has_japanese_headings_a_codebook_and_real_dates(app: Flask) -> None:
    client = _analyst(app)
    book = _book(client, f"{RESPONSES}.xlsx")
    assert book.sheetnames == ["回答", "コードブック"]
    sheet = book["回答"]
    header = [c.value for c in sheet[1]]
    assert header[:10] == ["回答番号", "回答日", "年度（和暦）", "年度（西暦）", "経路コード", "経路", "リンク", "版",
                           "回答言語コード", "回答言語"]
    assert "問1（コード）" in header
    label_heading = next(h for h in header if h.startswith("問1 ") and "満足していますか" in h)
    assert "問2：市ホームページ" in header
    rows_by_language = [{h: c for h, c in zip(header, row, strict=True)} for row in sheet.iter_rows(min_row=2)]
    last = next(r for r in rows_by_language if r["回答言語コード"].value == "pt-BR")
    assert last["問1（コード）"].value == "somewhat_satisfied" and last[label_heading].value == "やや満足"
    assert last["回答言語"].value == "ポルトガル語（ブラジル）"
    assert last["回答日"].value.date() == date(2026, 6, 2) and last["回答日"].number_format == "yyyy/mm/dd"
    assert last["問2：市ホームページ"].value == 1
    codebook = book["コードブック"]
    head = [c.value for c in codebook[1]]
    assert head == ["列（CSV）", "設問", "種類", "値", "ラベル（意味）", "区分", "列（Excel）"]
    entries = [dict(zip(head, row, strict=True)) for row in codebook.iter_rows(min_row=2, values_only=True)]
    not_used = next(e for e in entries if e["値"] == "not_used")
    assert not_used["列（CSV）"] == "digital_satisfaction" and not_used["ラベル（意味）"] == "利用したことがない"
    assert any(e["列（CSV）"] == "response_language" and e["値"] == "vi" and e["ラベル（意味）"] == "ベトナム語"
               for e in entries)
    assert any(e["列（CSV）"] == "digital_satisfaction_label" and e["列（Excel）"] == label_heading for e in entries)
    # The codebook CSV is the same table with the CSV names.
    rows = _csv(client, "/staff/surveys/digital-services/codebook.csv")
    assert list(rows[0]) == ["column", "question", "type", "value", "label", "kind", "excel_header"]
    assert any(r["column"] == "age_band" and r["value"] == "70_over" and r["label"] == "70歳以上" for r in rows)


def test_breakdown_and_option_sheets_have_japanese_headings(app: Flask) -> None:
    client = _analyst(app)
    breakdown = _book(client, f"{KPI_PAGE}/breakdowns.xlsx")
    assert breakdown.sheetnames == ["内訳", "方法", "列の定義"]
    header = [c.value for c in breakdown["内訳"][1]]
    assert header[:8] == ["アンケート", "KPIキー", "年度（和暦）", "西暦年度", "内訳のキー", "内訳", "区分コード",
                          "区分"]
    assert {"n（母数）", "該当数", "割合", "信頼区間（下限）", "信頼区間（上限）", "非表示の理由"} <= set(header)
    definitions = [row for row in breakdown["列の定義"].iter_rows(min_row=2, values_only=True)]
    assert definitions[10][:3] == ("内訳", "estimate", "割合")
    kpis = _book(client, "/staff/downloads/kpis.xlsx")
    options = [c.value for c in kpis["選択肢別"][1]]
    assert options == ["アンケート", "KPIキー", "年度（和暦）", "西暦年度", "選択肢コード", "選択肢", "母数に含む",
                       "該当", "回答数", "件数の非表示", "非表示の理由"]
    # CSV keeps the stable names.
    assert list(_csv(client, f"{KPI_PAGE}/breakdowns.csv")[0])[:4] == ["survey", "kpi", "fiscal_year_wareki",
                                                                       "fiscal_year"]


def test_numbers_stay_exact_and_every_fraction_has_a_format(app: Flask) -> None:
    client = _analyst(app)
    sheet = _book(client, "/staff/downloads/kpis.xlsx")["KPI"]
    header = [c.value for c in sheet[1]]
    rows = [{h: c for h, c in zip(header, cells, strict=True)} for cells in sheet.iter_rows(min_row=2)]
    row = next(r for r in rows if r["KPIキー"].value == "digital_satisfaction_rate" and r["重み付け"].value == 0)
    # The cell keeps the unrounded value (openpyxl writes 16 significant digits, Excel keeps 15)
    # and Excel shows it rounded through the number format.
    estimate, baseline, change = row["割合"].value, row["基準値"].value, row["基準値からの変化"].value
    assert abs(change - (estimate - baseline)) < 1e-15 and change != round(change, 4)
    assert row["基準値からの変化"].number_format == "+0.0%;-0.0%;0.0%"
    assert row["割合"].number_format == "0.0%" and row["信頼水準"].number_format == "0%"
    assert row["回答数"].number_format == "#,##0" and row["西暦年度"].value == 2026
    for url in XLSX_DOWNLOADS:  # no fraction is left to Excel's General format (it would show the noise)
        for ws in _book(client, url).worksheets:
            for cells in ws.iter_rows(min_row=2):
                for cell in cells:
                    if isinstance(cell.value, float):
                        assert cell.number_format != "General", (url, ws.title, cell.coordinate)


def test_every_table_sheet_has_a_frozen_heading_and_a_filter(app: Flask) -> None:
    client = _analyst(app)
    for url in XLSX_DOWNLOADS:
        for ws in _book(client, url).worksheets:
            if ws.title == "方法":  # sentences, not a table
                assert ws.freeze_panes is None and not ws.auto_filter.ref
                continue
            assert ws.freeze_panes is not None and ws.freeze_panes.endswith("2"), (url, ws.title)
            last_column = openpyxl.utils.get_column_letter(ws.max_column)
            assert ws.auto_filter.ref == f"A1:{last_column}{ws.max_row}", (url, ws.title)
    assert _book(client, f"{RESPONSES}.xlsx")["回答"].freeze_panes == "B2"  # the response number stays in view
