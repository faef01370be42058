"""Survey definition files: built-ins, round trips and validation errors."""

from __future__ import annotations

import copy
import dataclasses
import json
import pathlib
import re
import tomllib
from collections.abc import Callable
from typing import Any

import pytest

from surveyapp.surveys.definitions import (
    DEMOGRAPHICS,
    LANGUAGES,
    TEXT_MAX_LENGTH_DEFAULT,
    DefinitionError,
    SurveyDef,
    builtin_paths,
    content_hash,
    definition_to_dict,
    dump_definition,
    load_definition,
    loads_definition,
    parse_definition,
)

DATA = pathlib.Path(__file__).parent / "data"

MINIMAL = """\
format = 1
key = "mini"
audience = "residents"
title.ja = "テスト調査"

[[questions]]
key = "satisfaction"
type = "single"
required = true
text.ja = "満足していますか。"

[[questions.options]]
code = "satisfied"
score = 2
text.ja = "満足"

[[questions.options]]
code = "dissatisfied"
score = 1
text.ja = "不満"

[[questions.options]]
code = "not_used"
kind = "not_applicable"
text.ja = "利用したことがない"

[[questions]]
key = "used"
type = "multiple"
text.ja = "利用したものをすべて選んでください。"

[[questions.options]]
code = "bus"
text.ja = "バス"

[[questions.options]]
code = "train"
text.ja = "電車"

[[questions]]
key = "comment"
type = "textarea"
text.ja = "ご意見をお書きください。"

[[kpis]]
key = "satisfaction_rate"
title.ja = "満足している市民の割合"
headline.ja = "「満足」"
question = "satisfaction"
success = ["satisfied"]
excluded = ["not_used"]
direction = "up"
baseline_value = 0.5
baseline_fiscal_year = 2025
target_value = 0.6
target_fiscal_year = 2030
"""


def minimal_data() -> dict[str, Any]:
    return tomllib.loads(MINIMAL)


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, source="t.toml")
    return info.value.errors


def assert_error(errors: list[str], path: str, fragment: str) -> None:
    prefix = f"t.toml: {path}: "
    matching = [e for e in errors if e.startswith(prefix)]
    assert matching, f"no error for {path!r} in:\n" + "\n".join(errors)
    assert any(fragment in e for e in matching), "\n".join(matching)


# --------------------------------------------------------------------------- built-ins


def test_builtin_paths_are_the_five_kpi_surveys() -> None:
    names = [p.name for p in builtin_paths()]
    assert names == [
        "counter.toml",
        "digital-divide-course.toml",
        "digital-services.toml",
        "public-transport.toml",
        "staff-generative-ai.toml",
    ]


@pytest.mark.parametrize("path", builtin_paths(), ids=lambda p: p.name)
def test_builtin_definition_loads_and_round_trips(path: pathlib.Path) -> None:
    defn = load_definition(path)
    assert defn.key == path.stem
    assert defn.translation_status["ja"] == "reviewed"
    assert defn.default_language == "ja"

    text = dump_definition(defn)
    again = loads_definition(text, source="dumped.toml")
    assert again == defn
    assert content_hash(again) == content_hash(defn)
    assert dump_definition(again) == text

    # Stored as JSON by the app and parsed back: still the same definition.
    stored = json.loads(json.dumps(definition_to_dict(defn)))
    assert parse_definition(stored) == defn
    assert content_hash(load_definition(path)) == content_hash(defn)


