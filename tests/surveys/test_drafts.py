"""Draft use cases: one draft per survey, edits on the latest revision only, uploads checked
before anything is saved, publishing a new immutable version with its comparability notes."""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from openpyxl import load_workbook

from surveyapp.audit import AuditEntry
from surveyapp.extensions import db
from surveyapp.respond.models import Response
from surveyapp.surveys import drafts, lifecycle
from surveyapp.surveys.definitions import (
    DefinitionError,
    builtin_paths,
    definition_to_dict,
    dump_definition,
    load_definition,
)
from surveyapp.surveys.format.workbook_read import loads_workbook
from surveyapp.surveys.models import ComparabilityNote, SurveyVersion
from surveyapp.surveys.services import get_survey, list_surveys, public_links, version_definition
from surveyapp.timeutil import utcnow
from tests.results.factories import add_responses

COUNTER = next(p for p in builtin_paths() if p.stem == "counter")


def _reword_first_option(data: dict[str, Any]) -> None:
    data["questions"][0]["options"][0]["text"]["ja"] = "大変満足"


def test_a_draft_starts_from_the_current_version_and_is_not_publishable_unchanged(app: Flask) -> None:
    with app.app_context():
        survey = get_survey("counter")
        draft = drafts.start_draft(survey, user_id=None)
        assert draft.definition == definition_to_dict(version_definition(survey.current_version))
        assert drafts.start_draft(survey, user_id=None) is draft  # at most one draft
        state = drafts.draft_state(survey)
        assert state is not None and state.unchanged and state.problems == ()
        with pytest.raises(drafts.NothingToPublish):
            drafts.publish_draft(survey, revision=1, current_number=1, acknowledged=True, user_id=None)


def test_an_edit_on_an_older_revision_is_refused_and_changes_nothing(app: Flask) -> None:
    with app.app_context():
        survey = get_survey("counter")
        drafts.start_draft(survey, user_id=None)
        assert drafts.add_question(survey, revision=1, user_id=None) == 4
        before = copy.deepcopy(survey.draft.definition)
        with pytest.raises(drafts.StaleDraft):
            drafts.add_question(survey, revision=1, user_id=None)  # the same form sent again
        db.session.expire_all()
        assert get_survey("counter").draft.definition == before
        assert get_survey("counter").draft.revision == 2


def test_publishing_a_reworded_kpi_option_needs_acknowledgement_and_records_it(app: Flask) -> None:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied"}] * 3)
    with app.app_context():
        survey = get_survey("counter")
        drafts.start_draft(survey, user_id=None)
        question = copy.deepcopy(survey.draft.definition["questions"][0])
        question["options"][0]["text"]["ja"] = "大変満足"
        drafts.save_question(survey, 0, revision=1, user_id=None, question=question, same_page=False)
        with pytest.raises(drafts.AcknowledgementRequired):
            drafts.publish_draft(survey, revision=2, current_number=1, acknowledged=False, user_id=None)
        version = drafts.publish_draft(survey, revision=2, current_number=1, acknowledged=True, user_id=None)
        assert version.number == 2 and survey.draft is None
        note = db.session.scalar(sa.select(ComparabilityNote))
        assert (note.version.number, note.kpi_key) == (2, "counter_satisfaction_rate")
        assert note.reasons == [{"code": "option_text", "language": "ja", "option": "satisfied", "label": "大変満足"}]
        first = db.session.scalar(sa.select(SurveyVersion).where(SurveyVersion.number == 1,
                                                                  SurveyVersion.survey_id == survey.id))
        assert version_definition(first).questions[0].options[0].text["ja"] == "満足"  # never changed
        answered = db.session.scalars(sa.select(Response.survey_version_id)).all()
        assert set(answered) == {first.id}  # earlier responses keep their version
        actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.target == "counter")).all()
        assert "survey.publish" in actions


def test_publishing_against_a_version_that_was_replaced_meanwhile_is_refused(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        survey = get_survey("counter")
        drafts.start_draft(survey, user_id=None)
        question = copy.deepcopy(survey.draft.definition["questions"][0])
        question["required"] = False
        drafts.save_question(survey, 0, revision=1, user_id=None, question=question, same_page=False)
    data = definition_to_dict(load_definition(COUNTER))
    data["description"]["ja"] += "ご協力をお願いします。"
    path = tmp_path / "counter.toml"
    path.write_text(dump_definition(_parse(data)), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "load", str(path)])
    assert "new version (version 2)" in result.output
    with app.app_context():
        survey = get_survey("counter")
        state = drafts.draft_state(survey)
        assert state is not None and state.outdated
        with pytest.raises(drafts.VersionChanged):
            drafts.publish_draft(survey, revision=2, current_number=1, acknowledged=True, user_id=None)


