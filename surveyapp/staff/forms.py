"""Staff forms: survey schedule, distribution links, population upload."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DateTimeLocalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from ..exports.labels import CHANNEL_LABELS
from ..i18n import LANGUAGE_NAMES
from ..surveys.models import CHANNELS
from ..surveys.schedule import STATES
from ..timeutil import fiscal_year, fiscal_year_label, utcnow


class ScheduleForm(FlaskForm):
    """The opening and closing times only: opening and closing now is a separate, confirmed
    action (``StatusForm``), so saving times never closes a survey by accident."""

    opens_at = DateTimeLocalField(_l("受付開始日時（日本時間、空欄なら開始日時の指定なし）"),
                                  validators=[Optional()], format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("受付終了日時（日本時間、空欄なら終了日時の指定なし）"),
                                   validators=[Optional()], format="%Y-%m-%dT%H:%M")
    # Sent by the confirm button: the state the staff member agreed to (see change_dates).
    confirm_state = StringField(validators=[Optional(), AnyOf(STATES)])


class StatusForm(FlaskForm):
    """Close now or open now, sent from the confirmation page."""

    to = StringField(validators=[InputRequired(), AnyOf(("open", "closed"))])
    confirm = StringField(validators=[InputRequired(), AnyOf(("yes",))])


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
            SelectChoice(code, _("%(language)sに固定", language=LANGUAGE_NAMES[code])) for code in languages]
        return self


def fiscal_year_choices(first: int = 2015) -> list[SelectChoice]:
    """年度 choices from next fiscal year back to ``first``, labelled 「令和8年度（2026年度）」."""
    latest = fiscal_year(utcnow()) + 1
    return [SelectChoice(year, fiscal_year_label(year)) for year in range(latest, first - 1, -1)]


class PopulationForm(FlaskForm):
    fiscal_year = SelectField(_l("年度"), coerce=int, validators=[
        InputRequired(_l("年度を選んでください。"))])
    source = StringField(_l("出典（例：住民基本台帳 令和8年4月1日現在）"), validators=[
        InputRequired(_l("出典を入力してください。")),
        Length(max=200, message=_l("200文字以内で入力してください。"))])
    file = FileField(_l("CSVファイル"), validators=[FileRequired(_l("CSVファイルを選んでください。"))])

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fiscal_year.choices = fiscal_year_choices()
        if self.fiscal_year.data is None:
            self.fiscal_year.data = fiscal_year(utcnow())
