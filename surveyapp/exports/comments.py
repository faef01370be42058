"""The comments download: one row per free-text answer, with the question, the respondent's answer
to each KPI question beside it, and phone numbers and e-mail addresses hidden unless revealed."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import gettext as _

from ..results.comments import Comment
from ..surveys.definitions import SurveyDef
from .cells import Cell
from .columns import COUNT, ID, YEAR, Column
from .labels import CHANNEL_LABELS
from .raw import NO_ANSWER, question_number


@dataclass(frozen=True)
class CommentExport:
    columns: tuple[Column, ...]
    questions: dict[str, str]  # key → 「問6 ご意見…」
    kpi_options: tuple[dict[str, str], ...]  # per KPI question: code → label
    channels: dict[str, str]  # channel code → label
    no_answer: str  # the label of an unanswered KPI question

    def rows(self, comments: Iterable[Comment], *, reveal: bool) -> Iterator[list[Cell]]:
        for comment in comments:
            row: list[Cell] = [
                comment.response_id, comment.submitted_at.strftime("%Y-%m-%d %H:%M"), comment.fiscal_year,
                comment.channel, self.channels.get(comment.channel, comment.channel), comment.link,
                comment.question_key, self.questions.get(comment.question_key, comment.question_key),
            ]
            for code, options in zip(comment.kpi_answers, self.kpi_options, strict=True):
                row += [code, self.no_answer if code is None else options.get(code, code)]
            row += [comment.shown_text(reveal), 0 if reveal else len(comment.contacts)]
            yield row


def comment_export(defn: SurveyDef, kpi_keys: Iterable[str]) -> CommentExport:
    numbers = {question.key: question_number(index) for index, question in enumerate(defn.questions)}
    columns = [
        Column("response_id", _("回答番号"), _("回答の通し番号（回答データの回答番号と同じ）"), ID),
        Column("submitted_at_jst", _("回答日時"), _("回答した日時（日本時間）"), width=16),
        Column("fiscal_year", _("年度（西暦）"), _("年度（西暦、4月〜翌年3月）"), YEAR),
        Column("channel", _("経路コード"), _("回答経路のコード")),
        Column("channel_label", _("経路"), _("回答経路"), width=18),
        Column("link", _("リンク"), _("配布用リンクの名前"), width=18),
        Column("question", _("設問コード"), _("自由記述の設問のキー")),
        Column("question_label", _("設問"), _("自由記述の設問（問番号と文言）"), width=30),
    ]
    kpi_options = []
    for key in kpi_keys:
        question = defn.question(key)
        number = numbers[key]
        columns += [Column(key, _("%(number)s（コード）", number=number),
                           _("KPIの設問「%(question)s」への回答のコード", question=question.text["ja"])),
                    Column(f"{key}_label", f"{number} {question.text['ja']}",
                           _("同じ回答者のKPIの設問への回答"), width=16)]
        kpi_options.append({option.code: option.text["ja"] for option in question.options})
    columns += [
        Column("text", _("自由記述"), _("回答者が書いた文章。電話番号とメールアドレスは、表示を選ばない限り"
               "「［電話番号］」「［メールアドレス］」に置き換えています"), width=80),
        Column("masked", _("伏せた連絡先"), _("置き換えた電話番号・メールアドレスの数"), COUNT),
    ]
    questions = {question.key: f"{numbers[question.key]} {question.text['ja']}" for question in defn.questions}
    channels = {code: str(text) for code, text in CHANNEL_LABELS.items()}
    return CommentExport(tuple(columns), questions, tuple(kpi_options), channels, str(NO_ANSWER))
