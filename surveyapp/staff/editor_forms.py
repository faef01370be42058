"""Forms of the survey editor, built from the declared schema.

The forms only carry what staff typed: every check of the values is the schema's own (the same
messages as a TOML file or a workbook), run on the saved draft and shown beside the field that
:func:`field_name` names for a problem's key path.  Typed values are read with the workbook's
cell rules (``from_cell``: full-width digits, 「28.4%」, はい/いいえ), so one spelling works in
both front doors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length

from ..surveys.format.schema import (
    AUDIENCE_CHOICES,
    CONTACT,
    DEMOGRAPHIC_CHOICES,
    DIRECTION_CHOICES,
    KIND_CHOICES,
    KPI,
    LANGUAGE_LABELS,
    LANGUAGES,
    OPTION,
    QUESTION,
    REPORT,
    STATUS_CHOICES,
    SURVEY,
    TYPE_CHOICES,
    Choices,
    Table,
)
from ..surveys.format.workbook_layout import from_cell
from .editor_problems import ident

NOT_OFFERED = ""
# The one-line settings inside [contact] and [report]: fields named "<table>_<key>", labelled
# as in the schema.
NESTED_LINES = tuple((f"{table.name}_{key}", table.field(key)) for table, key in (
    (CONTACT, "phone"), (CONTACT, "email"), (CONTACT, "url"), (CONTACT, "privacy_policy"),
    (REPORT, "population"), (REPORT, "department")))


def _choices(choices: Choices, *, empty: str | None = None) -> list[SelectChoice]:
    listed = [SelectChoice("", empty)] if empty is not None else []
    return listed + [SelectChoice(item.code, item.label) for item in choices.items]


def _typed(table: Table, key: str, text: str | None) -> Any:
    """A typed value as the definition's data: None when empty (the key is left out)."""
    text = (text or "").strip()
    if not text:
        return None
    return from_cell(table.field(key), text)


def _shown(value: Any) -> str:
    """A stored value in a text box (proportions as percentages, as in the workbook)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def percent(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value * 100:.10g}%"
    return _shown(value)


def _texts_in(data: Mapping[str, Any], prefix: str, langs: Sequence[str], *,
              field_prefix: str | None = None) -> dict[str, str]:
    texts = data.get(prefix)
    texts = texts if isinstance(texts, Mapping) else {}
    return {f"{field_prefix or prefix}_{ident(lang)}": str(texts.get(lang, "")) for lang in langs}


def _texts_out(form: Any, prefix: str, langs: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lang in langs:
        value = (form[f"{prefix}_{ident(lang)}"].data or "").replace("\r\n", "\n")
        if value.strip():
            out[lang] = value.strip("\n")
    return out


def _put_texts(table: dict[str, Any], form: Any, keys: Sequence[str], langs: Sequence[str]) -> None:
    """Texts that were written; an empty text is left out, as an empty cell of a workbook is,
    so that it gets the same message."""
    for key in keys:
        texts = _texts_out(form, key, langs)
        if texts:
            table[key] = texts


def _text_fields(attrs: dict[str, Any], prefix: str, label: str, langs: Sequence[str], *,
                 multiline: bool) -> None:
    field = TextAreaField if multiline else StringField
    for lang in langs:
        attrs[f"{prefix}_{ident(lang)}"] = field(_("%(label)s（%(language)s）", label=label,
                                                   language=LANGUAGE_LABELS[lang]))


class RevisionForm(FlaskForm):
    """A button that changes the draft: CSRF and the revision the page showed."""

    revision = HiddenField()

    def revision_number(self) -> int:
        try:
            return int(self.revision.data or "")
        except ValueError:
            return -1


class MoveForm(RevisionForm):
    """上へ／下へ: the pressed button's value (``up`` or ``down``)."""

    direction = StringField()


# --------------------------------------------------------------------------- survey settings