@pytest.mark.parametrize("path", builtin_paths(), ids=lambda p: p.name)
def test_builtin_definition_conventions(path: pathlib.Path) -> None:
    defn = load_definition(path)
    assert defn.public_results is True
    assert len(defn.kpis) == 1
    kpi = defn.kpis[0]
    kpi_question = defn.question(kpi.question)
    for q in defn.questions:
        assert q.required is (q.key == kpi.question), q.key
        assert q.text["ja"]
    # Likert scales: 4 = 満足 … 1 = 不満 on the answer options.
    if {"satisfied", "dissatisfied"} <= {o.code for o in kpi_question.options}:
        scores = [o.score for o in kpi_question.options if o.kind == "answer"]
        assert scores == [4.0, 3.0, 2.0, 1.0]
        assert kpi_question.option("satisfied").text["ja"] == "満足"
        assert kpi_question.option("dissatisfied").text["ja"] == "不満"
    # The same age bands everywhere they are asked.
    for q in defn.questions:
        if q.demographic == "age_band":
            assert [o.code for o in q.options] == [
                "18_29",
                "30_39",
                "40_49",
                "50_59",
                "60_69",
                "70_over",
            ]
            assert q.options[0].text["ja"] == "18〜29歳"
            assert q.options[-1].text["ja"] == "70歳以上"
        if q.type == "textarea":
            assert q.max_length == TEXT_MAX_LENGTH_DEFAULT


PLAN = {
    # survey key: (KPI title, baseline, FY, target, target FY, direction, success, excluded)
    "digital-services": (
        "行政サービスのデジタル化に満足している市民の割合",
        0.284,
        2025,
        None,
        2030,
        "up",
        ("satisfied", "somewhat_satisfied"),
        ("not_used",),
    ),
    "counter": (
        "窓口における職員対応や手続までの待ち時間に満足している市民の割合",
        0.502,
        2025,
        None,
        2030,
        "up",
        ("satisfied", "somewhat_satisfied"),
        (),
    ),
    "digital-divide-course": (
        "デジタルデバイド向け講座の内容に満足した参加者の割合",
        0.792,
        2024,
        0.85,
        2030,
        "up",
        ("satisfied", "somewhat_satisfied"),
        (),
    ),
    "public-transport": (
        "公共交通に対する不満割合",
        0.22,
        2023,
        None,
        2030,
        "down",
        ("somewhat_dissatisfied", "dissatisfied"),
        ("not_used",),
    ),
    "staff-generative-ai": (
        "生成AIを活用している職員の割合",
        0.42,
        2025,
        0.80,
        2030,
        "up",
        ("weekly", "monthly"),
        (),
    ),
}


def test_builtin_kpis_match_the_plan() -> None:
    defs = {d.key: d for d in map(load_definition, builtin_paths())}
    assert set(defs) == set(PLAN)
    for key, (
        title,
        base,
        base_fy,
        target,
        target_fy,
        direction,
        success,
        excluded,
    ) in PLAN.items():
        kpi = defs[key].kpis[0]
        assert kpi.title["ja"] == title
        assert kpi.baseline_value == pytest.approx(base)
        assert kpi.baseline_fiscal_year == base_fy
        assert kpi.target_value == (None if target is None else pytest.approx(target))
        assert kpi.target_fiscal_year == target_fy
        assert kpi.direction == direction
        assert kpi.success == success
        assert kpi.excluded == excluded
        assert kpi.no_answer_in_base is True
        assert defs[key].question(kpi.question).type == "single"
        assert kpi.headline["ja"]
    assert defs["staff-generative-ai"].kpis[0].population == 1350
    assert defs["staff-generative-ai"].audience == "staff"
    assert defs["digital-divide-course"].audience == "course"
    assert defs["counter"].audience == "counter"
    for key in ("digital-services", "public-transport"):
        kinds = {q.demographic for q in defs[key].questions} - {None}
        assert kinds == set(DEMOGRAPHICS)
        assert defs[key].audience == "residents"
        satisfaction = defs[key].question(defs[key].kpis[0].question)
        assert satisfaction.option("not_used").kind == "not_applicable"


# --------------------------------------------------------------------------- model


