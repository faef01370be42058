"""Audit log: who did what, when (logins, downloads, comments read, survey and account changes).

The log is append-only from the app: the ORM refuses to change or delete an entry, one by one
or in bulk (:class:`AuditLogIsAppendOnly`).  Nothing in the app deletes entries; keeping or
archiving old ones is the operator's decision (see the README).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, ColumnElement, ForeignKey, String, event, func
from sqlalchemy.orm import Mapped, Session, mapped_column

from .extensions import db
from .timeutil import from_japan, to_japan, utcnow

PER_PAGE = 50
TARGET_MAX = 200


class AuditLogIsAppendOnly(RuntimeError):
    """Something tried to change or delete an audit entry."""


class AuditEntry(db.Model):  # type: ignore[name-defined]
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str] = mapped_column(String(TARGET_MAX))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(AuditEntry, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: AuditEntry) -> None:
    raise AuditLogIsAppendOnly(f"audit entry {target.id} cannot be deleted")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state: Any) -> None:
    """``update(AuditEntry)`` / ``delete(AuditEntry)`` run through a session bypass the mapper
    events above; refuse them here."""
    if not (state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is not None and getattr(table, "name", None) == AuditEntry.__tablename__:
        raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")


def record(user_id: int | None, action: str, target: str, **detail: Any) -> AuditEntry:
    """Add an audit entry to the session (the caller's use case commits it)."""
    entry = AuditEntry(user_id=user_id, action=action, target=target[:TARGET_MAX], detail=detail)
    db.session.add(entry)
    return entry


# --------------------------------------------------------------------------- reading

# How an action reads on the audit page and in its CSV. Actions not listed here (added later)
# are shown by their code.
ACTION_LABELS = {
    "staff.login": _l("ログイン"),
    "staff.login_failed": _l("ログイン失敗"),
    "staff.logout": _l("ログアウト"),
    "staff.session_expired": _l("ログインの期限切れ"),
    "staff.create": _l("アカウント作成"),
    "staff.role": _l("役割の変更"),
    "staff.deactivate": _l("アカウント停止"),
    "staff.reactivate": _l("アカウント再開"),
    "staff.reset_issued": _l("再設定コードの発行"),
    "staff.reset_failed": _l("再設定コードの誤り"),
    "staff.password_reset": _l("再設定コードでパスワード設定"),
    "staff.password_changed": _l("パスワード変更"),
    "staff.password_change_failed": _l("パスワード変更の失敗"),
    "staff.must_change": _l("次回ログイン時の変更を指示"),
    "staff.unlock": _l("ログイン制限の解除"),
    "comments.view": _l("自由記述の閲覧"),
    "download.kpis_csv": _l("KPI集計のダウンロード（CSV）"),
    "download.kpis_xlsx": _l("KPI集計のダウンロード（Excel）"),
    "download.breakdowns_csv": _l("KPI内訳のダウンロード（CSV）"),
    "download.breakdowns_xlsx": _l("KPI内訳のダウンロード（Excel）"),
    "download.responses_csv": _l("回答データのダウンロード（CSV）"),
    "download.responses_xlsx": _l("回答データのダウンロード（Excel）"),
    "download.codebook_csv": _l("コードブックのダウンロード"),
    "download.comments_csv": _l("自由記述のダウンロード（CSV）"),
    "download.comments_xlsx": _l("自由記述のダウンロード（Excel）"),
    "download.audit_csv": _l("操作記録のダウンロード"),
    "survey.load": _l("アンケート定義の読み込み"),
    "survey.open": _l("アンケートの受付開始"),
    "survey.closed": _l("アンケートの受付終了"),
    "link.create": _l("リンク作成"),
    "population.upload": _l("人口表の登録"),
    "course.create": _l("講座名の追加"),
    "course.activate": _l("講座名を使う"),
    "course.deactivate": _l("講座名を使わない"),
    "course_session.create": _l("講座の回の作成"),
    "course_session.update": _l("講座の回の変更"),
    "kiosk_device.create": _l("キオスク端末の追加"),
    "kiosk_device.reissue": _l("キオスク登録コードの再発行"),
    "kiosk_device.enroll": _l("キオスク端末の登録"),
    "kiosk_device.assign": _l("キオスク端末のアンケート変更"),
    "kiosk_device.revoke": _l("キオスク端末の登録取り消し"),
    "kiosk_device.pin_locked": _l("キオスク暗証番号のロック"),
}
def audit_header() -> list[str]:
    """The header of the audit CSV."""
    return [_("日時（日本時間）"), _("職員"), _("操作コード"), _("操作"), _("対象"), _("詳細")]


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@dataclass(frozen=True)
class AuditFilter:
    """Which entries to show; dates are Japan-time calendar days, both ends included.
    ``user_id`` 0 means entries made by no one logged in (the CLI, failed logins)."""

    user_id: int | None = None
    action: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.user_id == 0:
            conditions.append(AuditEntry.user_id.is_(None))
        elif self.user_id is not None:
            conditions.append(AuditEntry.user_id == self.user_id)
        if self.action:
            conditions.append(AuditEntry.action == self.action)
        if self.date_from is not None:
            conditions.append(AuditEntry.at >= from_japan(datetime.combine(self.date_from, time())))
        if self.date_to is not None:
            end = datetime.combine(self.date_to + timedelta(days=1), time())
            conditions.append(AuditEntry.at < from_japan(end))
        return conditions


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime  # Japan time
    person: str | None  # the staff member's e-mail; None for the CLI and failed logins
    action: str
    target: str
    detail: dict[str, Any]

    @property
    def label(self) -> str:
        return action_label(self.action)

    @property
    def detail_pairs(self) -> list[tuple[str, str]]:
        """The detail as (key, value) text pairs for the screen."""
        return [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
                for key, value in sorted(self.detail.items())]

    @property
    def detail_text(self) -> str:
        return json.dumps(self.detail, ensure_ascii=False, sort_keys=True) if self.detail else ""


@dataclass(frozen=True)
class AuditPage:
    items: tuple[AuditRow, ...]
    page: int
    pages: int
    total: int


def _select(conditions: list[ColumnElement[bool]]) -> Any:
    from .auth.models import StaffUser

    return (db.select(AuditEntry.id, AuditEntry.at, StaffUser.email, AuditEntry.action,
                      AuditEntry.target, AuditEntry.detail)
            .select_from(AuditEntry).outerjoin(StaffUser, StaffUser.id == AuditEntry.user_id)
            .where(*conditions).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()))