def settings_form_class(langs: Sequence[str]) -> type[RevisionForm]:
    attrs: dict[str, Any] = {
        "audience": SelectField(_l("回答者"), choices=_choices(AUDIENCE_CHOICES)),
        "public_results": BooleanField(_l("集計結果をオープンデータとして公開してよい")),
        "default_language": SelectField(_l("最初に表示する言語"), choices=[
            SelectChoice(code, LANGUAGE_LABELS[code]) for code in LANGUAGES]),
    }
    _text_fields(attrs, "title", _("調査名"), langs, multiline=False)
    _text_fields(attrs, "description", _("説明文"), langs, multiline=True)
    attrs["minutes"] = StringField(_l("回答にかかる時間（分、任意）"))
    _text_fields(attrs, "contact_name", _("問い合わせ先の名前"), langs, multiline=False)
    for key, f in NESTED_LINES:
        attrs[key] = StringField(f.label, description=f.help)
    for lang in LANGUAGES[1:]:
        attrs[f"status_{ident(lang)}"] = SelectField(
            LANGUAGE_LABELS[lang], choices=[SelectChoice(NOT_OFFERED, _l("提供しない")),
                                            *_choices(STATUS_CHOICES)])
    return type("SettingsForm", (RevisionForm,), attrs)


def settings_formdata(data: Mapping[str, Any], langs: Sequence[str]) -> dict[str, Any]:
    status = data.get("translation_status")
    status = status if isinstance(status, Mapping) else {}
    values: dict[str, Any] = {
        "audience": data.get("audience"), "public_results": data.get("public_results") is True,
        "default_language": data.get("default_language", "ja"),
        **_texts_in(data, "title", langs), **_texts_in(data, "description", langs),
        "minutes": _shown(data.get("minutes")),
    }
    contact = data.get("contact")
    values.update(_texts_in(contact if isinstance(contact, Mapping) else {}, "name", langs,
                            field_prefix="contact_name"))
    for key, _field in NESTED_LINES:
        table, name = key.split("_", 1)
        stored = data.get(table)
        values[key] = _shown(stored.get(name) if isinstance(stored, Mapping) else None)
    for lang in LANGUAGES[1:]:
        values[f"status_{ident(lang)}"] = status.get(lang, NOT_OFFERED)
    return values