def test_minimal_definition_defaults() -> None:
    defn = loads_definition(MINIMAL)
    assert defn.default_language == "ja"
    assert defn.public_results is False
    assert defn.description == {}
    assert defn.translation_status == {"ja": "reviewed"}
    comment = defn.question("comment")
    assert comment.max_length == TEXT_MAX_LENGTH_DEFAULT
    assert comment.options == ()
    assert comment.hint == {}
    assert defn.question("satisfaction").max_length is None
    assert defn.kpis[0].no_answer_in_base is True
    assert defn.kpis[0].baseline_n is None
    assert defn.kpis[0].population is None


def test_short_text_default_length() -> None:
    data = minimal_data()
    data["questions"][2]["type"] = "text"
    assert parse_definition(data).question("comment").max_length == 200


def test_each_question_gets_its_own_page_by_default() -> None:
    defn = loads_definition(MINIMAL)
    assert [q.page for q in defn.questions] == [1, 2, 3]
    assert [[q.key for q in page] for page in defn.pages()] == [
        ["satisfaction"],
        ["used"],
        ["comment"],
    ]


def test_explicit_pages_group_questions() -> None:
    data = minimal_data()
    for q, page in zip(data["questions"], [1, 1, 2], strict=True):
        q["page"] = page
    defn = parse_definition(data)
    assert [[q.key for q in page] for page in defn.pages()] == [
        ["satisfaction", "used"],
        ["comment"],
    ]


def test_question_and_option_lookup() -> None:
    defn = loads_definition(MINIMAL)
    assert defn.question("used").type == "multiple"
    assert defn.kpi("satisfaction_rate").question == "satisfaction"
    assert defn.question("satisfaction").option("not_used").kind == "not_applicable"
    with pytest.raises(KeyError):
        defn.question("nope")
    with pytest.raises(KeyError):
        defn.question("satisfaction").option("nope")


def test_definition_to_dict_is_canonical() -> None:
    defn = loads_definition(MINIMAL)
    data = definition_to_dict(defn)
    assert list(data)[:5] == ["format", "key", "default_language", "audience", "public_results"]
    assert data["questions"][0]["page"] == 1
    assert data["questions"][0]["options"][2] == {
        "code": "not_used",
        "kind": "not_applicable",
        "text": {"ja": "利用したことがない"},
    }
    assert "hint" not in data["questions"][0]
    assert "target_value" in data["kpis"][0]
    assert "population" not in data["kpis"][0]


def test_multilingual_texts_round_trip_in_language_order() -> None:
    data = minimal_data()
    data["translation_status"] = {"en": "machine-draft", "ja": "reviewed"}
    data["title"] = {"en": "Test survey", "ja": "テスト調査"}
    data["description"] = {"ja": "一行目\r\n二行目", "en": "Line one\r\nline two"}
    for q in data["questions"]:
        q["text"]["en"] = "Question " + q["key"]
        for o in q.get("options", []):
            o["text"]["en"] = "Option " + o["code"]
    defn = parse_definition(data)
    assert list(defn.title) == ["ja", "en"]
    assert defn.description["ja"] == "一行目\n二行目"
    assert defn.translation_status == {"ja": "reviewed", "en": "machine-draft"}
    assert loads_definition(dump_definition(defn)) == defn


def test_content_hash_is_stable_and_tracks_content() -> None:
    defn = loads_definition(MINIMAL)
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(defn))
    # Writing the implicit page numbers out changes nothing.
    data = minimal_data()
    for q, page in zip(data["questions"], [1, 2, 3], strict=True):
        q["page"] = page
    assert content_hash(parse_definition(data)) == content_hash(defn)
    # Key order in the file does not matter.
    reordered = dict(reversed(list(minimal_data().items())))
    assert content_hash(parse_definition(reordered)) == content_hash(defn)
    # A wording change is a new version.
    data = minimal_data()
    data["questions"][0]["text"]["ja"] = "どの程度満足していますか。"
    assert content_hash(parse_definition(data)) != content_hash(defn)
    changed = dataclasses.replace(defn, public_results=True)
    assert content_hash(changed) != content_hash(defn)


# --------------------------------------------------------------------------- bad files

