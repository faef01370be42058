"""WTForms built from a survey version: one form class per page of questions."""

from __future__ import annotations

from functools import cache
from typing import Any

from babel import support
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import messages_path
from wtforms.validators import UUID, InputRequired, ValidationError

from ..i18n import localized
from ..surveys.definitions import TEXT_MAX_LENGTH_DEFAULT, QuestionDef, SurveyDef

SHORT_TEXT_MAX_LENGTH = 200
HONEYPOT_FIELD = "Website"
"""A text field on every page that people never see (the ``hidden`` attribute keeps it from
sight, from screen readers, from the keyboard and from autofill); scripts that fill in every
field fill it in, and the response is flagged.  The capital letter keeps the name apart from
every question key (lower case only)."""


class _Required:
    """Like InputRequired, with a message that fits the kind of question."""

    def __init__(self, message: Any) -> None:
        self.message = message
        self.field_flags = {"required": True}

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        empty = data is None or data == [] or (isinstance(data, str) and not data.strip())
        if empty:
            field.errors[:] = []
            raise ValidationError(str(self.message))


class _KnownOptions:
    """Refuse codes that are not options of the question (a tampered or stale form)."""

    def __init__(self, codes: set[str]) -> None:
        self.codes = codes

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        values = data if isinstance(data, list) else ([] if data in (None, "") else [data])
        if any(value not in self.codes for value in values):
            raise ValidationError(str(_l("選択肢の中から選んでください。")))


class _ExclusiveOptions:
    """A "none of these" option (kind ``not_applicable``) cannot be ticked together with others."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data if isinstance(field.data, list) else []
        for code, label in self.labels.items():
            if code in data and len(set(data)) > 1:
                raise ValidationError(str(_l(
                    "「%(option)s」は、ほかの選択肢と一緒には選べません。どちらかを選び直してください。",
                    option=label)))


class _MaxLength:
    def __init__(self, limit: int) -> None:
        self.limit = limit

    def __call__(self, form: Any, field: Field) -> None:
        text = (field.data or "").replace("\r\n", "\n").strip()
        if len(text) > self.limit:
            raise ValidationError(str(_l(
                "%(limit)d文字以内で入力してください（いまは%(length)d文字です）。",
                limit=self.limit, length=len(text))))


def max_length_of(question: QuestionDef) -> int:
    """The documented length limit of a text question."""
    if question.max_length is not None:
        return question.max_length
    return SHORT_TEXT_MAX_LENGTH if question.type == "text" else TEXT_MAX_LENGTH_DEFAULT


def _field_for(question: QuestionDef, language: str) -> Field:
    label, _lang = localized(question.text, language)
    choices = [SelectChoice(o.code, localized(o.text, language)[0]) for o in question.options]
    codes = {o.code for o in question.options}
    validators: list[Any] = []
    if question.type == "single":
        if question.required:
            validators.append(_Required(_l("いずれか1つを選んでください。")))
        validators.append(_KnownOptions(codes))
        return RadioField(label, choices=choices, validators=validators, validate_choice=False)
    if question.type == "multiple":
        if question.required:
            validators.append(_Required(_l("あてはまるものを1つ以上選んでください。")))
        validators.append(_KnownOptions(codes))
        exclusive = {o.code: localized(o.text, language)[0] for o in question.options
                     if o.kind == "not_applicable"}
        if exclusive:
            validators.append(_ExclusiveOptions(exclusive))
        return SelectMultipleField(label, choices=choices, validators=validators,
                                   validate_choice=False)
    if question.required:
        validators.append(_Required(_l("入力してください。")))
    validators.append(_MaxLength(max_length_of(question)))
    field_class = StringField if question.type == "text" else TextAreaField
    return field_class(label, validators=validators)


@cache
def _wtforms_messages(locale: str) -> support.NullTranslations:
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class _PageForm(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form: Any) -> Any:
            """WTForms' own messages in the page's language, read once per process (Flask-WTF
            reads the catalogue again on every request)."""
            return _wtforms_messages(str(get_locale()))


_FORM_CLASSES: dict[tuple[int, int, str, bool], tuple[SurveyDef, type[FlaskForm]]] = {}


def cached_page_form_class(defn: SurveyDef, number: int, language: str, *, final: bool) -> type[FlaskForm]:
    """:func:`page_form_class` of page ``number`` of a published (immutable) definition, built
    once per process and language."""
    key = (id(defn), number, language, final)
    kept = _FORM_CLASSES.get(key)
    if kept is None or kept[0] is not defn:
        kept = _FORM_CLASSES[key] = (defn, page_form_class(defn.pages()[number - 1], language, final=final))
    return kept[1]


def page_form_class(questions: list[QuestionDef], language: str, *, final: bool) -> type[FlaskForm]:
    """A FlaskForm class for one page; the final page also carries the response's UUID."""
    attrs: dict[str, Any] = {}
    for question in questions:
        attrs[question.key] = _field_for(question, language)
    attrs[HONEYPOT_FIELD] = StringField(_l("ホームページ（この欄には何も入力しないでください）"))
    if final:
        attrs["response_id"] = HiddenField(validators=[
            InputRequired(message=_l("送信の識別番号がありません。もう一度お試しください。")),
            UUID(message=_l("送信の識別番号が正しくありません。もう一度お試しください。")),
        ])
    return type("PageForm", (_PageForm,), attrs)


def unanswered(value: Any) -> bool:
    """Whether a question's value is no answer at all (nothing chosen, nothing written)."""
    return value in (None, "", [])


def answers_from_form(form: FlaskForm, questions: list[QuestionDef]) -> dict[str, Any]:
    """The page's answers as plain data (codes or text), empty ones left out."""
    answers: dict[str, Any] = {}
    for question in questions:
        data = form[question.key].data
        if unanswered(data):
            continue
        if isinstance(data, str):
            data = data.replace("\r\n", "\n").strip()
            if not data:
                continue
        answers[question.key] = data
    return answers


def question_texts(question: QuestionDef, language: str) -> dict[str, Any]:
    """A question's texts in the language (each with the language it is really in) for templates."""
    text, text_lang = localized(question.text, language)
    hint, hint_lang = localized(question.hint, language) if question.hint else ("", "")
    options = []
    for option in question.options:
        label, label_lang = localized(option.text, language)
        options.append({"code": option.code, "label": label, "lang": label_lang,
                        "kind": option.kind})
    return {
        "key": question.key, "type": question.type, "text": text, "lang": text_lang,
        "hint": hint, "hint_lang": hint_lang, "required": question.required, "options": options,
        "max_length": max_length_of(question) if question.type in ("text", "textarea") else None,
    }