def _row(row: Any) -> AuditRow:
    entry_id, at, email, action, target, detail = row
    return AuditRow(entry_id, to_japan(at), email, action, target,
                    detail if isinstance(detail, dict) else {})


def audit_page(selection: AuditFilter, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """One page of entries, newest first; a page past the end gives the last page."""
    conditions = selection.conditions()
    total = db.session.scalar(db.select(func.count(AuditEntry.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    rows = db.session.execute(_select(conditions).limit(per_page).offset((page - 1) * per_page))
    return AuditPage(tuple(_row(r) for r in rows), page, pages, total)


def audit_rows(selection: AuditFilter) -> Iterator[list[str | int | None]]:
    """Every matching entry as a CSV row (newest first), streamed."""
    result = db.session.execute(_select(selection.conditions()).execution_options(yield_per=500))
    for raw in result:
        row = _row(raw)
        yield [f"{row.at:%Y-%m-%d %H:%M:%S}", row.person or "", row.action, row.label, row.target,
               row.detail_text]


def audit_actions() -> list[str]:
    """Every action code in the log, plus the known ones, sorted."""
    seen = set(db.session.scalars(db.select(AuditEntry.action).distinct()))
    return sorted(seen | set(ACTION_LABELS))


def audit_people() -> list[tuple[int, str]]:
    """(id, e-mail) of every staff account, for the person filter."""
    from .auth.models import StaffUser

    return [(row.id, row.email) for row in db.session.execute(
        db.select(StaffUser.id, StaffUser.email).order_by(StaffUser.email))]