BAD_FILES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "bad_unknown_key.toml",
        [
            ("titel", '不明なキー "titel" です（"title" の誤りではありませんか？）'),
            ("questions[0].requird", '"required" の誤りではありませんか？'),
            ("questions[0].options[1].lable", '不明なキー "lable"'),
        ],
    ),
    (
        "bad_duplicate_codes.toml",
        [
            (
                "questions[0].options[1].code",
                '回答コード "satisfied" が重複しています（options[0] と同じです）',
            ),
            ("questions[1].key", '設問キー "satisfaction" が重複しています'),
        ],
    ),
    (
        "bad_missing_ja.toml",
        [
            ("questions[0].text.ja", "日本語（ja）の文がありません"),
            ("questions[0].options[1].text.ja", "日本語（ja）の文がありません"),
        ],
    ),
    (
        "bad_kpi_unknown_option.toml",
        [("kpis[0].success[1]", '回答コード "very_satisfied" はありません')],
    ),
    (
        "bad_kpi_overlap.toml",
        [
            ("kpis[0].excluded[0]", "success と excluded の両方にあります"),
            ("kpis[0].success[1]", "成功に数えられません"),
        ],
    ),
    (
        "bad_pages.toml",
        [
            ("questions[1].page", "ページ 3 の前にページ 2 がありません"),
            ("questions[2].page", "ページ 2 がページ 3 の後にあります"),
            ("questions[3].page", "ページ番号がありません"),
        ],
    ),
    (
        "bad_types.toml",
        [
            ("public_results", 'true（はい）か false（いいえ）にしてください（今は文字列 "yes" です）'),
            ("questions[0].required", 'true（はい）か false（いいえ）にしてください（今は文字列 "yes" です）'),
            ("questions[0].page", "整数にしてください"),
            ("questions[0].options[0].score", "数値にしてください"),
            ("kpis[0].success", "回答コードのリストにしてください"),
            ("kpis[0].baseline_value", "28.4 % は 0.284 と書きます"),
            ("kpis[0].baseline_fiscal_year", "令和7年度 = 2025"),
        ],
    ),
]


@pytest.mark.parametrize(("name", "expected"), BAD_FILES, ids=[n for n, _ in BAD_FILES])
def test_bad_file_reports_file_and_key_path(name: str, expected: list[tuple[str, str]]) -> None:
    path = DATA / name
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    errors = info.value.errors
    assert str(info.value) == "\n".join(errors)
    for error in errors:
        assert error.startswith(f"{path}: "), error
        assert "\n" not in error
    for key_path, fragment in expected:
        matching = [e for e in errors if e.startswith(f"{path}: {key_path}: ")]
        assert matching, f"no error for {key_path!r} in:\n" + "\n".join(errors)
        assert any(fragment in e for e in matching), "\n".join(matching)
    # Every problem is reported, not only the first.
    assert len(errors) >= len(expected)


def test_bad_types_file_collects_exactly_its_errors() -> None:
    with pytest.raises(DefinitionError) as info:
        load_definition(DATA / "bad_types.toml")
    assert len(info.value.errors) == 7


def test_toml_syntax_error_names_file_and_line() -> None:
    path = DATA / "bad_syntax.toml"
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    [error] = info.value.errors
    assert error.startswith(f"{path}: 5行目 22文字目: ")
    assert "TOML の書き方の誤り" in error


def test_syntax_error_at_end_of_file() -> None:
    with pytest.raises(DefinitionError) as info:
        loads_definition('format = 1\nkey = "x"\ntitle = ', source="t.toml")
    assert info.value.errors[0].startswith("t.toml: 3行目（ファイルの終わり）: TOML の書き方の誤り")


def test_utf8_bom_and_crlf_are_accepted(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode("utf-8"))
    assert load_definition(path) == loads_definition(MINIMAL)


