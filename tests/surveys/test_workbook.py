"""Definitions as Excel workbooks: round trips, the layout staff edit, and the same messages
from the TOML and the Excel front door."""

from __future__ import annotations

import dataclasses
import io
import pathlib
import tomllib

import jsonschema
import pytest
from openpyxl import load_workbook

from surveyapp.surveys.definitions import (
    DefinitionError,
    SurveyDef,
    builtin_paths,
    content_hash,
    dump_definition,
    load_definition,
    loads_definition,
)
from surveyapp.surveys.format.files import read_definition, read_definition_file
from surveyapp.surveys.format.json_schema import definition_schema, definition_schema_json
from surveyapp.surveys.format.workbook_read import loads_workbook
from surveyapp.surveys.format.workbook_write import definition_workbook

DATA = pathlib.Path(__file__).parent / "data"
CORPUS = DATA / "corpus"
ROOT = pathlib.Path(__file__).parents[2]
EXAMPLES = ROOT / "docs" / "examples" / "surveys"
TWINS = sorted(p.stem for p in CORPUS.glob("*.toml") if p.stem != "base")


def problems_of(path: pathlib.Path) -> list[tuple[str, str]]:
    with pytest.raises(DefinitionError) as info:
        read_definition_file(path)
    return [(".".join(map(str, p.path)), p.message) for p in info.value.problems]


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", builtin_paths(), ids=lambda p: p.name)
def test_builtin_survey_to_excel_and_toml_is_identical(path: pathlib.Path) -> None:
    defn = load_definition(path)
    from_excel = loads_workbook(definition_workbook(defn), f"{path.stem}.xlsx")
    assert from_excel == defn
    assert content_hash(from_excel) == content_hash(defn)
    from_toml = loads_definition(dump_definition(from_excel), "again.toml")
    assert from_toml == defn
    assert definition_workbook(from_toml) == definition_workbook(defn)  # reproducible bytes


def test_workbook_saved_by_another_spreadsheet_program_reads_back() -> None:
    # digital-services.xlsx as written by the app, opened and saved again by LibreOffice Calc.
    defn = read_definition_file(DATA / "digital-services-libreoffice.xlsx")
    assert defn == load_definition(ROOT / "surveyapp/surveys/builtin/digital-services.toml")


def test_the_same_upload_is_accepted_as_toml_or_excel() -> None:
    path = builtin_paths()[0]
    defn = load_definition(path)
    assert read_definition("counter.toml", path.read_bytes()) == defn
    assert read_definition("COUNTER.XLSX", definition_workbook(defn)) == defn
    with pytest.raises(DefinitionError) as info:
        read_definition("counter.csv", b"a,b")
    assert info.value.errors == ["counter.csv: 読めるのは TOML（.toml）と Excel ブック（.xlsx）の定義ファイルです"]


def test_texts_that_look_like_formulas_stay_text_and_come_back_unchanged() -> None:
    defn = load_definition(CORPUS / "base.toml")
    tricky = ["=HYPERLINK(\"http://example.com\")", "-1点", "＋α", " @mention", "'quoted", "''two"]
    question = defn.questions[2]
    changed = dataclasses.replace(defn, questions=(
        *defn.questions[:2],
        dataclasses.replace(question, hint={"ja": "\n".join(tricky), "en": tricky[0]},
                            text={"ja": tricky[1], "en": tricky[4]}),
    ))
    content = definition_workbook(changed)
    ws = load_workbook(io.BytesIO(content))["設問"]
    cells = {ws.cell(row=2, column=c).value: ws.cell(row=5, column=c) for c in range(1, ws.max_column + 1)}
    assert cells["text.ja"].value == "'-1点" and cells["text.ja"].data_type == "s"
    assert cells["text.en"].value == "''quoted"
    assert cells["hint.en"].value.startswith("'=HYPERLINK")
    assert loads_workbook(content) == changed


# --------------------------------------------------------------------------- the workbook staff edit


