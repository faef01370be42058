"""Survey lifecycle in the browser: create a survey (blank, as a copy, or from a file), archive
and restore it.  Each use case is audited and commits once."""

from __future__ import annotations

from flask_babel import gettext as _

from ..audit import record
from ..extensions import db
from ..timeutil import utcnow
from . import editing
from .drafts import new_draft
from .format.files import read_definition
from .format.parse import validate
from .format.problems import DefinitionError, Problem
from .format.serialise import definition_to_dict
from .models import Survey
from .services import SurveyError, version_definition


class SurveyKeyTaken(SurveyError):
    pass


class NothingToCopy(SurveyError):
    """The survey to copy has no published version."""


def _in_use(key: str) -> Problem:
    return Problem(("key",), _('調査キー "%(key)s" はすでに使われています。別のキーにしてください', key=key))


RESERVED_KEYS = ("new", "template")
"""Words the staff pages use in their addresses beside survey keys (``/staff/surveys/new``)."""


def key_problems(key: str) -> list[Problem]:
    """What is wrong with a new survey key: the schema's own message, or that it is in use."""
    _defn, problems = validate({"key": key})
    found = [p for p in problems if p.path == ("key",)]
    if not found and key in RESERVED_KEYS:
        found.append(Problem(("key",), _('"%(key)s" は画面のアドレスに使うため、調査キーにできません。'
                                         "別のキーにしてください", key=key)))
    elif not found and db.session.scalar(db.select(Survey.id).where(Survey.key == key)) is not None:
        found.append(_in_use(key))
    return found


def _new_survey(key: str) -> Survey:
    problems = key_problems(key)
    if problems:
        raise DefinitionError.of(problems)
    survey = Survey(key=key)
    db.session.add(survey)
    db.session.flush()
    return survey


def create_survey(key: str, title: str, *, user_id: int | None) -> Survey:
    """A new survey with a blank draft; commit.  DefinitionError for an unusable key."""
    survey = _new_survey(key)
    new_draft(survey, editing.blank_definition(key, title), user_id=user_id)
    record(user_id, "survey.create", key, source="blank")
    db.session.commit()
    return survey


def copy_survey(source: Survey, key: str, title: str, *, user_id: int | None) -> Survey:
    """A new survey whose draft is a copy of the current version of ``source``; commit."""
    current = source.current_version
    if current is None:
        raise NothingToCopy(source.key)
    data = editing.copied_definition(definition_to_dict(version_definition(current)), key, title)
    survey = _new_survey(key)
    new_draft(survey, data, user_id=user_id)
    record(user_id, "survey.create", key, source="copy", copied_from=source.key, version=current.number)
    db.session.commit()
    return survey


def create_survey_from_file(filename: str, content: bytes, *, user_id: int | None) -> Survey:
    """A new survey whose draft is an uploaded definition (.xlsx or .toml; its key is the new
    survey's key); commit.  DefinitionError lists every problem and nothing is saved."""
    defn = read_definition(filename, content)
    problems = key_problems(defn.key)  # the file's key is well formed: reserved or in use
    if problems:
        raise DefinitionError.of([Problem(p.path, p.message, filename) for p in problems])
    survey = _new_survey(defn.key)
    new_draft(survey, definition_to_dict(defn), user_id=user_id)
    record(user_id, "survey.create", defn.key, source="file", filename=filename[:200])
    db.session.commit()
    return survey


def archive_survey(survey: Survey, *, user_id: int | None) -> bool:
    """Hide the survey from lists and the landing page, keeping every version and answer; an
    open survey is closed.  Returns whether it was open; commit."""
    was_open = survey.status == "open"
    if was_open:
        survey.status = "closed"
    survey.archived_at = utcnow()
    record(user_id, "survey.archive", survey.key, closed=was_open)
    db.session.commit()
    return was_open


def restore_survey(survey: Survey, *, user_id: int | None) -> None:
    """Bring an archived survey back to the lists (it stays closed until opened again); commit."""
    survey.archived_at = None
    record(user_id, "survey.restore", survey.key)
    db.session.commit()
