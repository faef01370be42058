"""Japanese names of the states of paper batches and questionnaires (staff pages)."""

from __future__ import annotations

STATUS_LABELS = {
    "not_started": "未入力",
    "keyed_once": "入力中（2回目がまだの調査票があります）",
    "keyed_twice": "2回入力済み（集計待ち）",
    "discrepancies": "くい違い・重複の確認待ち",
    "done": "完了",
}
"""A batch, from ``results.paper_batches.BatchProgress.status``."""

STATE_LABELS = {
    "keying": "入力中",
    "keying_twice": "2回入力済み（集計待ち）",
    "discrepancies": "くい違いあり（確定待ち）",
    "duplicate": "コードが使用済み（判断待ち）",
    "done": "集計済み",
    "set_aside": "集計しない（重複）",
}
"""A questionnaire, from ``PaperQuestionnaire.state``."""