def test_workbook_layout_for_japanese_excel() -> None:
    wb = load_workbook(io.BytesIO(definition_workbook(load_definition(builtin_paths()[0]))))
    assert wb.sheetnames == ["説明", "調査", "設問", "選択肢", "KPI"]
    questions = wb["設問"]
    headers = [c.value for c in questions[1]]
    keys = [c.value for c in questions[2]]
    assert headers[:4] == ["設問キー", "種類", "ページ", "必須"]
    assert keys[:4] == ["key", "type", "page", "required"]
    assert "設問文（やさしい日本語）" in headers and "text.ja-easy" in keys
    assert questions["B1"].comment is not None and "single（単一回答）" in questions["B1"].comment.text
    assert questions.freeze_panes == "B3"
    assert [r[1].value for r in questions.iter_rows(min_row=3, max_col=2)][0] == "単一回答"
    lists = {str(dv.sqref): dv.formula1 for ws in wb for dv in ws.data_validations.dataValidation}
    assert lists["B3:B1000"] == '"単一回答,複数回答,短い記述,長い記述"'
    assert lists["D3:D1000"] == '"はい,いいえ"'
    assert '"上げる,下げる,維持"' in lists.values()
    kpi = wb["KPI"]
    kpi_keys = [c.value for c in kpi[2]]
    baseline = kpi.cell(row=3, column=kpi_keys.index("baseline_value") + 1)
    assert baseline.value == pytest.approx(0.502) and baseline.number_format.endswith("%")
    assert kpi.cell(row=3, column=kpi_keys.index("success") + 1).value == "satisfied, somewhat_satisfied"


def test_a_workbook_edited_as_staff_would_becomes_the_expected_definition() -> None:
    defn = load_definition(CORPUS / "base.toml")
    wb = load_workbook(io.BytesIO(definition_workbook(defn)))
    questions, options, kpis = wb["設問"], wb["選択肢"], wb["KPI"]
    # A new question at the end: no page number, type and required typed as codes / TRUE.
    questions.append(["visits", "single", None, True, None, None, "来庁回数", None, None, "Visits"])
    options.append(["visits", "once", None, None, "1回", None, None, "Once"])
    options.append(["visits", "more", None, None, "2回以上", None, None, "More"])
    # Column moved is fine; a column with an empty key row is a memo and is not read.
    questions.insert_cols(1)
    questions["A1"] = "メモ"
    questions["A3"] = "この設問は KPI です"
    # Japanese Excel input: a percentage, full-width digits as text.
    keys = [c.value for c in kpis[2]]
    kpis.cell(row=3, column=keys.index("baseline_value") + 1).value = "52%"
    kpis.cell(row=3, column=keys.index("target_fiscal_year") + 1).value = "２０３１"
    out = io.BytesIO()
    wb.save(out)
    edited = loads_workbook(out.getvalue(), "edited.xlsx")
    assert [q.key for q in edited.questions] == ["satisfaction", "used", "comment", "visits"]
    assert [q.page for q in edited.questions] == [1, 2, 3, 4]
    visits = edited.question("visits")
    assert visits.required is True and visits.type == "single"
    assert [(o.code, o.text["en"]) for o in visits.options] == [("once", "Once"), ("more", "More")]
    assert edited.kpis[0].baseline_value == pytest.approx(0.52)
    assert edited.kpis[0].target_fiscal_year == 2031


def test_files_that_are_no_workbook_get_a_message(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DefinitionError) as info:
        read_definition("broken.xlsx", b"not a zip file at all")
    assert info.value.errors[0].startswith("broken.xlsx: Excel ブック（.xlsx）として読めません")
    with pytest.raises(DefinitionError) as info:
        read_definition("old.xlsx", b"\xd0\xcf\x11\xe0" + bytes(100))
    assert "古い Excel 形式（.xls）" in info.value.errors[0]
    wb = load_workbook(io.BytesIO(definition_workbook(None)))
    del wb["選択肢"]
    path = tmp_path / "no-options.xlsx"
    wb.save(path)
    assert [str(p) for p in pytest.raises(DefinitionError, read_definition_file, path).value.problems] == [
        f"{path}: シート「選択肢」がありません。ひな形のシート名を変えずに使ってください"]


def test_blank_template_names_what_to_fill_in() -> None:
    with pytest.raises(DefinitionError) as info:
        loads_workbook(definition_workbook(None), "template.xlsx")
    assert info.value.errors == [
        "template.xlsx: 「調査」シート 4行目 C列「値」: key: 必須の「調査キー」がありません",
        "template.xlsx: 「調査」シート 6行目 C列「値」: audience: 必須の「回答者」がありません",
        "template.xlsx: 「調査」シート 8行目 D列「日本語」: title: "
        "必須の「調査名」がありません（title.ja に日本語で書いてください）",
        "template.xlsx: 「設問」シート: questions: 「設問」が1つもありません（1つ以上必要です）",
    ]


