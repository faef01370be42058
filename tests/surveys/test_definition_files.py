"""Definition files through the commands and the service: Excel out, edited, and back in."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from surveyapp.surveys.definitions import DefinitionError, builtin_paths, load_definition, loads_definition
from surveyapp.surveys.format.json_schema import definition_schema_json
from surveyapp.surveys.format.workbook_read import loads_workbook
from surveyapp.surveys.services import export_survey_workbook, get_survey, load_survey_file


def _retitle(content: bytes, title: str) -> bytes:
    wb = load_workbook(io.BytesIO(content))
    ws = wb["調査"]
    row = next(r for r in range(3, ws.max_row + 1) if ws.cell(row=r, column=2).value == "title")
    ws.cell(row=row, column=4).value = title
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_export_as_excel_edit_and_load_back_as_a_new_version(runner: Any, app: Flask, tmp_path: Path) -> None:
    path = tmp_path / "counter.xlsx"
    result = runner.invoke(args=["surveys", "export", "counter", "--format", "xlsx", "--output", str(path)])
    assert result.exit_code == 0, result.output
    counter = load_definition(next(p for p in builtin_paths() if p.stem == "counter"))
    assert loads_workbook(path.read_bytes()) == counter

    same = runner.invoke(args=["surveys", "load", str(path)])
    assert same.exit_code == 0 and "counter: unchanged (version 1)" in same.output
    path.write_bytes(_retitle(path.read_bytes(), "市役所窓口に関するアンケート（令和8年度）"))
    changed = runner.invoke(args=["surveys", "load", str(path)])
    assert changed.exit_code == 0, changed.output
    assert "counter: new version (version 2)" in changed.output
    first = runner.invoke(args=["surveys", "export", "counter", "--version", "1"])
    assert loads_definition(first.output) == counter
    current = runner.invoke(args=["surveys", "export", "counter"])
    assert loads_definition(current.output).title["ja"] == "市役所窓口に関するアンケート（令和8年度）"
    missing = runner.invoke(args=["surveys", "export", "counter", "--version", "9"])
    assert missing.exit_code != 0 and "第9版はありません" in missing.output


def test_broken_workbook_is_reported_by_sheet_row_and_column_and_nothing_is_saved(
    runner: Any, app: Flask, tmp_path: Path
) -> None:
    with app.app_context():
        content = export_survey_workbook("counter")
    wb = load_workbook(io.BytesIO(content))
    kpi = wb["KPI"]
    keys = [c.value for c in kpi[2]]
    kpi.cell(row=3, column=keys.index("baseline_value") + 1).value = 50.2
    path = tmp_path / "counter.xlsx"
    wb.save(path)
    result = runner.invoke(args=["surveys", "load", str(path)])
    assert result.exit_code == 1
    assert (f"{path}: 「KPI」シート 3行目 G列「基準値」: kpis[0].baseline_value: "
            "百分率ではなく 0〜1 の割合で書いてください（50.2 % は 0.502 と書きます）") in result.output
    with app.app_context():
        assert [v.number for v in get_survey("counter").versions] == [1]
        with pytest.raises(DefinitionError):
            load_survey_file("counter.xlsx", path.read_bytes())
        assert [v.number for v in get_survey("counter").versions] == [1]


def test_service_loads_an_uploaded_workbook_or_toml(app: Flask) -> None:
    path = next(p for p in builtin_paths() if p.stem == "public-transport")
    with app.app_context():
        edited = _retitle(export_survey_workbook("public-transport"), "公共交通に関する市民アンケート（改訂）")
        result = load_survey_file("公共交通.xlsx", edited, user_id=None)
        assert result.created_version and result.version.number == 2
        again = load_survey_file("public-transport.toml", path.read_bytes())
        assert again.created_version and again.version.number == 3  # back to the original wording


def test_excel_is_not_written_to_a_terminal_but_to_a_pipe(runner: Any) -> None:
    result = runner.invoke(args=["surveys", "export", "counter", "--format", "xlsx"])
    assert result.exit_code == 0
    assert result.stdout_bytes[:2] == b"PK"  # a ZIP container: the workbook itself


def test_schema_and_workbooks_commands(runner: Any, tmp_path: Path) -> None:
    schema = runner.invoke(args=["surveys", "schema"])
    assert schema.exit_code == 0 and schema.output == definition_schema_json()
    result = runner.invoke(args=["surveys", "workbooks", str(tmp_path / "books")])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "books").iterdir())
    assert names == sorted(["template.xlsx", *(f"{p.stem}.xlsx" for p in builtin_paths())])
