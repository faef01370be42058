"""Survey use cases: load a definition (new survey or new version), open/close, links.

Drafts edited in the browser and the survey lifecycle (create, copy, archive) are in
``drafts.py`` and ``lifecycle.py``; both publish through :func:`publish_version` here.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..extensions import db
from ..i18n import offered_languages
from ..inputs import has_control_characters
from ..timeutil import utcnow
from .models import CHANNELS, ComparabilityNote, Kpi, Link, Option, Question, Survey, SurveyVersion, accepting

if TYPE_CHECKING:
    from .definitions import SurveyDef
    from .diff import ComparabilityWarning

# The definition format (parser, rules, comparison) is imported by the functions that use it:
# a command that only lists surveys or staff does not need it.

LINK_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read aloud and typed from paper
LINK_CODE_LENGTH = 8
LINK_CODE_MAX = 16  # the column's width
BUILTIN_WEB_LABEL = _l("ウェブ（公開リンク）")  # the name of the public link every survey starts with


class SurveyError(Exception):
    """Base class of survey use-case errors; ``str()`` is a message for staff."""


class UnknownSurvey(SurveyError):
    pass


class InvalidSchedule(SurveyError):
    pass


class InvalidLink(SurveyError):
    pass


@dataclass(frozen=True)
class LoadResult:
    survey: Survey
    version: SurveyVersion
    created_survey: bool
    created_version: bool
    comparability: tuple[ComparabilityWarning, ...] = ()


def get_survey(key: str) -> Survey:
    """The survey with this key, or UnknownSurvey."""
    survey = db.session.scalar(db.select(Survey).where(Survey.key == key))
    if survey is None:
        raise UnknownSurvey(f"unknown survey {key!r}")
    return survey


def list_surveys(*, archived: bool | None = None) -> list[Survey]:
    """All surveys by key; only the archived ones (True) or only the others (False)."""
    query = db.select(Survey).order_by(Survey.key)
    if archived is not None:
        query = query.where(Survey.archived_at.is_not(None) if archived else Survey.archived_at.is_(None))
    return list(db.session.scalars(query))


_PARSED: dict[str, SurveyDef] = {}


def version_definition(version: SurveyVersion | VersionAtLink) -> SurveyDef:
    """The parsed definition of a stored version (cached by content hash; versions are immutable)."""
    defn = _PARSED.get(version.content_hash)
    if defn is None:
        from .definitions import parse_definition

        stored = version if isinstance(version, SurveyVersion) else version_by_id(version.id)
        defn = parse_definition(stored.definition, source=f"{stored.survey.key} v{stored.number}")
        _PARSED[version.content_hash] = defn
    return defn


_PUBLISHED_HASHES: dict[int, str] = {}


def published_definition(version_id: int) -> SurveyDef:
    """The parsed definition of a published version, by id: the database is asked once per
    process (a published version can be neither changed nor deleted)."""
    defn = _PARSED.get(_PUBLISHED_HASHES.get(version_id, ""))
    if defn is None:
        version = version_by_id(version_id)
        defn = version_definition(version)
        if version.published_at is not None:
            _PUBLISHED_HASHES[version_id] = version.content_hash
    return defn


def version_by_id(version_id: int) -> SurveyVersion:
    """A stored version by id (UnknownSurvey if missing)."""
    version = db.session.get(SurveyVersion, version_id)
    if version is None:
        raise UnknownSurvey(f"unknown survey version {version_id}")
    return version


def load_survey(defn: SurveyDef, *, user_id: int | None = None) -> LoadResult:
    """Create the survey, or a new published version if the content changed; commit."""
    from .definitions import content_hash

    digest = content_hash(defn)
    survey = db.session.scalar(db.select(Survey).where(Survey.key == defn.key))
    created_survey = survey is None
    if survey is None:
        survey = Survey(key=defn.key)
        db.session.add(survey)
        db.session.flush()
    current = survey.current_version
    if current is not None and current.content_hash == digest:
        db.session.commit()
        return LoadResult(survey, current, created_survey, False)
    version, warnings = publish_version(survey, defn, action="survey.load", user_id=user_id)
    db.session.commit()
    return LoadResult(survey, version, created_survey, True, warnings)


def publish_version(survey: Survey, defn: SurveyDef, *, action: str, user_id: int | None,
                    acknowledged_by: int | None = None,
                    ) -> tuple[SurveyVersion, tuple[ComparabilityWarning, ...]]:
    """Add ``defn`` as the survey's next published version, with a comparability note for every
    KPI it measures differently from the current version, and audit it (no commit)."""
    from .definitions import content_hash
    from .diff import comparability

    digest = content_hash(defn)
    current = survey.current_version
    warnings = comparability(version_definition(current), defn) if current is not None else ()
    version = _add_version(survey, defn, digest, number=(current.number + 1) if current else 1)
    for warning in warnings:
        db.session.add(ComparabilityNote(
            version=version, kpi_key=warning.kpi, acknowledged_by=acknowledged_by,
            reasons=[reason.as_dict() for reason in warning.reasons]))
    record(user_id, action, defn.key, version=version.number, content_hash=digest,
           comparability=[warning.kpi for warning in warnings])
    db.session.flush()
    return version, warnings


def _add_version(survey: Survey, defn: SurveyDef, digest: str, *, number: int) -> SurveyVersion:
    from .definitions import definition_to_dict

    version = SurveyVersion(
        survey=survey, number=number, content_hash=digest, definition=definition_to_dict(defn)
    )
    db.session.add(version)
    for position, qdef in enumerate(defn.questions):
        question = Question(
            version=version, key=qdef.key, position=position, page=qdef.page, type=qdef.type,
            required=qdef.required, texts=dict(qdef.text), max_length=qdef.max_length,
            demographic=qdef.demographic,
        )
        db.session.add(question)
        for opt_position, odef in enumerate(qdef.options):
            db.session.add(Option(question=question, code=odef.code, position=opt_position,
                                  kind=odef.kind, texts=dict(odef.text), score=odef.score))
    for kdef in defn.kpis:
        db.session.add(Kpi(
            version=version, key=kdef.key, titles=dict(kdef.title), headline=dict(kdef.headline),
            question_key=kdef.question, success=list(kdef.success), excluded=list(kdef.excluded),
            no_answer_in_base=kdef.no_answer_in_base, direction=kdef.direction,
            baseline_value=kdef.baseline_value, baseline_fiscal_year=kdef.baseline_fiscal_year,
            baseline_n=kdef.baseline_n, target_value=kdef.target_value,
            target_fiscal_year=kdef.target_fiscal_year, population=kdef.population,
        ))
    db.session.flush()
    version.published_at = utcnow()
    return version


def survey_version(key: str, number: int | None = None) -> SurveyVersion:
    """A published version of a survey: the current one, or the one with ``number``."""
    survey = get_survey(key)
    if number is None:
        version = survey.current_version
        if version is None:
            raise UnknownSurvey(_("調査 %(key)r には公開された版がありません", key=key))
        return version
    for version in survey.versions:
        if version.number == number and version.published_at is not None:
            return version
    raise UnknownSurvey(_("調査 %(key)r に第%(number)s版はありません", key=key, number=number))


def export_survey(key: str, number: int | None = None) -> str:
    """A version of a survey (default: the current one) as definition-file text (TOML)."""
    from .definitions import dump_definition

    return dump_definition(version_definition(survey_version(key, number)))


def export_survey_workbook(key: str, number: int | None = None) -> bytes:
    """A version of a survey (default: the current one) as an Excel workbook (.xlsx)."""
    from .format.workbook_write import definition_workbook  # openpyxl: only when asked

    return definition_workbook(version_definition(survey_version(key, number)))


def load_survey_file(filename: str, content: bytes, *, user_id: int | None = None) -> LoadResult:
    """Validate an uploaded definition (.toml or .xlsx) and load it like ``load_survey``; commit.

    Raises DefinitionError (every problem, with file, sheet, row and column) and saves nothing.
    """
    from .format.files import read_definition

    return load_survey(read_definition(filename, content), user_id=user_id)


def set_schedule(
    survey: Survey, *, status: str, opens_at: datetime | None, closes_at: datetime | None,
    user_id: int | None,
) -> None:
    """Open or close a survey, optionally between two (UTC) times; commit."""
    if status not in ("open", "closed"):
        raise InvalidSchedule("status must be open or closed")
    if survey.current_version is None:
        raise InvalidSchedule("the survey has no published version")
    if status == "open" and survey.archived:
        raise InvalidSchedule("an archived survey cannot be opened")
    if opens_at is not None and closes_at is not None and closes_at <= opens_at:
        raise InvalidSchedule("the closing time must be after the opening time")
    survey.status = status
    survey.opens_at = opens_at
    survey.closes_at = closes_at
    record(user_id, f"survey.{status}", survey.key,
           opens_at=opens_at.isoformat() if opens_at else None,
           closes_at=closes_at.isoformat() if closes_at else None)
    db.session.commit()


def new_link_code() -> str:
    """A short unguessable code (8 characters from 31: about 8.5 × 10¹¹ possibilities)."""
    return "".join(secrets.choice(LINK_ALPHABET) for _ in range(LINK_CODE_LENGTH))


def link_languages(survey: Survey) -> tuple[str, ...]:
    """The languages a link of this survey may be fixed to: those its current version offers
    (``translation_status``) that the site offers too, in the site's order."""
    version = survey.current_version
    if version is None:
        return ()
    survey_languages = version_definition(version).translation_status
    return tuple(code for code in offered_languages() if code in survey_languages)


