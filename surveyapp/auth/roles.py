"""Who may do what: the one table of roles and permissions.

Every staff route declares one permission::

    @bp.get("/paper")
    @permission_required("paper.enter")
    def paper_index(): ...

and :data:`PERMISSIONS` says which roles hold it.  A new kind of page gets a new entry here
(name, roles, what it allows), nothing else: ``docs/roles.md`` is generated from this table
(``make roles-doc``) and ``tests/staff/test_access.py`` checks every staff URL of the URL map
against it, so a route without a permission, or a table that no longer matches the document,
fails the tests.  Templates ask ``can("results.view")``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Role:
    label: Any  # lazy string
    home: str  # endpoint of the page this role starts on after login
    summary: Any


ROLES: Mapping[str, Role] = {
    "admin": Role(_l("管理者"), "staff.dashboard",
                  _l("すべての操作。アカウントと操作記録の管理、アンケートの受付とリンク。")),
    "analyst": Role(_l("分析担当"), "staff.dashboard",
                    _l("KPIの結果、内訳、レポート、回収状況、自由記述、回答データ、人口表、要確認の回答。")),
    "author": Role(_l("作成担当"), "staff.surveys",
                   _l("アンケートを作成・編集し、プレビューして公開する。結果は見られません。")),
    "course-staff": Role(_l("講座担当"), "courses.course_index",
                         _l("講座とその回、その回の結果、キオスク端末。市全体のKPIの結果は見られません。")),
    "data-entry": Role(_l("入力担当"), "paper.index",
                       _l("紙の調査票と宛先不明の案内状を入力する担当。結果は見られません。")),
}
ROLE_NAMES: tuple[str, ...] = tuple(ROLES)
ALL_ROLES = frozenset(ROLES)
RESULTS_ROLES = frozenset({"admin", "analyst"})


@dataclass(frozen=True)
class Permission:
    roles: frozenset[str]
    label: Any  # lazy string: what the permission allows


PERMISSIONS: Mapping[str, Permission] = {
    "results.view": Permission(RESULTS_ROLES, _l(
        "KPIの結果を見る：KPI一覧の数値、KPIページと内訳、印刷用レポート、回収状況と精度の計画")),
    "results.download": Permission(RESULTS_ROLES, _l("KPIの集計と内訳をダウンロードする（Excel・CSV）")),
    "responses.download": Permission(RESULTS_ROLES, _l("回答データ（個票）とコードブックをダウンロードする")),
    "comments.view": Permission(RESULTS_ROLES, _l("自由記述を読む・ダウンロードする（閲覧は操作記録に残ります）")),
    "comments.reveal": Permission(RESULTS_ROLES, _l(
        "自由記述に書かれた電話番号とメールアドレスを表示する（表示は操作記録に残ります）")),
    "population.manage": Permission(RESULTS_ROLES, _l("重み付けに使う人口表を登録する")),
    "flags.review": Permission(RESULTS_ROLES, _l(
        "要確認の回答（自動送信などが疑われ集計から除いた回答）を確認し、要確認を解除する・要確認に戻す"
        "（操作記録に残ります）")),
    "surveys.manage": Permission(frozenset({"admin"}), _l(
        "アンケートの受付期間を設定し、リンク、QRコード、ポスターを作る")),
    "surveys.edit": Permission(frozenset({"admin", "author"}), _l(
        "アンケートの下書きを作成・編集し、プレビューし、差分を確認して公開する（Excel・TOMLの読み書き）")),
    "courses.manage": Permission(frozenset({"admin", "course-staff"}), _l(
        "講座と講座の回を登録し、その回のQRコードと結果を見る")),
    "kiosks.manage": Permission(frozenset({"admin", "course-staff"}), _l(
        "キオスク端末を追加し、表示するアンケートを選び、登録を取り消す")),
    "invitations.manage": Permission(frozenset({"admin"}), _l(
        "案内状の発送を作る（名簿からの無作為抽出・コードのみ・督促）。差し込み用ファイルと案内状を受け渡し、"
        "コードを消去し、未使用のコードを一覧する")),
    "invitations.undelivered": Permission(frozenset({"admin", "data-entry"}), _l(
        "宛先不明で戻った案内状のコードを登録する")),
    "paper.enter": Permission(frozenset({"admin", "data-entry"}), _l(
        "紙の調査票を印刷し、返送された調査票の束を作って入力する（1枚を2人が入力するダブル入力）")),
    "paper.resolve": Permission(frozenset({"admin", "data-entry"}), _l(
        "2回の入力のくい違いと、使用済みのコードを用紙を見て確定する（自分が入力した調査票は除く）")),
    "paper.supervise": Permission(frozenset({"admin"}), _l(
        "自分が入力した調査票でも確定し、ほかの職員の入力を取り消す")),
    "accounts.manage": Permission(frozenset({"admin"}), _l(
        "職員アカウントを作成し、役割の変更、停止と再開、パスワード再設定コードの発行をする")),
    "audit.view": Permission(frozenset({"admin"}), _l("操作記録（監査ログ）を見る・ダウンロードする")),
    "own.account": Permission(ALL_ROLES, _l("自分のアカウントを見て、パスワードを変更する")),
}

# The one page a staff member must see while their password has to be changed.
PASSWORD_CHANGE_ENDPOINT = "auth.password"  # noqa: S105 - an endpoint name


def permission_required(name: str) -> Callable[[F], F]:
    """Require a logged-in staff member whose role holds permission ``name``.

    Not logged in: to the login page. Password change pending: to the change page first.
    Logged in without the permission: 403.
    """
    permission = PERMISSIONS[name]  # an unknown name fails at import time

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.must_change_password and request.endpoint != PASSWORD_CHANGE_ENDPOINT:
                return redirect(url_for(PASSWORD_CHANGE_ENDPOINT))
            if current_user.role not in permission.roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.permission = name  # type: ignore[attr-defined]
        wrapped.allowed_roles = permission.roles  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def role_may(role: str, name: str) -> bool:
    return role in PERMISSIONS[name].roles


def can(name: str) -> bool:
    """Whether the logged-in staff member holds permission ``name`` (for templates and views)."""
    return bool(current_user.is_authenticated and role_may(current_user.role, name))


def role_label(role: str) -> str:
    return str(ROLES[role].label) if role in ROLES else role


def home_endpoint(role: str) -> str:
    return ROLES[role].home if role in ROLES else "auth.account"