def settings_from_form(form: Any, data: Mapping[str, Any],
                       langs: Sequence[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """(survey keys to store, None meaning "leave out"; the translation status per language)."""
    values: dict[str, Any] = {
        "audience": form.audience.data, "public_results": bool(form.public_results.data),
        "default_language": form.default_language.data,
        "title": _texts_out(form, "title", langs) or None,
        "description": _texts_out(form, "description", langs) or None,
        "minutes": _typed(SURVEY, "minutes", form.minutes.data),
        **_nested_out(form, data, langs),
    }
    status = data.get("translation_status")
    ja = status.get("ja", "reviewed") if isinstance(status, Mapping) else "reviewed"
    statuses = {"ja": ja}
    for lang in LANGUAGES[1:]:
        chosen = form[f"status_{ident(lang)}"].data
        if chosen:
            statuses[lang] = chosen
    return values, statuses


def _nested_out(form: Any, data: Mapping[str, Any], langs: Sequence[str]) -> dict[str, Any]:
    """The ``[contact]`` and ``[report]`` tables: what was written, a table left out when empty.
    Names in languages the page does not show are kept."""
    tables: dict[str, dict[str, Any]] = {"contact": {}, "report": {}}
    stored = data.get("contact")
    names = {lang: text for lang, text in (stored.get("name") or {}).items() if lang not in langs} \
        if isinstance(stored, Mapping) and isinstance(stored.get("name"), Mapping) else {}
    names.update(_texts_out(form, "contact_name", langs))
    if names:
        tables["contact"]["name"] = names
    for key, _field in NESTED_LINES:
        table, name = key.split("_", 1)
        value = (form[key].data or "").strip()
        if value:
            tables[table][name] = value
    return {table: values or None for table, values in tables.items()}


# --------------------------------------------------------------------------- questions


def question_form_class(langs: Sequence[str]) -> type[RevisionForm]:
    option_attrs: dict[str, Any] = {
        "code": StringField(_l("回答コード")),
        "kind": SelectField(_l("区分"), choices=_choices(KIND_CHOICES)),
        "score": StringField(_l("得点（任意）")),
    }
    _text_fields(option_attrs, "text", _("表示"), langs, multiline=False)
    option_form = type("OptionForm", (Form,), option_attrs)
    attrs: dict[str, Any] = {
        "key": StringField(_l("設問キー")),
        "type": SelectField(_l("種類"), choices=_choices(TYPE_CHOICES)),
        "required": BooleanField(_l("回答を必須にする")),
        "same_page": BooleanField(_l("前の設問と同じページに表示する")),
        "demographic": SelectField(_l("属性（集計の内訳に使う設問）"),
                                   choices=_choices(DEMOGRAPHIC_CHOICES, empty=str(_l("なし")))),
        "max_length": StringField(_l("最大文字数（空欄なら既定の文字数）")),
        "options": FieldList(FormField(option_form)),
        "action": StringField(),
    }
    _text_fields(attrs, "text", _("設問文"), langs, multiline=True)
    _text_fields(attrs, "hint", _("補足"), langs, multiline=True)
    return type("QuestionForm", (RevisionForm,), attrs)


def question_formdata(question: Mapping[str, Any], same_page: bool, langs: Sequence[str]) -> dict[str, Any]:
    options = question.get("options")
    rows = []
    for option in options if isinstance(options, list) else []:
        if isinstance(option, Mapping):
            rows.append({"code": _shown(option.get("code")), "kind": option.get("kind", "answer"),
                         "score": _shown(option.get("score")), **_texts_in(option, "text", langs)})
    return {
        "key": _shown(question.get("key")), "type": question.get("type"),
        "required": question.get("required") is True, "same_page": same_page,
        "demographic": question.get("demographic") or "", "max_length": _shown(question.get("max_length")),
        "options": rows, **_texts_in(question, "text", langs), **_texts_in(question, "hint", langs),
    }


def question_from_form(form: Any, langs: Sequence[str]) -> dict[str, Any]:
    """The question as the definition's data (keys left out when empty)."""
    question: dict[str, Any] = {
        "key": (form.key.data or "").strip(), "type": form.type.data, "required": bool(form.required.data),
    }
    _put_texts(question, form, ("text", "hint"), langs)
    if form.demographic.data:
        question["demographic"] = form.demographic.data
    max_length = _typed(QUESTION, "max_length", form.max_length.data)
    if max_length is not None:
        question["max_length"] = max_length
    if form.type.data in ("single", "multiple"):
        options = []
        for entry in form.options:
            option: dict[str, Any] = {"code": (entry.form.code.data or "").strip()}
            _put_texts(option, entry.form, ("text",), langs)
            if entry.form.kind.data and entry.form.kind.data != "answer":
                option["kind"] = entry.form.kind.data
            score = _typed(OPTION, "score", entry.form.score.data)
            if score is not None:
                option["score"] = score
            options.append(option)
        question["options"] = options
    return question


OPTION_VERBS = ("up", "down", "remove")


def option_action(action: str | None) -> tuple[str, int] | None:
    """``add-option`` → ("add", 0); ``option-up-2`` → ("up", 2); anything else → None."""
    if action == "add-option":
        return ("add", 0)
    parts = (action or "").split("-")
    if len(parts) == 3 and parts[0] == "option" and parts[1] in OPTION_VERBS and parts[2].isdigit():
        return (parts[1], int(parts[2]))
    return None


# --------------------------------------------------------------------------- KPIs


def kpi_form_class(langs: Sequence[str], questions: Sequence[tuple[str, str]],
                   options: Sequence[tuple[str, str]]) -> type[RevisionForm]:
    attrs: dict[str, Any] = {
        "key": StringField(_l("KPIキー")),
        "question": SelectField(_l("KPI の元になる設問（単一回答の設問）"),
                                choices=[SelectChoice(k, label) for k, label in questions]),
        "success": SelectMultipleField(_l("成功とする回答（割合の分子）"),
                                       choices=[SelectChoice(c, label) for c, label in options],
                                       validate_choice=False),
        "excluded": SelectMultipleField(_l("母数から除く回答（「利用したことがない」など）"),
                                        choices=[SelectChoice(c, label) for c, label in options],
                                        validate_choice=False),
        "no_answer_in_base": RadioField(_l("無回答の扱い"), choices=[
            SelectChoice("true", _l("母数に含める（通常）")), SelectChoice("false", _l("母数から除く"))]),
        "direction": SelectField(_l("目標の方向"), choices=_choices(DIRECTION_CHOICES)),
        "baseline_value": StringField(_l("基準値")),
        "baseline_fiscal_year": StringField(_l("基準値の年度（西暦）")),
        "baseline_n": StringField(_l("基準値の回答者数（分かる場合）")),
        "target_value": StringField(_l("目標値（数値目標がなければ空欄）")),
        "target_fiscal_year": StringField(_l("目標の年度（西暦）")),
        "population": StringField(_l("母集団の大きさ（職員数など、分かる場合）")),
    }
    _text_fields(attrs, "title", _("KPI名"), langs, multiline=False)
    _text_fields(attrs, "headline", _("数え方"), langs, multiline=False)
    return type("KpiForm", (RevisionForm,), attrs)


_KPI_NUMBERS = ("baseline_fiscal_year", "baseline_n", "target_fiscal_year", "population")


def kpi_formdata(kpi: Mapping[str, Any], langs: Sequence[str]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "key": _shown(kpi.get("key")), "question": kpi.get("question"),
        "success": [c for c in kpi.get("success") or [] if isinstance(c, str)],
        "excluded": [c for c in kpi.get("excluded") or [] if isinstance(c, str)],
        "no_answer_in_base": "false" if kpi.get("no_answer_in_base") is False else "true",
        "direction": kpi.get("direction"),
        "baseline_value": percent(kpi.get("baseline_value")), "target_value": percent(kpi.get("target_value")),
        **{name: _shown(kpi.get(name)) for name in _KPI_NUMBERS},
        **_texts_in(kpi, "title", langs), **_texts_in(kpi, "headline", langs),
    }
    return values


def kpi_from_form(form: Any, langs: Sequence[str], codes: Sequence[str]) -> dict[str, Any]:
    """The KPI as the definition's data; success and excluded keep only codes of the chosen
    question (ticked boxes of a question that was just replaced are dropped)."""
    kpi: dict[str, Any] = {
        "key": (form.key.data or "").strip(), "question": form.question.data,
        "success": [c for c in form.success.data or [] if c in codes],
        "excluded": [c for c in form.excluded.data or [] if c in codes],
        "no_answer_in_base": form.no_answer_in_base.data != "false",
        "direction": form.direction.data,
    }
    _put_texts(kpi, form, ("title", "headline"), langs)
    for name in ("baseline_value", "target_value", *_KPI_NUMBERS):
        value = _typed(KPI, name, form[name].data)
        if value is not None:
            kpi[name] = value
    return kpi


# --------------------------------------------------------------------------- files and lifecycle


class UploadForm(FlaskForm):
    file = FileField(_l("定義ファイル（Excel ブック .xlsx または TOML .toml）"),
                     validators=[FileRequired(_l("ファイルを選んでください。"))])


SOURCES = (("blank", _l("白紙から作る")), ("copy", _l("ほかのアンケートをコピーして作る")),
           ("file", _l("定義ファイル（Excel・TOML）から作る")))


class NewSurveyForm(FlaskForm):
    source = RadioField(_l("作り方"), choices=[SelectChoice(code, label) for code, label in SOURCES],
                        default="blank")
    key = StringField(_l("調査キー（URL と出力に使う英数字。例：library-users）"))
    title = StringField(_l("調査名（日本語）"), validators=[Length(max=200)])
    copy_from = SelectField(_l("コピーするアンケート"), choices=[])
    file = FileField(_l("定義ファイル（.xlsx または .toml）"))


class PublishForm(RevisionForm):
    current = HiddenField()
    acknowledge = BooleanField(_l("この変更で、これまでの年度の結果とそのまま比べられなくなることを確認しました"))

    def current_number(self) -> int | None:
        text = self.current.data or ""
        return int(text) if text.isdigit() else None
