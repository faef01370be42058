"""Differences between two definitions, and which of them break a KPI's comparability."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from surveyapp.surveys.definitions import builtin_paths, definition_to_dict, load_definition, parse_definition
from surveyapp.surveys.diff import Change, DefinitionDiff, diff_definitions, moved

DIGITAL = next(p for p in builtin_paths() if p.stem == "digital-services")
KPI_QUESTION = 0  # digital_satisfaction, counted by digital_satisfaction_rate


def _changed(edit: Callable[[dict[str, Any]], None]) -> DefinitionDiff:
    old = load_definition(DIGITAL)
    data = copy.deepcopy(definition_to_dict(old))
    edit(data)
    return diff_definitions(old, parse_definition(data))


def _kinds(diff: DefinitionDiff) -> list[str]:
    return [c.kind for c in diff.changes]


def _reasons(diff: DefinitionDiff) -> list[tuple[str, str | None]]:
    return [(r.code, r.language) for w in diff.comparability for r in w.reasons]


def test_the_same_definition_has_no_differences() -> None:
    diff = _changed(lambda data: None)
    assert diff.empty and diff.comparability == ()


def test_rewording_an_option_of_the_kpi_question_breaks_comparability() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["questions"][KPI_QUESTION]["options"][0]["text"]["ja"] = "とても満足"

    diff = _changed(edit)
    assert diff.changes == (Change("option_text", question="digital_satisfaction", option="satisfied",
                                   field="text", language="ja", old="満足", new="とても満足"),)
    warning, = diff.comparability
    assert warning.kpi == "digital_satisfaction_rate"
    reason, = warning.reasons
    assert (reason.code, reason.language, reason.option, reason.label) == (
        "option_text", "ja", "satisfied", "とても満足")


def test_rewording_another_question_in_english_is_listed_without_a_warning() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["questions"][1]["text"]["en"] = "Which online services have you used?"

    diff = _changed(edit)
    assert _kinds(diff) == ["question_text"]
    assert diff.changes[0].language == "en" and diff.changes[0].question == data_key(1)
    assert diff.comparability == ()


def data_key(index: int) -> str:
    return load_definition(DIGITAL).questions[index].key


def test_kpi_question_text_hint_success_and_base_are_each_a_reason() -> None:
    def edit(data: dict[str, Any]) -> None:
        question = data["questions"][KPI_QUESTION]
        question["text"]["ja"] += "（この1年）"
        question["hint"]["en"] = "Pick one."
        kpi = data["kpis"][0]
        kpi["success"] = ["satisfied"]
        kpi["no_answer_in_base"] = False

    assert _reasons(_changed(edit)) == [("question_text", "ja"), ("question_hint", "en"), ("success", None),
                                        ("base", None)]


def test_adding_an_option_to_the_kpi_question_changes_the_scale() -> None:
    def edit(data: dict[str, Any]) -> None:
        options = data["questions"][KPI_QUESTION]["options"]
        options.insert(2, {"code": "neutral", "score": 2.5, "text": {lang: "どちらともいえない" for lang in
                                                                      options[0]["text"]}})

    diff = _changed(edit)
    assert "option_added" in _kinds(diff)
    assert ("options", None) in _reasons(diff)


def test_baseline_and_target_changes_are_declaration_changes_not_breaks() -> None:
    def edit(data: dict[str, Any]) -> None:
        data["kpis"][0]["baseline_value"] = 0.3
        data["kpis"][0]["target_value"] = 0.5

    diff = _changed(edit)
    assert [(c.field, c.old, c.new) for c in diff.changes] == [
        ("baseline_value", "28.4%", "30%"), ("target_value", "（なし）", "50%")]
    assert diff.comparability == ()


def test_a_new_kpi_and_a_new_language_are_listed() -> None:
    def edit(data: dict[str, Any]) -> None:
        kpi = copy.deepcopy(data["kpis"][0])
        kpi["key"] = "very_satisfied_rate"
        kpi["success"] = ["satisfied"]
        data["kpis"].append(kpi)
        data["translation_status"]["vi"] = "reviewed"

    diff = _changed(edit)
    assert ("language_status", "vi") in [(c.kind, c.language) for c in diff.changes]
    assert ("kpi_added", "very_satisfied_rate") in [(c.kind, c.kpi) for c in diff.changes]
    assert diff.comparability == ()


def test_moving_one_question_reports_only_that_question() -> None:
    def edit(data: dict[str, Any]) -> None:
        questions = data["questions"]
        questions.append(questions.pop(1))
        for number, question in enumerate(questions, 1):
            question["page"] = number

    diff = _changed(edit)
    moves = [c for c in diff.changes if c.kind == "question_moved"]
    last = str(len(load_definition(DIGITAL).questions))
    assert [(c.question, c.old, c.new) for c in moves] == [(data_key(1), "2", last)]


@pytest.mark.parametrize(("old", "new", "expected"), [
    (["a", "b", "c"], ["a", "b", "c"], set()),
    (["a", "b", "c", "d"], ["a", "c", "d", "b"], {"b"}),
    (["a", "b", "c", "d"], ["d", "a", "b", "c"], {"d"}),
    (["a", "b", "c"], ["a", "x", "c"], set()),
])
def test_moved_keys_are_the_fewest_that_explain_the_new_order(old: list[str], new: list[str],
                                                              expected: set[str]) -> None:
    assert moved(old, new) == expected