def _parse(data: dict[str, Any]) -> Any:
    from surveyapp.surveys.definitions import parse_definition

    return parse_definition(data)


def test_flask_surveys_load_records_and_reports_a_comparability_break(app: Flask, tmp_path: Path) -> None:
    data = definition_to_dict(load_definition(COUNTER))
    _reword_first_option(data)
    path = tmp_path / "counter.toml"
    path.write_text(dump_definition(_parse(data)), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "load", str(path)])
    assert result.exit_code == 0
    assert "KPI counter_satisfaction_rate is no longer comparable" in result.output
    with app.app_context():
        note = db.session.scalar(sa.select(ComparabilityNote))
        assert note.version.number == 2 and note.acknowledged_by is None


def test_an_upload_with_problems_or_another_key_saves_nothing(app: Flask) -> None:
    defn = load_definition(COUNTER)
    with app.app_context():
        survey = get_survey("digital-services")
        with pytest.raises(DefinitionError) as info:
            drafts.upload_draft(survey, "counter.toml", dump_definition(defn).encode(), user_id=None)
        assert info.value.problems[0].path == ("key",)
        assert '"counter"' in info.value.errors[0] and '"digital-services"' in info.value.errors[0]
        with pytest.raises(DefinitionError) as info:
            drafts.upload_draft(survey, "broken.xlsx", b"not a workbook", user_id=None)
        assert "broken.xlsx" in info.value.errors[0]
        assert get_survey("digital-services").draft is None


def test_an_uploaded_workbook_replaces_the_draft(app: Flask) -> None:
    from surveyapp.surveys.format.workbook_write import definition_workbook

    data = definition_to_dict(load_definition(COUNTER))
    _reword_first_option(data)
    with app.app_context():
        survey = get_survey("counter")
        drafts.start_draft(survey, user_id=None)
        drafts.upload_draft(survey, "counter.xlsx", definition_workbook(_parse(data)), user_id=None)
        state = drafts.draft_state(survey)
        assert state is not None and state.revision == 2
        assert state.defn is not None and state.defn.questions[0].options[0].text["ja"] == "大変満足"


def test_a_draft_with_problems_downloads_as_a_workbook_that_names_the_same_problems(app: Flask) -> None:
    with app.app_context():
        survey = lifecycle.create_survey("library-users", "図書館利用者アンケート", user_id=None)
        state = drafts.draft_state(survey)
        assert state is not None and state.problems
        content = drafts.draft_workbook(survey)
    assert load_workbook(io.BytesIO(content)).sheetnames == ["説明", "調査", "設問", "選択肢", "KPI"]
    with pytest.raises(DefinitionError) as info:
        loads_workbook(content, "library-users.xlsx")
    assert [(p.path, p.message) for p in info.value.problems] == [(p.path, p.message) for p in state.problems]


def test_new_survey_keys_are_checked_like_a_file(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(DefinitionError) as info:
            lifecycle.create_survey("Library Users", "図書館", user_id=None)
        assert "調査キーに使えません" in info.value.problems[0].message
        with pytest.raises(DefinitionError) as info:
            lifecycle.create_survey("counter", "窓口", user_id=None)
        assert "すでに使われています" in info.value.problems[0].message
        with pytest.raises(DefinitionError) as info:
            lifecycle.create_survey("new", "新しい調査", user_id=None)
        assert "調査キーにできません" in info.value.problems[0].message


def test_a_copy_gets_the_new_key_and_title_and_asks_for_the_title_translations(app: Flask) -> None:
    with app.app_context():
        survey = lifecycle.copy_survey(get_survey("counter"), "counter-2027", "窓口アンケート（2027年）", user_id=None)
        state = drafts.draft_state(survey)
        assert state is not None and state.data["key"] == "counter-2027"
        assert state.data["title"] == {"ja": "窓口アンケート（2027年）"}
        assert {p.path for p in state.problems} == {("title", lang) for lang in ("ja-easy", "pt-BR", "en", "vi")}
        assert survey.current_version is None and survey.status == "draft"


def test_archiving_hides_a_survey_closes_it_and_can_be_undone(app: Flask) -> None:
    with app.app_context():
        survey = get_survey("counter")
        assert lifecycle.archive_survey(survey, user_id=None) is True
        assert survey.status == "closed"
        assert "counter" not in [s.key for s in list_surveys(archived=False)]
        assert [s.key for s in list_surveys(archived=True)] == ["counter"]
        assert "counter" not in [link.survey.key for link in public_links(utcnow())]
        with pytest.raises(drafts.SurveyArchived):
            drafts.start_draft(survey, user_id=None)
        lifecycle.restore_survey(survey, user_id=None)
        assert "counter" in [s.key for s in list_surveys(archived=False)]
        actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.target == "counter")).all()
        assert {"survey.archive", "survey.restore"} <= set(actions)