def test_shift_jis_file_is_refused_with_advice(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "sjis.toml"
    path.write_bytes(MINIMAL.encode("cp932"))
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    [error] = info.value.errors
    assert error.startswith(f"{path}: 4行目: ")
    assert "UTF-8" in error


def test_missing_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(DefinitionError) as info:
        load_definition(path)
    assert info.value.errors[0].startswith(f"{path}: ファイルを読めません")


# --------------------------------------------------------------------------- rules

Mutation = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Mutation:
    """A mutation setting a dotted path such as "questions.0.type"."""

    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        del node[last]

    return mutate


def _add_questions(*questions: dict[str, Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        data["questions"].extend(copy.deepcopy(q) for q in questions)

    return mutate


AGE = {
    "key": "age",
    "type": "single",
    "demographic": "age_band",
    "text": {"ja": "年齢"},
    "options": [{"code": "young", "text": {"ja": "若い"}}, {"code": "old", "text": {"ja": "高齢"}}],
}

RULES: list[tuple[str, Mutation, str, str]] = [
    ("format missing", _delete("format"), "format", "format = 1 と書いて"),
    ("format 2", _set("format", 2), "format", "対応していない形式の版です（今は整数 2 です）"),
    ("survey key", _set("key", "Mini Survey"), "key", "は調査キーに使えません"),
    ("survey key hyphen", _set("key", "-mini"), "key", "は調査キーに使えません"),
    ("audience", _set("audience", "citizens"), "audience", '"citizens" は使えません。residents（市民）'),
    (
        "default language",
        _set("default_language", "en"),
        "default_language",
        "翻訳の状態（translation_status）にありません",
    ),
    ("question key", _set("questions.0.key", "Satisfaction"), "questions[0].key", "は設問キーに使えません"),
    (
        "option code",
        _set("questions.0.options.0.code", "満足"),
        "questions[0].options[0].code",
        "は回答コードに使えません",
    ),
    (
        "question type",
        _set("questions.0.type", "radio"),
        "questions[0].type",
        "single（単一回答）、multiple（複数回答）",
    ),
    (
        "options on text",
        _set("questions.2.options", []),
        "questions[2].options",
        "「選択肢」は single・multiple の設問にだけ書けます",
    ),
    (
        "max_length on choice",
        _set("questions.0.max_length", 10),
        "questions[0].max_length",
        "「最大文字数」は text・textarea の設問にだけ書けます",
    ),
    ("max_length limit", _set("questions.2.max_length", 10001), "questions[2].max_length", "10000"),
    ("max_length zero", _set("questions.2.max_length", 0), "questions[2].max_length", "1〜10000 の整数"),
    ("no options", _delete("questions.1.options"), "questions[1].options", "「選択肢」がありません"),
    (
        "one option",
        _set("questions.1.options", [{"code": "bus", "text": {"ja": "バス"}}]),
        "questions[1].options",
        "2つ以上必要です（今は1つです）",
    ),
    (
        "duplicate option text",
        _set("questions.1.options.1.text", {"ja": "バス"}),
        "questions[1].options[1].text.ja",
        '選択肢の文 "バス" が重複しています',
    ),
    (
        "score on n/a",
        _set("questions.0.options.2.score", 0),
        "questions[0].options[2].score",
        "得点を付けられません",
    ),
    (
        "partial scores",
        _delete("questions.0.options.1.score"),
        "questions[0].options[1].score",
        "すべての回答の選択肢に得点が必要です",
    ),
    (
        "option kind",
        _set("questions.0.options.2.kind", "na"),
        "questions[0].options[2].kind",
        '"na" は使えません',
    ),
    ("empty text", _set("questions.0.text.ja", "  "), "questions[0].text.ja", "空にはできません"),
    (
        "text as string",
        _set("questions.0.text", "満足？"),
        "questions[0].text",
        "questions[0].text.ja",
    ),
    ("unknown language", _set("title.jp", "x"), "title.jp", '"ja" の誤りではありませんか？'),
    ("language case", _set("title.pt-br", "x"), "title.pt-br", '"pt-BR" の誤りではありませんか？'),
    (
        "language not offered",
        _set("title.en", "Test"),
        "translation_status.en",
        '言語 "en" が使われていますが（最初は title.en）',
    ),
    (
        "incomplete translation",
        _set("translation_status", {"ja": "reviewed", "vi": "machine-draft"}),
        "questions[0].options[0].text.vi",
        '"vi" の文がありません',
    ),
    (
        "translation status value",
        _set("translation_status", {"ja": "draft"}),
        "translation_status.ja",
        "reviewed（確認済み）、machine-draft（機械翻訳の下書き）のどれか",
    ),
    ("translation status ja", _set("translation_status", {}), "translation_status.ja", '"ja"（日本語）がありません'),
    ("page zero", _set("questions.0.page", 0), "questions[0].page", "1 以上の整数"),
    (
        "demographic twice",
        _add_questions(AGE, AGE | {"key": "age2"}),
        "questions[4].demographic",
        '属性 "age_band" の設問は1つだけにしてください（すでに questions[3] があります）',
    ),
    (
        "demographic type",
        _set("questions.1.demographic", "area"),
        "questions[1].demographic",
        "「属性」は single の設問にだけ書けます",
    ),
    (
        "demographic kind",
        _set("questions.0.demographic", "income"),
        "questions[0].demographic",
        '"income" は使えません',
    ),
    (
        "kpi unknown question",
        _set("kpis.0.question", "satisfactoin"),
        "kpis[0].question",
        '"satisfaction" の誤りではありませんか？',
    ),
    (
        "kpi multiple",
        _set("kpis.0.question", "used"),
        "kpis[0].question",
        "KPI には single の設問が必要です",
    ),
    ("kpi success empty", _set("kpis.0.success", []), "kpis[0].success", "1つ以上"),
    (
        "kpi success twice",
        _set("kpis.0.success", ["satisfied", "satisfied"]),
        "kpis[0].success[1]",
        "2回書かれています",
    ),
    ("kpi direction", _set("kpis.0.direction", "increase"), "kpis[0].direction", "up（上げる）"),
    (
        "kpi value > 1",
        _set("kpis.0.target_value", 85),
        "kpis[0].target_value",
        "85 % は 0.85 と書きます",
    ),
    (
        "kpi value < 0",
        _set("kpis.0.baseline_value", -0.1),
        "kpis[0].baseline_value",
        "0〜1 の割合にしてください（今は -0.1 です）",
    ),
    ("kpi value bool", _set("kpis.0.baseline_value", True), "kpis[0].baseline_value", "真偽値 true"),
    ("kpi year", _set("kpis.0.target_fiscal_year", 2101), "kpis[0].target_fiscal_year", "2100"),
    (
        "kpi year order",
        _set("kpis.0.baseline_fiscal_year", 2031),
        "kpis[0].target_fiscal_year",
        "目標年度 2030 が基準年度 2031 より前です",
    ),
    (
        "kpi target below",
        _set("kpis.0.target_value", 0.4),
        "kpis[0].target_value",
        "基準値 0.5 より低く",
    ),
    (
        "kpi target above",
        _set("kpis.0.direction", "down"),
        "kpis[0].target_value",
        "基準値 0.5 より高く",
    ),
    ("kpi baseline_n", _set("kpis.0.baseline_n", 0), "kpis[0].baseline_n", "1 以上の整数"),
    ("kpi population", _set("kpis.0.population", 0), "kpis[0].population", "1 以上の整数"),
    (
        "kpi population float",
        _set("kpis.0.population", 1350.5),
        "kpis[0].population",
        "整数にしてください（今は数値 1350.5 です）",
    ),
    (
        "kpi unknown key",
        _set("kpis.0.target", 0.6),
        "kpis[0].target",
        '不明なキー "target" です（"target_value" の誤りではありませんか？）',
    ),
    ("kpi headline", _delete("kpis.0.headline"), "kpis[0].headline", "必須の「数え方」がありません"),
    (
        "kpi date",
        _set("kpis.0.baseline_fiscal_year", tomllib.loads("d = 2025-04-01")["d"]),
        "kpis[0].baseline_fiscal_year",
        "2025-04-01",
    ),
]


@pytest.mark.parametrize(
    ("mutation", "path", "fragment"),
    [(m, p, f) for _, m, p, f in RULES],
    ids=[name for name, _, _, _ in RULES],
)
def test_rule(mutation: Mutation, path: str, fragment: str) -> None:
    data = minimal_data()
    mutation(data)
    errors = errors_of(data)
    assert_error(errors, path, fragment)
    for error in errors:
        assert error.startswith("t.toml: ") and "\n" not in error


def test_maintain_needs_a_target_value() -> None:
    data = minimal_data()
    data["kpis"][0]["direction"] = "maintain"
    del data["kpis"][0]["target_value"]
    assert_error(errors_of(data), "kpis[0].target_value", "maintain の KPI には")


def test_up_without_numeric_target_is_fine() -> None:
    data = minimal_data()
    del data["kpis"][0]["target_value"]
    assert parse_definition(data).kpis[0].target_value is None


def test_population_smaller_than_baseline_n() -> None:
    data = minimal_data()
    data["kpis"][0].update(baseline_n=500, population=400)
    assert_error(errors_of(data), "kpis[0].baseline_n", "母集団の大きさ 400 を超えています")


def test_duplicate_kpi_key() -> None:
    data = minimal_data()
    data["kpis"].append(copy.deepcopy(data["kpis"][0]))
    assert_error(errors_of(data), "kpis[1].key", 'KPI キー "satisfaction_rate" が重複しています')


def test_one_demographic_question_of_each_kind_is_fine() -> None:
    data = minimal_data()
    data["questions"].append(copy.deepcopy(AGE))
    defn = parse_definition(data)
    assert defn.question("age").demographic == "age_band"


def test_languages_constant() -> None:
    assert LANGUAGES[0] == "ja"
    assert len(set(LANGUAGES)) == len(LANGUAGES)


def test_not_a_table() -> None:
    with pytest.raises(DefinitionError) as info:
        parse_definition([], source="t.toml")  # type: ignore[arg-type]
    assert info.value.errors == ["t.toml: 表にしてください（今はリストです）"]


def test_survey_def_is_frozen() -> None:
    defn: SurveyDef = loads_definition(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        defn.key = "other"  # type: ignore[misc]


def test_documented_example_is_valid() -> None:
    doc = pathlib.Path(__file__).parents[2] / "docs" / "survey-format.md"
    example = re.search(r"```toml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert example is not None
    defn = loads_definition(example.group(1), source="survey-format.md")
    assert defn.key == "library-wifi"
    assert defn.kpis[0].excluded == ("not_used",)
    assert loads_definition(dump_definition(defn)) == defn


def test_report_table_is_optional_plain_japanese_and_round_trips() -> None:
    plain = loads_definition(MINIMAL)
    assert plain.report.population == "" and "report" not in definition_to_dict(plain)
    data = minimal_data()
    data["report"] = {"population": "  各務原市に住む\n市民 ", "department": "企画総務部 情報推進課"}
    defn = parse_definition(data)
    assert defn.report.population == "各務原市に住む 市民"
    assert defn.report.department == "企画総務部 情報推進課"
    assert loads_definition(dump_definition(defn)) == defn
    assert content_hash(defn) != content_hash(plain)
    for bad, path in (({"owner": "x"}, "report.owner"), ({"population": 3}, "report.population"),
                      ({"department": "課" * 201}, "report.department")):
        data = minimal_data()
        data["report"] = bad
        with pytest.raises(DefinitionError) as error:
            parse_definition(data)
        assert path in str(error.value), bad
