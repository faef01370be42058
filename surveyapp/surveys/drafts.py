"""Draft use cases: start, edit, upload, download and publish the one draft of a survey.

A draft is the definition's plain data (the file's shape), saved as staff edit it even when
it has problems; :func:`draft_state` validates it with the same schema as a TOML file or a
workbook, so the editor shows the same messages beside its fields.  Every change names the
draft revision it was made on: a change to an older revision (another person saved in
between, or a form sent twice) is refused rather than overwriting.  Publishing turns a draft
without problems into a new immutable version and removes the draft.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext as _

from ..audit import record
from ..extensions import db
from ..timeutil import fiscal_year, utcnow
from . import editing
from .diff import DefinitionDiff, diff_definitions
from .format.files import read_definition
from .format.model import SurveyDef
from .format.parse import validate
from .format.problems import DefinitionError, Problem
from .format.serialise import content_hash, definition_to_dict
from .format.tomlfile import dump_definition
from .models import Survey, SurveyDraft, SurveyVersion
from .services import SurveyError, publish_version, version_definition

T = TypeVar("T")


class DraftError(SurveyError):
    """A draft use case that cannot be done (the view says why, in Japanese)."""


class NoDraft(DraftError):
    pass


class StaleDraft(DraftError):
    """The draft changed since the form was shown (or the form was sent twice)."""


class SurveyArchived(DraftError):
    pass


class DraftHasProblems(DraftError):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("the draft has problems")
        self.problems = problems


class NothingToPublish(DraftError):
    """The draft is the same as the current version."""


class VersionChanged(DraftError):
    """Another version was published after the differences were shown."""


class AcknowledgementRequired(DraftError):
    """The draft breaks comparability and the publisher has not acknowledged it."""


@dataclass(frozen=True)
class DraftState:
    """A draft with its validation: the definition when it has no problems."""

    survey: Survey
    draft: SurveyDraft
    defn: SurveyDef | None
    problems: tuple[Problem, ...]

    @property
    def data(self) -> dict[str, Any]:
        return self.draft.definition

    @property
    def revision(self) -> int:
        return self.draft.revision

    @property
    def current(self) -> SurveyVersion | None:
        return self.survey.current_version

    @property
    def outdated(self) -> bool:
        """A version was published after this draft was started from an earlier one."""
        current = self.current
        return current is not None and self.draft.based_on_version_id != current.id

    def diff(self) -> DefinitionDiff | None:
        """Differences from the current version (None without a current version or problems)."""
        current = self.current
        if current is None or self.defn is None:
            return None
        return diff_definitions(version_definition(current), self.defn)

    @property
    def unchanged(self) -> bool:
        current = self.current
        return (current is not None and self.defn is not None
                and content_hash(self.defn) == current.content_hash)


def draft_state(survey: Survey) -> DraftState | None:
    """The survey's draft, validated (None when it has no draft)."""
    draft = survey.draft
    if draft is None:
        return None
    defn, problems = validate(draft.definition)
    return DraftState(survey, draft, defn, tuple(problems))


def start_draft(survey: Survey, *, user_id: int | None) -> SurveyDraft:
    """The survey's draft, started from its current version if it has none; commit."""
    _check_open(survey)
    if survey.draft is not None:
        return survey.draft
    current = survey.current_version
    data = (definition_to_dict(version_definition(current)) if current is not None
            else editing.blank_definition(survey.key, ""))
    draft = new_draft(survey, data, user_id=user_id)
    record(user_id, "survey.draft.start", survey.key,
           based_on=current.number if current is not None else None)
    db.session.commit()
    return draft


def new_draft(survey: Survey, data: dict[str, Any], *, user_id: int | None) -> SurveyDraft:
    """Add a draft holding ``data`` (no commit)."""
    current = survey.current_version
    draft = SurveyDraft(survey=survey, definition=data, revision=1, updated_by=user_id,
                        based_on_version_id=current.id if current is not None else None)
    db.session.add(draft)
    db.session.flush()
    return draft


def _check_open(survey: Survey) -> None:
    if survey.archived:
        raise SurveyArchived(survey.key)


def _edit(survey: Survey, revision: int, user_id: int | None, change: Callable[[dict[str, Any]], T]) -> T:
    """Apply ``change`` to a copy of the draft's data and store it as the next revision; commit."""
    _check_open(survey)
    draft = survey.draft
    if draft is None:
        raise NoDraft(survey.key)
    if draft.revision != revision:
        raise StaleDraft(survey.key)
    data = copy.deepcopy(draft.definition)
    result = change(data)
    data["key"] = survey.key  # the key is the survey's; the editor never changes it
    draft.definition = data
    draft.revision += 1
    draft.updated_at = utcnow()
    draft.updated_by = user_id
    db.session.commit()
    return result


# --------------------------------------------------------------------------- editing


def save_settings(survey: Survey, *, revision: int, user_id: int | None, values: dict[str, Any],
                  statuses: dict[str, str]) -> list[str]:
    """Store the survey settings and texts; returns the languages no longer offered (whose
    texts were removed)."""
    def change(data: dict[str, Any]) -> list[str]:
        removed = editing.set_translation_status(data, statuses)
        for key, value in values.items():
            if value is None:
                data.pop(key, None)
            else:
                data[key] = value
        return removed
    return _edit(survey, revision, user_id, change)


