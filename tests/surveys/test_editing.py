"""Draft edits as operations on plain definition data: pages, moves, renames, languages."""

from __future__ import annotations

import copy
from typing import Any

from surveyapp.surveys import editing
from surveyapp.surveys.definitions import builtin_paths, definition_to_dict, load_definition
from surveyapp.surveys.format.parse import validate


def _survey(*keys: str) -> dict[str, Any]:
    data = editing.blank_definition("library-users", "図書館利用者アンケート")
    data["questions"] = []
    for key in keys:
        index = editing.add_question(data)
        question = data["questions"][index]
        question["key"] = key
        question["text"] = {"ja": f"{key} の設問"}
        for n, option in enumerate(question["options"], 1):
            option["text"] = {"ja": f"{key} の選択肢{n}"}
    return data


def test_a_blank_survey_names_what_is_missing_and_nothing_else() -> None:
    data = editing.blank_definition("library-users", "図書館利用者アンケート")
    _defn, problems = validate(data)
    assert {tuple(p.path) for p in problems} == {
        ("questions", 0, "text"), ("questions", 0, "options", 0, "text"), ("questions", 0, "options", 1, "text")}


def test_new_questions_and_options_get_free_keys_and_codes() -> None:
    data = _survey("q1", "q3")
    index = editing.add_question(data)
    assert data["questions"][index]["key"] == "q2"
    question = data["questions"][0]
    question["options"][0]["code"] = "2"
    assert question["options"][editing.add_option(question)]["code"] == "1"
    assert editing.new_option_code(question) == "3"


def test_moving_questions_keeps_who_shares_a_page_valid() -> None:
    data = _survey("a", "b", "c")
    editing.replace_question(data, 2, copy.deepcopy(data["questions"][2]), same_page=True)
    assert [q.get("page") for q in data["questions"]] == [1, 2, 2]
    assert editing.page_numbers(data["questions"]) == [1, 2, 2]
    assert editing.move_question(data, 2, -1) == 1
    assert [q["key"] for q in data["questions"]] == ["a", "c", "b"]
    assert [q["page"] for q in data["questions"]] == [1, 1, 2]
    assert editing.move_question(data, 1, -1) == 0  # the first question never shares a page before it
    assert [q["key"] for q in data["questions"]] == ["c", "a", "b"]
    assert [q.get("page") for q in data["questions"]] == [None, None, None]
    assert editing.move_question(data, 0, -1) == 0
    defn, problems = validate(data)
    assert not problems and defn is not None and [len(p) for p in defn.pages()] == [1, 1, 1]


def test_removing_a_question_renumbers_the_pages() -> None:
    data = _survey("a", "b", "c")
    editing.replace_question(data, 1, copy.deepcopy(data["questions"][1]), same_page=True)
    editing.remove_question(data, 0)
    assert [q["key"] for q in data["questions"]] == ["b", "c"]
    _defn, problems = validate(data)
    assert problems == []


def test_a_renamed_question_key_and_option_code_are_followed_by_the_kpi() -> None:
    data = definition_to_dict(load_definition(next(p for p in builtin_paths() if p.stem == "counter")))
    kpi = data["kpis"][0]
    index = next(i for i, q in enumerate(data["questions"]) if q["key"] == kpi["question"])
    edited = copy.deepcopy(data["questions"][index])
    edited["key"] = "counter_overall"
    edited["options"][0]["code"] = "very_satisfied"
    editing.replace_question(data, index, edited, same_page=False)
    assert data["kpis"][0]["question"] == "counter_overall"
    assert "very_satisfied" in data["kpis"][0]["success"] and "satisfied" not in data["kpis"][0]["success"]
    _defn, problems = validate(data)
    assert problems == []


def test_changing_a_question_to_free_text_drops_its_options_and_back_gives_two_empty_ones() -> None:
    data = _survey("a")
    question = copy.deepcopy(data["questions"][0])
    question["type"] = "textarea"
    editing.replace_question(data, 0, question, same_page=False)
    assert "options" not in data["questions"][0]
    question = copy.deepcopy(data["questions"][0])
    question["type"] = "multiple"
    editing.replace_question(data, 0, question, same_page=False)
    assert [o["code"] for o in data["questions"][0]["options"]] == ["1", "2"]


def test_no_longer_offering_a_language_removes_its_respondent_texts() -> None:
    data = definition_to_dict(load_definition(next(p for p in builtin_paths() if p.stem == "counter")))
    removed = editing.set_translation_status(data, {"ja": "reviewed", "en": "machine-draft"})
    assert set(removed) == {"ja-easy", "pt-BR", "vi"}
    assert set(data["title"]) == {"ja", "en"}
    assert all(set(o["text"]) == {"ja", "en"} for q in data["questions"] for o in q.get("options", []))
    _defn, problems = validate(data)
    assert problems == []


def test_offering_a_new_language_asks_for_every_text_in_it() -> None:
    data = _survey("a")
    editing.set_translation_status(data, {"ja": "reviewed", "en": "machine-draft"})
    _defn, problems = validate(data)
    assert {p.path for p in problems} == {("title", "en"), ("questions", 0, "text", "en"),
                                          ("questions", 0, "options", 0, "text", "en"),
                                          ("questions", 0, "options", 1, "text", "en")}


def test_a_new_kpi_points_at_the_first_single_question() -> None:
    data = _survey("a", "b")
    data["questions"][0]["type"] = "multiple"
    index = editing.add_kpi(data, 2026)
    assert data["kpis"][index]["question"] == "b"
    assert editing.add_kpi(data, 2026) == 1 and data["kpis"][1]["key"] == "kpi2"
