"""Staff forms: survey schedule, distribution links, population upload."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..exports.labels import CHANNEL_LABELS
from ..i18n import LANGUAGE_NAMES
from ..surveys.models import CHANNELS


class ScheduleForm(FlaskForm):
    status = SelectField(_l("受付"), choices=[SelectChoice("open", _l("受付中にする")),
                                             SelectChoice("closed", _l("受付を終了する"))])
    opens_at = DateTimeLocalField(_l("受付開始（日本時間、任意）"), validators=[Optional()],
                                  format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("受付終了（日本時間、任意）"), validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")


BROWSER_LANGUAGE = _l("利用者の言語（選んだ言語、なければブラウザの言語）")


class LinkForm(FlaskForm):
    label = StringField(_l("名前（例：市役所1階ポスター）"), validators=[
        InputRequired(_l("名前を入力してください。")),
        Length(max=200, message=_l("200文字以内で入力してください。"))])
    channel = SelectField(_l("経路"), choices=[SelectChoice(c, CHANNEL_LABELS[c])
                                                for c in CHANNELS if c != "demo"])
    default_language = SelectField(_l("表示する言語"))

    def offer_languages(self, languages: tuple[str, ...]) -> LinkForm:
        """Only the survey's offered languages, after the default: each resident's own."""
        self.default_language.choices = [SelectChoice("", BROWSER_LANGUAGE)] + [
            SelectChoice(code, f"{LANGUAGE_NAMES[code]}に固定") for code in languages]
        return self


class PopulationForm(FlaskForm):
    fiscal_year = IntegerField(_l("年度（西暦）"), validators=[
        InputRequired(_l("年度を西暦で入力してください（例：2026）。")),
        NumberRange(2000, 2100, _l("年度は2000〜2100の西暦で入力してください。"))])
    source = StringField(_l("出典（例：住民基本台帳 令和8年4月1日現在）"), validators=[
        InputRequired(_l("出典を入力してください。")),
        Length(max=200, message=_l("200文字以内で入力してください。"))])
    file = FileField(_l("CSVファイル"), validators=[FileRequired(_l("CSVファイルを選んでください。"))])