def _add_link(survey: Survey, label: str, channel: str, language: str | None) -> Link:
    label = label.strip()
    if not label or len(label) > 200:
        raise InvalidLink("a label of 1 to 200 characters is required")
    if channel not in CHANNELS:
        raise InvalidLink(f"unknown channel {channel!r}")
    if language is not None and language not in link_languages(survey):
        raise InvalidLink(f"the survey is not offered in {language!r}")
    while True:
        code = new_link_code()
        if db.session.scalar(db.select(Link.id).where(Link.code == code)) is None:
            break
    link = Link(survey=survey, code=code, label=label, channel=channel, default_language=language)
    db.session.add(link)
    db.session.flush()
    return link


def add_link(survey: Survey, *, label: str, channel: str, default_language: str = "ja") -> Link:
    """A distribution link with a fresh code, added to the session (flush only: the caller's
    use case commits)."""
    return _add_link(survey, label, channel, default_language)


def create_link(
    survey: Survey, *, label: str, channel: str, default_language: str | None = None,
    user_id: int | None = None,
) -> Link:
    """Create a distribution link with a fresh code; commit.

    ``default_language`` None (the default) lets each resident see their own language; a code
    fixes the link to one of the survey's offered languages (e.g. a Portuguese poster).
    """
    link = _add_link(survey, label, channel, default_language)
    record(user_id, "link.create", survey.key, code=link.code, channel=channel,
           language=default_language)
    db.session.commit()
    return link


