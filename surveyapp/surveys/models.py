"""Surveys, their immutable published versions, questions, options, KPI declarations and links;
the one editable draft of a survey, and the comparability notes recorded when a version changed
how a KPI is measured."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow

SURVEY_STATUSES = ("draft", "open", "closed")
CHANNELS = ("web", "poster-qr", "counter", "newsletter", "kiosk", "paper", "invitation", "demo")


def accepting(status: str, opens_at: datetime | None, closes_at: datetime | None, now: datetime) -> bool:
    """Whether a survey takes answers now: open, and within its opening and closing times if it
    has them."""
    if status != "open":
        return False
    if opens_at is not None and now < opens_at:
        return False
    return closes_at is None or now < closes_at


class Survey(db.Model):  # type: ignore[name-defined]
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    opens_at: Mapped[datetime | None] = mapped_column(default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(default=None)

    versions: Mapped[list[SurveyVersion]] = relationship(
        back_populates="survey", order_by="SurveyVersion.number"
    )
    links: Mapped[list[Link]] = relationship(back_populates="survey", order_by="Link.id")
    draft: Mapped[SurveyDraft | None] = relationship(back_populates="survey")

    @property
    def current_version(self) -> SurveyVersion | None:
        published = [v for v in self.versions if v.published_at is not None]
        return published[-1] if published else None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None

    @property
    def title(self) -> str:
        """The Japanese title: of the current version, else of the draft, else the key."""
        version = self.current_version
        if version is not None:
            return version.title
        if self.draft is not None:
            title = self.draft.definition.get("title")
            if isinstance(title, dict) and isinstance(title.get("ja"), str) and title["ja"].strip():
                return title["ja"]
        return self.key

    def is_accepting(self, now: datetime) -> bool:
        return accepting(self.status, self.opens_at, self.closes_at, now)


class SurveyVersion(db.Model):  # type: ignore[name-defined]
    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)

    survey: Mapped[Survey] = relationship(back_populates="versions")
    questions: Mapped[list[Question]] = relationship(
        back_populates="version", order_by="Question.position"
    )
    kpis: Mapped[list[Kpi]] = relationship(back_populates="version", order_by="Kpi.id")
    comparability_notes: Mapped[list[ComparabilityNote]] = relationship(
        back_populates="version", order_by="ComparabilityNote.id"
    )

    @property
    def title(self) -> str:
        return str(self.definition["title"]["ja"])


class Question(db.Model):  # type: ignore[name-defined]
    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    page: Mapped[int]
    type: Mapped[str] = mapped_column(String(16))
    required: Mapped[bool]
    texts: Mapped[dict[str, str]] = mapped_column(JSON)
    max_length: Mapped[int | None]
    demographic: Mapped[str | None] = mapped_column(String(16))

    version: Mapped[SurveyVersion] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position"
    )


class Option(db.Model):  # type: ignore[name-defined]
    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    texts: Mapped[dict[str, str]] = mapped_column(JSON)
    score: Mapped[float | None]

    question: Mapped[Question] = relationship(back_populates="options")


class Kpi(db.Model):  # type: ignore[name-defined]
    __tablename__ = "kpis"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    key: Mapped[str] = mapped_column(String(64))
    titles: Mapped[dict[str, str]] = mapped_column(JSON)
    headline: Mapped[dict[str, str]] = mapped_column(JSON)
    question_key: Mapped[str] = mapped_column(String(64))
    success: Mapped[list[str]] = mapped_column(JSON)
    excluded: Mapped[list[str]] = mapped_column(JSON)
    no_answer_in_base: Mapped[bool]
    direction: Mapped[str] = mapped_column(String(16))
    baseline_value: Mapped[float]
    baseline_fiscal_year: Mapped[int]
    baseline_n: Mapped[int | None]
    target_value: Mapped[float | None]
    target_fiscal_year: Mapped[int]
    population: Mapped[int | None]

    version: Mapped[SurveyVersion] = relationship(back_populates="kpis")

    @property
    def title(self) -> str:
        return self.titles["ja"]


class Link(db.Model):  # type: ignore[name-defined]
    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    # None: the resident's own language (their choice, else their browser's); a code fixes it.
    default_language: Mapped[str | None] = mapped_column(String(16), default=None)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, default=None)

    survey: Mapped[Survey] = relationship(back_populates="links")


class SurveyDraft(db.Model):  # type: ignore[name-defined]
    """The one draft of a survey: plain data in the definition file's shape, saved as staff edit
    it.  It may have problems (shown beside the fields); only a draft without problems can be
    published, and publishing turns it into a new immutable version."""

    __tablename__ = "survey_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), unique=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(default=1)
    based_on_version_id: Mapped[int | None] = mapped_column(ForeignKey("survey_versions.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))

    survey: Mapped[Survey] = relationship(back_populates="draft")
    based_on: Mapped[SurveyVersion | None] = relationship()


class ComparabilityNote(db.Model):  # type: ignore[name-defined]
    """A version changed how one KPI is measured (its question's wording, the success options or
    the base): results from before it are not directly comparable.  Recorded at publishing,
    with who acknowledged the warning; shown in reports beside the affected years."""

    __tablename__ = "comparability_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("survey_versions.id"), index=True)
    kpi_key: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    acknowledged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    version: Mapped[SurveyVersion] = relationship(back_populates="comparability_notes")


class ImmutableVersionError(RuntimeError):
    """Something tried to change a published survey version."""


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_published_versions(session: Session, _ctx: Any, _inst: Any) -> None:
    for obj in session.deleted:
        version = _owning_version(obj)
        if version is not None and version.published_at is not None:
            raise ImmutableVersionError("a published survey version cannot be deleted")
    for obj in session.dirty:
        version = _owning_version(obj)
        if version is None or version.published_at is None:
            continue
        state = db.inspect(obj)
        changed = [attr.key for attr in state.attrs
                   if attr.key != "published_at" and attr.history.has_changes()
                   and attr.key in state.mapper.columns]
        if changed:
            raise ImmutableVersionError(
                f"a published survey version cannot be changed ({', '.join(changed)})")


def _owning_version(obj: Any) -> SurveyVersion | None:
    if isinstance(obj, SurveyVersion):
        return obj
    if isinstance(obj, Question | Kpi | ComparabilityNote):
        return obj.version
    if isinstance(obj, Option):
        return obj.question.version
    return None