# --------------------------------------------------------------------------- broken files


@pytest.mark.parametrize("name", TWINS)
def test_broken_toml_and_excel_give_the_same_messages(name: str) -> None:
    from_toml = problems_of(CORPUS / f"{name}.toml")
    from_excel = problems_of(CORPUS / f"{name}.xlsx")
    assert from_toml and from_excel == from_toml


def test_excel_messages_name_sheet_row_and_column() -> None:
    with pytest.raises(DefinitionError) as info:
        read_definition_file(CORPUS / "values.xlsx")
    source = CORPUS / "values.xlsx"
    assert f"{source}: 「KPI」シート 3行目 G列「基準値」: kpis[0].baseline_value: " \
           "百分率ではなく 0〜1 の割合で書いてください（28.4 % は 0.284 と書きます）" in info.value.errors
    assert f"{source}: 「設問」シート 4行目 D列「必須」: questions[1].required: " \
           'true（はい）か false（いいえ）にしてください（今は文字列 "yes" です）' in info.value.errors
    toml = CORPUS / "values.toml"
    with pytest.raises(DefinitionError) as info:
        read_definition_file(toml)
    assert f"{toml}: kpis[0].baseline_value: 百分率ではなく 0〜1 の割合で書いてください（28.4 % は 0.284 と書きます）" \
        in info.value.errors


def test_formulas_and_orphan_options_are_refused_in_a_workbook() -> None:
    source = CORPUS / "excel_only.xlsx"
    with pytest.raises(DefinitionError) as info:
        read_definition_file(source)
    assert info.value.errors == [
        f"{source}: 「設問」シート 5行目 G列「設問文（日本語）」: 数式は使えません。値を直接入力してください"
        "（「=」で始まる文は、先頭に「'」を付けて入力します）",
        f"{source}: 「選択肢」シート 7行目 A列「設問キー」: 設問キー \"usde\" の設問が「設問」シートにありません",
        f"{source}: 「設問」シート 4行目: questions[1].options: "
        "multiple の設問には「選択肢」が2つ以上必要です（今は1つです）",
    ]


def test_stored_data_gives_the_same_messages_as_the_file() -> None:
    from surveyapp.surveys.definitions import parse_definition

    data = tomllib.loads((CORPUS / "options.toml").read_text("utf-8"))
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, "draft")
    assert [(".".join(map(str, p.path)), p.message) for p in info.value.problems] == problems_of(
        CORPUS / "options.toml")


# --------------------------------------------------------------------------- published files


def test_committed_json_schema_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "survey-schema.json").read_text("utf-8")
    assert committed == definition_schema_json(), "run: flask surveys schema -o docs/survey-schema.json"


def test_json_schema_accepts_the_builtin_surveys_and_refuses_broken_files() -> None:
    schema = definition_schema()
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema)
    for path in builtin_paths():
        assert not list(validator.iter_errors(tomllib.loads(path.read_text("utf-8")))), path.name
    broken = tomllib.loads((DATA / "bad_types.toml").read_text("utf-8"))
    flagged = {".".join(map(str, e.absolute_path)) for e in validator.iter_errors(broken)}
    with pytest.raises(DefinitionError) as info:
        load_definition(DATA / "bad_types.toml")
    assert flagged == {".".join(map(str, p.path)) for p in info.value.problems}
    unknown = tomllib.loads((DATA / "bad_unknown_key.toml").read_text("utf-8"))
    assert any("titel" in e.message for e in validator.iter_errors(unknown))


@pytest.mark.parametrize("name", ["template", *(p.stem for p in builtin_paths())])
def test_example_workbooks_are_up_to_date(name: str) -> None:
    committed = (EXAMPLES / f"{name}.xlsx").read_bytes()
    defn: SurveyDef | None = None if name == "template" else load_definition(
        ROOT / "surveyapp/surveys/builtin" / f"{name}.toml")
    assert committed == definition_workbook(defn), "run: flask surveys workbooks docs/examples/surveys"

