"""A small city database as it stood at revision 4c96e5012f48 (kiosk devices and course
sessions): a few rows in every table, written with plain SQL so the rows do not depend on
today's models. Columns follow the migration files up to that revision."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

EARLY_REVISION = "4c96e5012f48"

T0 = datetime(2026, 4, 1, 9, 0, 0)

DEFINITION_COUNTER = {
    "format": 1, "key": "counter", "title": {"ja": "市役所窓口の満足度"},
    "questions": [{"key": "counter_satisfaction", "type": "single", "required": True}],
}
DEFINITION_COUNTER_2 = {**DEFINITION_COUNTER, "title": {"ja": "各務原市役所窓口の満足度"}}
DEFINITION_COURSE = {
    "format": 1, "key": "digital-course", "title": {"ja": "デジタル講座アンケート"},
    "questions": [{"key": "course_useful", "type": "single", "required": True},
                  {"key": "course_comment", "type": "text", "required": False}],
}

ROWS: dict[str, list[dict[str, Any]]] = {
    "staff_users": [
        {"id": 1, "email": "admin@city.example.jp", "password_hash": "scrypt:32768:8:1$a$" + "1" * 64,
         "role": "admin", "active": True, "created_at": T0, "last_login_at": datetime(2026, 5, 1, 8, 30)},
        {"id": 2, "email": "course@city.example.jp", "password_hash": "scrypt:32768:8:1$b$" + "2" * 64,
         "role": "course-staff", "active": True, "created_at": T0, "last_login_at": None},
        {"id": 3, "email": "retired@city.example.jp", "password_hash": "scrypt:32768:8:1$c$" + "3" * 64,
         "role": "analyst", "active": False, "created_at": T0, "last_login_at": None},
    ],
    "surveys": [
        {"id": 1, "key": "counter", "status": "open", "opens_at": T0, "closes_at": None, "created_at": T0},
        {"id": 2, "key": "digital-course", "status": "open", "opens_at": T0,
         "closes_at": datetime(2027, 3, 31, 23, 59), "created_at": T0},
        {"id": 3, "key": "old-survey", "status": "closed", "opens_at": None, "closes_at": None,
         "created_at": T0},
    ],
    "audit_log": [
        {"id": 1, "at": datetime(2026, 4, 1, 9, 5), "user_id": 1, "action": "survey.open",
         "target": "counter", "detail": {"version": 1}},
        {"id": 2, "at": datetime(2026, 4, 2, 10, 0), "user_id": 2, "action": "course.session_create",
         "target": "course_session:1", "detail": {"venue": "中央図書館"}},
        {"id": 3, "at": datetime(2026, 4, 3, 11, 0), "user_id": None, "action": "kiosk.enroll",
         "target": "kiosk:1", "detail": {}},
    ],
    "links": [
        {"id": 1, "survey_id": 1, "code": "K7QW2M9XPA", "label": "本庁舎1階 窓口ポスター", "channel": "web",
         "default_language": "ja", "active": True, "created_at": T0, "note": None},
        {"id": 2, "survey_id": 1, "code": "T4NB8R2ZLC", "label": "市民課 タブレット", "channel": "kiosk",
         "default_language": "pt_BR", "active": True, "created_at": T0, "note": "受付横"},
        {"id": 3, "survey_id": 2, "code": "C9HX3V6DEF", "label": "スマホ講座 第1回", "channel": "course",
         "default_language": "ja", "active": True, "created_at": T0, "note": None},
        {"id": 4, "survey_id": 2, "code": "C2JY5P8GHK", "label": "スマホ講座 第2回", "channel": "course",
         "default_language": "ja", "active": False, "created_at": T0, "note": None},
    ],
    "survey_versions": [
        {"id": 1, "survey_id": 1, "number": 1, "content_hash": "a" * 64, "definition": DEFINITION_COUNTER,
         "created_at": T0, "published_at": T0},
        {"id": 2, "survey_id": 1, "number": 2, "content_hash": "b" * 64, "definition": DEFINITION_COUNTER_2,
         "created_at": datetime(2026, 6, 1), "published_at": datetime(2026, 6, 1)},
        {"id": 3, "survey_id": 2, "number": 1, "content_hash": "c" * 64, "definition": DEFINITION_COURSE,
         "created_at": T0, "published_at": T0},
    ],
    "kpis": [
        {"id": 1, "version_id": 1, "key": "counter_satisfied", "titles": {"ja": "窓口に満足した市民の割合"},
         "headline": {"ja": "満足"}, "question_key": "counter_satisfaction",
         "success": ["very_satisfied", "satisfied"], "excluded": ["dont_know"], "no_answer_in_base": False,
         "direction": "up", "baseline_value": 0.612, "baseline_fiscal_year": 2025, "baseline_n": 412,
         "target_value": 0.7, "target_fiscal_year": 2030, "population": None},
        {"id": 2, "version_id": 3, "key": "course_useful", "titles": {"ja": "講座が役に立った割合"},
         "headline": {"ja": "役に立った"}, "question_key": "course_useful", "success": ["yes"], "excluded": [],
         "no_answer_in_base": True, "direction": "up", "baseline_value": 0.284, "baseline_fiscal_year": 2025,
         "baseline_n": None, "target_value": None, "target_fiscal_year": 2030, "population": 145000},
    ],
    "questions": [
        {"id": 1, "version_id": 1, "key": "counter_satisfaction", "position": 1, "page": 1, "type": "single",
         "required": True, "texts": {"ja": "窓口の対応に満足しましたか", "en": "Were you satisfied?"},
         "max_length": None, "demographic": None},
        {"id": 2, "version_id": 3, "key": "course_useful", "position": 1, "page": 1, "type": "single",
         "required": True, "texts": {"ja": "講座は役に立ちましたか"}, "max_length": None, "demographic": None},
        {"id": 3, "version_id": 3, "key": "course_comment", "position": 2, "page": 2, "type": "text",
         "required": False, "texts": {"ja": "ご意見をお書きください"}, "max_length": 400, "demographic": None},
    ],
    "options": [
        {"id": 1, "question_id": 1, "code": "satisfied", "position": 1, "kind": "answer",
         "texts": {"ja": "満足"}, "score": 1.0},
        {"id": 2, "question_id": 1, "code": "dissatisfied", "position": 2, "kind": "answer",
         "texts": {"ja": "不満"}, "score": 0.0},
        {"id": 3, "question_id": 2, "code": "yes", "position": 1, "kind": "answer",
         "texts": {"ja": "はい"}, "score": None},
        {"id": 4, "question_id": 2, "code": "no_answer", "position": 2, "kind": "no_answer",
         "texts": {"ja": "答えない"}, "score": None},
    ],
    "respondent_flows": [
        {"id": 1, "token": "f" * 43, "link_id": 1, "survey_version_id": 2,
         "client_uuid": uuid.UUID("6f1c2a4e-3b5d-4e7f-8a9b-0c1d2e3f4a5b"),
         "answers": {"counter_satisfaction": "satisfied"}, "created_at": T0, "updated_at": T0,
         "submitted_at": None},
        {"id": 2, "token": "e" * 43, "link_id": 3, "survey_version_id": 3,
         "client_uuid": uuid.UUID("7a2d3b5f-4c6e-4f80-9bac-1d2e3f4a5b6c"),
         "answers": {"course_useful": "yes"}, "created_at": T0, "updated_at": T0, "submitted_at": T0},
    ],
    "responses": [
        {"id": 1, "client_uuid": uuid.UUID("00000000-0000-4000-8000-000000000001"), "survey_id": 1,
         "survey_version_id": 1, "link_id": 1, "channel": "web", "submitted_at": datetime(2026, 4, 10, 12, 0),
         "fiscal_year": 2026, "body_hash": "1" * 64},
        {"id": 2, "client_uuid": uuid.UUID("00000000-0000-4000-8000-000000000002"), "survey_id": 1,
         "survey_version_id": 2, "link_id": 2, "channel": "kiosk", "submitted_at": datetime(2026, 6, 2, 9, 0),
         "fiscal_year": 2026, "body_hash": "2" * 64},
        {"id": 3, "client_uuid": uuid.UUID("00000000-0000-4000-8000-000000000003"), "survey_id": 2,
         "survey_version_id": 3, "link_id": 3, "channel": "course", "submitted_at": datetime(2026, 5, 20, 15, 0),
         "fiscal_year": 2026, "body_hash": "3" * 64},
        {"id": 4, "client_uuid": uuid.UUID("00000000-0000-4000-8000-000000000004"), "survey_id": 1,
         "survey_version_id": 1, "link_id": None, "channel": "counter", "submitted_at": datetime(2026, 3, 31, 16),
         "fiscal_year": 2025, "body_hash": "4" * 64},
    ],
    "answers": [
        {"id": 1, "response_id": 1, "question_key": "counter_satisfaction", "option_code": "satisfied",
         "text": None},
        {"id": 2, "response_id": 2, "question_key": "counter_satisfaction", "option_code": "dissatisfied",
         "text": None},
        {"id": 3, "response_id": 3, "question_key": "course_useful", "option_code": "yes", "text": None},
        {"id": 4, "response_id": 3, "question_key": "course_comment", "option_code": None,
         "text": "説明がゆっくりで分かりやすかったです。"},
        {"id": 5, "response_id": 4, "question_key": "counter_satisfaction", "option_code": "satisfied",
         "text": None},
    ],
    "population_tables": [
        {"id": 1, "fiscal_year": 2026, "source": "住民基本台帳 2026年4月1日", "has_area": True,
         "total": 145000, "uploaded_at": T0, "uploaded_by": 1},
    ],
    "population_cells": [
        {"id": 1, "table_id": 1, "age_band": "18-39", "gender": "female", "area": "那加", "population": 21000},
        {"id": 2, "table_id": 1, "age_band": "18-39", "gender": "male", "area": "那加", "population": 20500},
        {"id": 3, "table_id": 1, "age_band": "65+", "gender": "female", "area": "蘇原", "population": 18000},
    ],
    "courses": [
        {"id": 1, "title": "はじめてのスマホ講座", "active": True, "created_at": T0},
    ],
    "course_sessions": [
        {"id": 1, "course_id": 1, "held_on": date(2026, 5, 20), "venue": "中央図書館", "instructor": "山田",
         "attendees": 12, "link_id": 3, "created_at": T0, "created_by": 2},
        {"id": 2, "course_id": 1, "held_on": date(2026, 6, 3), "venue": "産業文化センター", "instructor": "佐藤",
         "attendees": 8, "link_id": 4, "created_at": T0, "created_by": None},
    ],
    "kiosk_devices": [
        {"id": 1, "name": "市民課タブレット1", "credential_hash": "d" * 64, "enroll_code_hash": None,
         "enroll_expires_at": None, "pin_hash": "scrypt:pin$" + "9" * 40, "pin_failures": 0,
         "pin_locked_until": None, "link_id": 2, "created_at": T0, "created_by": 1,
         "enrolled_at": datetime(2026, 4, 3, 11, 0), "revoked_at": None,
         "last_contact_at": datetime(2026, 6, 2, 9, 1), "pending_count": 0, "refused_count": 1},
        {"id": 2, "name": "図書館タブレット", "credential_hash": None, "enroll_code_hash": "e" * 64,
         "enroll_expires_at": datetime(2026, 6, 10, 17, 0), "pin_hash": "scrypt:pin$" + "8" * 40,
         "pin_failures": 3, "pin_locked_until": datetime(2026, 6, 10, 9, 15), "link_id": None,
         "created_at": T0, "created_by": 1, "enrolled_at": None, "revoked_at": datetime(2026, 6, 11, 8, 0),
         "last_contact_at": None, "pending_count": 2, "refused_count": 0},
    ],
}


def _type_for(values: list[Any]) -> sa.types.TypeEngine[Any]:
    """The SQLAlchemy type that binds and reads back a column's Python values unchanged."""
    sample = next((v for v in values if v is not None), None)
    kinds: list[tuple[type, sa.types.TypeEngine[Any]]] = [
        (bool, sa.Boolean()), (int, sa.Integer()), (float, sa.Double()), (str, sa.String()),
        (datetime, sa.DateTime()), (date, sa.Date()), (uuid.UUID, sa.Uuid()),
        (dict, sa.JSON()), (list, sa.JSON()),
    ]
    for kind, type_ in kinds:  # bool before int, datetime before date: subclasses first
        if isinstance(sample, kind):
            return type_
    return sa.types.NullType()  # NULL in every row: sent untyped, so any column type takes it


def table(name: str, columns: list[str] | None = None) -> sa.TableClause:
    """A lightweight table with the seeded columns (or the given subset), typed by their values."""
    rows = ROWS[name]
    names = columns if columns is not None else list(rows[0])
    return sa.table(name, *(sa.column(c, _type_for([r[c] for r in rows])) for c in names))


def insert_all(conn: sa.Connection) -> None:
    """Insert every seeded row, parents first (the dictionary is in dependency order)."""
    for name, rows in ROWS.items():
        conn.execute(sa.insert(table(name)), rows)
    if conn.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for name in ROWS:
            conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                                 f"(SELECT max(id) FROM {name}))"))
