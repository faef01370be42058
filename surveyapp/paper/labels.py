"""Japanese names of the states of paper batches and questionnaires (staff pages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "not_started": _l("未入力"),
    "keyed_once": _l("入力中（2回目がまだの調査票があります）"),
    "keyed_twice": _l("2回入力済み（集計待ち）"),
    "discrepancies": _l("くい違い・重複の確認待ち"),
    "done": _l("完了"),
}
"""A batch, from ``results.paper_batches.BatchProgress.status``."""

STATE_LABELS = {
    "keying": _l("入力中"),
    "keying_twice": _l("2回入力済み（集計待ち）"),
    "discrepancies": _l("くい違いあり（確定待ち）"),
    "duplicate": _l("コードが使用済み（判断待ち）"),
    "done": _l("集計済み"),
    "set_aside": _l("集計しない（重複）"),
}
"""A questionnaire, from ``PaperQuestionnaire.state``."""