def save_question(survey: Survey, index: int, *, revision: int, user_id: int | None,
                  question: dict[str, Any], same_page: bool,
                  option_action: tuple[str, int] | None = None) -> int | None:
    """Store an edited question, then add, move or remove one of its options
    (``("add", 0)``, ``("up", i)``, ``("down", i)``, ``("remove", i)``).  Returns the index of
    the option to show next (the added or moved one), if any."""
    def change(data: dict[str, Any]) -> int | None:
        if not 0 <= index < len(editing.questions_of(data)):
            raise StaleDraft(survey.key)
        editing.replace_question(data, index, question, same_page)
        stored = editing.questions_of(data)[index]
        if option_action is None:
            return None
        verb, option = option_action
        if verb == "add":
            return editing.add_option(stored)
        if verb in ("up", "down"):
            return editing.move_option(stored, option, -1 if verb == "up" else 1)
        editing.remove_option(stored, option)
        return None
    return _edit(survey, revision, user_id, change)


def add_question(survey: Survey, *, revision: int, user_id: int | None, qtype: str = "single") -> int:
    return _edit(survey, revision, user_id, lambda data: editing.add_question(data, qtype))


def move_question(survey: Survey, index: int, delta: int, *, revision: int, user_id: int | None) -> int:
    return _edit(survey, revision, user_id, lambda data: editing.move_question(data, index, delta))


def delete_question(survey: Survey, index: int, *, revision: int, user_id: int | None) -> None:
    def change(data: dict[str, Any]) -> None:
        if editing.remove_question(data, index) is None:
            raise StaleDraft(survey.key)
    _edit(survey, revision, user_id, change)


def save_kpi(survey: Survey, index: int, *, revision: int, user_id: int | None, kpi: dict[str, Any]) -> None:
    def change(data: dict[str, Any]) -> None:
        kpis = editing.kpis_of(data)
        if not 0 <= index < len(kpis):
            raise StaleDraft(survey.key)
        kpis[index] = kpi
    _edit(survey, revision, user_id, change)


def add_kpi(survey: Survey, *, revision: int, user_id: int | None) -> int:
    year = fiscal_year(utcnow())
    return _edit(survey, revision, user_id, lambda data: editing.add_kpi(data, year))


def delete_kpi(survey: Survey, index: int, *, revision: int, user_id: int | None) -> None:
    def change(data: dict[str, Any]) -> None:
        if not 0 <= index < len(editing.kpis_of(data)):
            raise StaleDraft(survey.key)
        editing.remove_kpi(data, index)
    _edit(survey, revision, user_id, change)


# --------------------------------------------------------------------------- files


def upload_draft(survey: Survey, filename: str, content: bytes, *, user_id: int | None) -> SurveyDraft:
    """Replace the draft (or start one) with an uploaded definition (.xlsx or .toml); commit.

    The file is validated first: DefinitionError lists every problem (sheet, row and column
    for a workbook) and nothing is saved.  The file must describe this survey (same key).
    """
    _check_open(survey)
    defn = read_definition(filename, content)
    if defn.key != survey.key:
        raise DefinitionError.of([Problem(
            ("key",), _('調査キー "%(file_key)s" は、このアンケートのキー "%(key)s" と違います。'
                        'ファイルの調査キーを "%(key)s" にしてください', file_key=defn.key, key=survey.key), filename)])
    data = definition_to_dict(defn)
    draft = survey.draft
    if draft is None:
        draft = new_draft(survey, data, user_id=user_id)
    else:
        current = survey.current_version
        draft.definition = data
        draft.revision += 1
        draft.based_on_version_id = current.id if current is not None else None
        draft.updated_at = utcnow()
        draft.updated_by = user_id
    record(user_id, "survey.draft.upload", survey.key, filename=filename[:200],
           content_hash=content_hash(defn))
    db.session.commit()
    return draft


def draft_workbook(survey: Survey) -> bytes:
    """The draft as an Excel workbook, as it is (problems included, to be fixed in Excel)."""
    if survey.draft is None:
        raise NoDraft(survey.key)
    from .format.workbook_write import data_workbook  # openpyxl: only when asked

    return data_workbook(survey.draft.definition)


def draft_toml(survey: Survey) -> str:
    """The draft as a TOML definition file (only a draft without problems)."""
    state = draft_state(survey)
    if state is None:
        raise NoDraft(survey.key)
    if state.defn is None:
        raise DraftHasProblems(list(state.problems))
    return dump_definition(state.defn)


def discard_draft(survey: Survey, *, user_id: int | None) -> None:
    """Throw the draft away (the published versions stay as they are); commit.  A survey that
    was never published keeps its draft: it has nothing else (archive it instead)."""
    draft = survey.draft
    if draft is None:
        raise NoDraft(survey.key)
    if survey.current_version is None:
        raise NothingToPublish(survey.key)
    db.session.delete(draft)
    record(user_id, "survey.draft.discard", survey.key, revision=draft.revision)
    db.session.commit()


# --------------------------------------------------------------------------- publishing


def publish_draft(survey: Survey, *, revision: int, current_number: int | None, acknowledged: bool,
                  user_id: int | None) -> SurveyVersion:
    """Publish the draft as the next version; commit.

    ``current_number`` is the version the differences were shown against: if another version
    was published since, nothing happens (VersionChanged).  A draft that breaks comparability
    is published only when ``acknowledged``; the warning is recorded with the version and with
    who acknowledged it.
    """
    _check_open(survey)
    state = draft_state(survey)
    if state is None:
        raise NoDraft(survey.key)
    if state.revision != revision:
        raise StaleDraft(survey.key)
    if state.defn is None:
        raise DraftHasProblems(list(state.problems))
    current = survey.current_version
    if (current.number if current is not None else None) != current_number:
        raise VersionChanged(survey.key)
    if state.unchanged:
        raise NothingToPublish(survey.key)
    diff = state.diff()
    if diff is not None and diff.comparability and not acknowledged:
        raise AcknowledgementRequired(survey.key)
    version, _warnings = publish_version(survey, state.defn, action="survey.publish", user_id=user_id,
                                         acknowledged_by=user_id)
    db.session.delete(state.draft)
    db.session.commit()
    return version