def ensure_web_link(survey: Survey) -> Link:
    """The survey's first web link, created if it has none (in the resident's own language); commit."""
    for link in survey.links:
        if link.channel == "web" and link.active:
            return link
    link = _add_link(survey, str(BUILTIN_WEB_LABEL), "web", None)
    db.session.commit()
    return link


def find_link(code: str) -> Link | None:
    """The link with this code (codes are case-insensitive when typed from paper); None for
    anything that cannot be a code, without asking the database."""
    code = code.strip().lower()
    if not code or len(code) > LINK_CODE_MAX or has_control_characters(code):
        return None
    return db.session.scalar(db.select(Link).where(Link.code == code))


@dataclass(frozen=True, slots=True)
class SurveyAtLink:
    """What the respondent pages need of a link's survey: plain values, read with the link."""

    id: int
    key: str
    status: str
    opens_at: datetime | None
    closes_at: datetime | None

    def is_accepting(self, now: datetime) -> bool:
        return accepting(self.status, self.opens_at, self.closes_at, now)


@dataclass(frozen=True, slots=True)
class VersionAtLink:
    """A published version of a link's survey, as the respondent pages need it (the definition
    itself is found by :func:`version_definition`)."""

    id: int
    content_hash: str
    survey: SurveyAtLink

    @property
    def survey_id(self) -> int:
        return self.survey.id

    @classmethod
    def of(cls, version: SurveyVersion, survey: SurveyAtLink) -> VersionAtLink:
        return cls(version.id, version.content_hash, survey)


@dataclass(frozen=True, slots=True)
class PublicLink:
    """A link as the respondent pages need it, with its survey."""

    id: int
    code: str
    channel: str
    active: bool
    default_language: str | None
    survey: SurveyAtLink

    @property
    def survey_id(self) -> int:
        return self.survey.id


def find_link_with_version(code: str) -> tuple[PublicLink, VersionAtLink | None] | None:
    """The link with this code and the current version of its survey, in one query into plain
    values (the respondent pages ask for both on every request: objects of the ORM would cost
    more than the query itself)."""
    row = db.session.connection().execute(_link_with_version_query(), {"code": code.strip().lower()}).first()
    if row is None:
        return None
    (link_id, link_code, channel, active, language, survey_id, key, status, opens_at, closes_at,
     version_id, digest) = row
    survey = SurveyAtLink(survey_id, key, status, opens_at, closes_at)
    link = PublicLink(link_id, link_code, channel, bool(active), language, survey)
    if version_id is None:
        return link, None
    return link, VersionAtLink(version_id, digest, survey)


@cache
def _link_with_version_query() -> Any:
    """The statement of :func:`find_link_with_version`, built once (the code is a parameter)."""
    links, surveys, versions = Link.__table__.c, Survey.__table__.c, SurveyVersion.__table__.c
    current = (
        sa.select(sa.func.max(versions.number))
        .where(versions.survey_id == surveys.id, versions.published_at.is_not(None))
        .correlate(Survey.__table__).scalar_subquery()
    )
    return (
        sa.select(links.id, links.code, links.channel, links.active, links.default_language,
                  surveys.id, surveys.key, surveys.status, surveys.opens_at, surveys.closes_at,
                  versions.id, versions.content_hash)
        .select_from(Link.__table__.join(Survey.__table__, links.survey_id == surveys.id)
                     .outerjoin(SurveyVersion.__table__,
                                (versions.survey_id == surveys.id) & (versions.number == current)))
        .where(links.code == sa.bindparam("code"))
    )


def public_links(now: datetime) -> list[Link]:
    """One web link per survey that is accepting answers now (for the landing page)."""
    links = db.session.scalars(
        db.select(Link).join(Survey).where(Link.channel == "web", Link.active.is_(True),
                                           Survey.status == "open", Survey.archived_at.is_(None))
        .order_by(Survey.key, Link.id)
    )
    seen: set[int] = set()
    result = []
    for link in links:
        if link.survey_id in seen or not link.survey.is_accepting(now):
            continue
        version = link.survey.current_version
        if version is None or version_definition(version).audience == "staff":
            continue  # the staff survey is distributed inside city hall, not listed publicly
        seen.add(link.survey_id)
        result.append(link)
    return result
