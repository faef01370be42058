"""Course use cases: the list of course titles and the sessions, each with its own kiosk link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..audit import record
from ..extensions import db
from ..surveys.models import Link, Survey
from ..surveys.services import new_link_code, version_definition
from .models import Course, CourseSession

TITLE_MAX = 200
VENUE_MAX = 200
INSTRUCTOR_MAX = 100
ATTENDEES_MAX = 10_000


class CourseError(Exception):
    """A course or session could not be saved; ``code`` says why (views word the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SessionInput:
    """What staff type for a session (already parsed by the form)."""

    held_on: date
    venue: str
    instructor: str
    attendees: int


def _clean(text: str, limit: int, code: str) -> str:
    value = " ".join(text.split())
    if not value or len(value) > limit:
        raise CourseError(code)
    return value


def list_courses(*, active_only: bool = False) -> list[Course]:
    """Course titles in the order staff read them (active first, then by title)."""
    query = db.select(Course)
    if active_only:
        query = query.where(Course.active.is_(True))
    return list(db.session.scalars(query.order_by(Course.active.desc(), Course.title)))


def get_course(course_id: int) -> Course | None:
    return db.session.get(Course, course_id)


def add_course(title: str, *, user_id: int | None) -> Course:
    """Add a title to the managed list (titles are unique once spaces are tidied); commit."""
    title = _clean(title, TITLE_MAX, "invalid_title")
    if db.session.scalar(db.select(Course.id).where(Course.title == title)) is not None:
        raise CourseError("duplicate_title")
    course = Course(title=title)
    db.session.add(course)
    db.session.flush()
    record(user_id, "course.create", title, course_id=course.id)
    db.session.commit()
    return course


def set_course_active(course: Course, active: bool, *, user_id: int | None) -> None:
    """Offer the title for new sessions again, or stop offering it (sessions stay); commit."""
    course.active = active
    record(user_id, "course.activate" if active else "course.deactivate", course.title,
           course_id=course.id)
    db.session.commit()


def course_surveys() -> list[Survey]:
    """Surveys written for course attendees (audience ``course``), by key."""
    surveys = []
    for survey in db.session.scalars(db.select(Survey).order_by(Survey.key)):
        version = survey.current_version
        if version is not None and version_definition(version).audience == "course":
            surveys.append(survey)
    return surveys


def _validated(data: SessionInput) -> SessionInput:
    if not 1 <= data.attendees <= ATTENDEES_MAX:
        raise CourseError("invalid_attendees")
    return SessionInput(held_on=data.held_on,
                        venue=_clean(data.venue, VENUE_MAX, "invalid_venue"),
                        instructor=_clean(data.instructor, INSTRUCTOR_MAX, "invalid_instructor"),
                        attendees=data.attendees)


def _session_label(course: Course, data: SessionInput) -> str:
    return f"{course.title} {data.held_on.isoformat()} {data.venue}"[:200]


def create_session(course: Course, survey: Survey, data: SessionInput, *,
                   user_id: int | None) -> CourseSession:
    """A session with a new kiosk link to ``survey`` (a course survey); commit."""
    if not course.active:
        raise CourseError("inactive_course")
    if survey.current_version is None or survey not in course_surveys():
        raise CourseError("invalid_survey")
    data = _validated(data)
    code = new_link_code()
    while db.session.scalar(db.select(Link.id).where(Link.code == code)) is not None:
        code = new_link_code()
    link = Link(survey=survey, code=code, label=_session_label(course, data), channel="kiosk",
                default_language="ja")
    db.session.add(link)
    db.session.flush()
    session = CourseSession(course=course, held_on=data.held_on, venue=data.venue,
                            instructor=data.instructor, attendees=data.attendees, link=link,
                            created_by=user_id)
    db.session.add(session)
    db.session.flush()
    record(user_id, "course_session.create", course.title, session_id=session.id,
           code=link.code, held_on=data.held_on.isoformat())
    db.session.commit()
    return session


def update_session(session: CourseSession, data: SessionInput, *, user_id: int | None) -> None:
    """Correct the date, venue, instructor or number of attendees; commit."""
    data = _validated(data)
    session.held_on = data.held_on
    session.venue = data.venue
    session.instructor = data.instructor
    session.attendees = data.attendees
    session.link.label = _session_label(session.course, data)
    record(user_id, "course_session.update", session.course.title, session_id=session.id,
           attendees=data.attendees)
    db.session.commit()


def get_session(session_id: int) -> CourseSession | None:
    return db.session.get(CourseSession, session_id)


def list_sessions(course: Course | None = None) -> list[CourseSession]:
    """Sessions, newest first (of one course if given)."""
    query = db.select(CourseSession)
    if course is not None:
        query = query.where(CourseSession.course_id == course.id)
    return list(db.session.scalars(query.order_by(CourseSession.held_on.desc(),
                                                  CourseSession.id.desc())))


def session_for_link(link_id: int) -> CourseSession | None:
    return db.session.scalar(db.select(CourseSession).where(CourseSession.link_id == link_id))
