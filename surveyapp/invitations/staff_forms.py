"""Staff forms for invitation waves (Japanese only)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from .waves import CONTACT_MAX, LABEL_MAX, MAX_INVITATIONS, LetterDetails


class _LetterFields(FlaskForm):
    label = StringField(_l("発送の名前（例：第1回発送）"), validators=[
        InputRequired(_l("発送の名前を入力してください。")),
        Length(max=LABEL_MAX, message=_l("100文字以内で入力してください。"))])
    sent_on = DateField(_l("発送日（任意）"), validators=[Optional()])
    deadline = DateField(_l("回答期限（任意、案内状に印刷）"), validators=[Optional()])
    minutes = IntegerField(_l("所要時間（分、任意）"), validators=[
        Optional(), NumberRange(1, 120, _l("所要時間は1〜120分で入力してください。"))])
    contact = TextAreaField(_l("問い合わせ先（案内状に印刷。例：各務原市 総合政策課 電話 058-000-0000）"),
                            validators=[Length(max=CONTACT_MAX, message=_l("500文字以内で入力してください。"))])
    with_paper = BooleanField(_l("紙の調査票を同封する（案内状に返送の方法を印刷）"))

    def details(self) -> LetterDetails:
        return LetterDetails(sent_on=self.sent_on.data, deadline=self.deadline.data,
                             minutes=self.minutes.data, contact=self.contact.data or "",
                             with_paper=bool(self.with_paper.data))


class DrawForm(_LetterFields):
    frame = FileField(_l("抽出名簿のCSVファイル（frame_id と層の列だけ。氏名・住所は入れない）"),
                      validators=[FileRequired(_l("CSVファイルを選んでください。"))])
    by = StringField(_l("層に使う列（カンマ区切り。空欄なら frame_id 以外のすべての列）"),
                     validators=[Length(max=400)])
    allocation = SelectField(_l("配分"), choices=[
        SelectChoice("proportional", _l("比例配分（合計の人数。端数は最大剰余法）")),
        SelectChoice("fixed", _l("各層同数（1層あたりの人数）"))])
    n = IntegerField(_l("抽出する人数"), validators=[
        InputRequired(_l("抽出する人数を入力してください。")),
        NumberRange(1, MAX_INVITATIONS, _l("1〜20,000の数で入力してください。"))])
    seed = StringField(_l("シード（任意の数字。空欄なら自動で決めて記録します）"),
                       validators=[Length(max=18, message=_l("18桁までの数字で入力してください。"))])


class CodesForm(_LetterFields):
    count = IntegerField(_l("コードの数"), validators=[
        InputRequired(_l("コードの数を入力してください。")),
        NumberRange(1, MAX_INVITATIONS, _l("1〜20,000の数で入力してください。"))])


class ReminderForm(_LetterFields):
    parent = SelectField(_l("督促する発送"), coerce=int, choices=[])


class UndeliveredForm(FlaskForm):
    codes = TextAreaField(_l("返送された案内状のコードまたは通し番号（1行に1つ）"),
                          validators=[Length(max=100_000)])
    file = FileField(_l("またはCSVファイル（code または serial の列）"))
    undo = BooleanField(_l("宛先不明の記録を取り消す（正しい住所に送り直したとき）"))


class ConfirmForm(FlaskForm):
    """Erasing the codes: staff confirm they have saved the files."""

    saved = BooleanField(_l("差し込み用ファイルを保存し、案内状を印刷（またはPDFに保存）しました"),
                         validators=[InputRequired(_l("保存したことを確かめて、チェックを入れてください。"))])
