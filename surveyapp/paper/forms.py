"""Staff forms for paper entry (Japanese only), built from the batch's survey definition.

A question's field is named ``q_<key>`` (a question key may be ``code`` or ``serial``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..surveys.definitions import QuestionDef, SurveyDef
from .models import BLANK, UNCLEAR
from .services import EXPECTED_MAX, LABEL_MAX, SERIAL_MAX
from .values import MARK_LABELS, MULTIPLE_UNCLEAR_LABEL, value_problem

PREFIX = "q_"


def field_name(key: str) -> str:
    return PREFIX + key


class BatchForm(FlaskForm):
    survey = SelectField(_l("アンケート"), choices=[], validate_choice=False)
    label = StringField(_l("束の名前（例：6月3日受付分）"), validators=[
        InputRequired(_l("束の名前を入力してください。")),
        Length(max=LABEL_MAX, message=_l("%(n)d文字以内で入力してください。", n=LABEL_MAX))])
    received_on = DateField(_l("受付日（郵便が届いた日）"),
                            validators=[InputRequired(_l("受付日を入力してください。"))], default=None)
    expected = IntegerField(_l("枚数"), validators=[
        InputRequired(_l("枚数を入力してください。")),
        NumberRange(1, EXPECTED_MAX, _l("1〜%(n)sの数で入力してください。", n=f"{EXPECTED_MAX:,}"))])
    wave = SelectField(_l("案内状の発送（任意）"), choices=[], validate_choice=False)


def batch_form(surveys: list[tuple[str, str]], waves: list[tuple[str, str]], formdata: Any = None,
               today: date | None = None) -> BatchForm:
    form = BatchForm(formdata=formdata) if formdata is not None else BatchForm(formdata=None,
                                                                              received_on=today)
    form.survey.choices = [SelectChoice(key, title) for key, title in surveys]
    form.wave.choices = [SelectChoice("", _l("なし（コードで発送がわかります）")),
                         *(SelectChoice(value, label) for value, label in waves)]
    return form


def _value(question: QuestionDef, data: Any) -> Any:
    """Form data → the value recorded for the question (see ``models``)."""
    if question.type == "single":
        return data or None
    if question.type == "multiple":
        chosen = [c for c in (data or []) if c]
        if not chosen:
            return BLANK
        if UNCLEAR in chosen:
            return UNCLEAR if len(chosen) == 1 else chosen  # with others: refused below
        return chosen
    return (data or "").replace("\r\n", "\n")


class _Checked:
    """The same check as the service, on one question's field."""

    def __init__(self, question: QuestionDef) -> None:
        self.question = question

    def __call__(self, form: Any, field: Field) -> None:
        value = _value(self.question, field.data)
        if isinstance(value, list) and UNCLEAR in value:
            raise ValidationError(str(_l("「%(label)s」は、ほかの選択肢と一緒には選べません。",
                                         label=MULTIPLE_UNCLEAR_LABEL)))
        problem = value_problem(self.question, value)
        if problem:
            field.errors[:] = []
            raise ValidationError(problem)


def _question_field(question: QuestionDef) -> Field:
    numbered = [SelectChoice(o.code, o.text["ja"]) for o in question.options]
    check = _Checked(question)
    if question.type == "single":
        marks = [SelectChoice(BLANK, MARK_LABELS[BLANK]), SelectChoice(UNCLEAR, MARK_LABELS[UNCLEAR])]
        return RadioField(question.text["ja"], choices=numbered + marks, validators=[check],
                          validate_choice=False)
    if question.type == "multiple":
        return SelectMultipleField(question.text["ja"],
                                   choices=numbered + [SelectChoice(UNCLEAR, MULTIPLE_UNCLEAR_LABEL)],
                                   validators=[check], validate_choice=False)
    field_class = TextAreaField if question.type == "textarea" else StringField
    return field_class(question.text["ja"], validators=[check])


def questions_form_class(defn: SurveyDef, keys: list[str] | None = None, *, serial: bool = False,
                         code: bool = False) -> type[FlaskForm]:
    """A form with the questions ``keys`` (default: all), and the serial / code fields."""
    attrs: dict[str, Any] = {}
    if serial:
        attrs["serial"] = IntegerField(_l("調査票番号"), validators=[
            InputRequired(_l("調査票番号を入力してください（用紙の右上の番号）。")),
            NumberRange(1, SERIAL_MAX, _l("調査票番号は1〜%(n)sの数で入力してください。", n=f"{SERIAL_MAX:,}"))])
    if code:
        attrs["code"] = StringField(_l("招待コード"), validators=[
            Optional(), Length(max=40, message=_l("コードが長すぎます。"))])
    for question in defn.questions:
        if keys is None or question.key in keys:
            attrs[field_name(question.key)] = _question_field(question)
    return type("PaperEntryForm", (FlaskForm,), attrs)


def form_values(form: FlaskForm, defn: SurveyDef, keys: list[str] | None = None) -> dict[str, Any]:
    """The values of the form's questions, by question key."""
    return {q.key: _value(q, form[field_name(q.key)].data) for q in defn.questions
            if keys is None or q.key in keys}


class DecisionForm(FlaskForm):
    decision = RadioField(_l("どうしますか"), choices=[
        SelectChoice("keep_other", _l("すでに集計されている回答を残し、この調査票は集計しない")),
        SelectChoice("correct_code", _l("コードを読み違えていた：用紙の正しいコードを入力する"))],
        validators=[InputRequired(_l("どちらかを選んでください。"))])
    code = StringField(_l("正しいコード（「コードを読み違えていた」のとき）"),
                       validators=[Optional(), Length(max=40, message=_l("コードが長すぎます。"))])
