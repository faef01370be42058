"""Staff forms: survey schedule and distribution links."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from ..i18n import LANGUAGE_NAMES
from ..surveys.models import CHANNELS

CHANNEL_LABELS = {
    "web": _l("ウェブ（公開リンク）"),
    "poster-qr": _l("ポスターのQRコード"),
    "counter": _l("窓口"),
    "newsletter": _l("広報紙"),
    "kiosk": _l("タブレット（キオスク）"),
    "paper": _l("紙の調査票"),
    "invitation": _l("案内状（無作為抽出）"),
    "demo": _l("デモデータ"),
}


class ScheduleForm(FlaskForm):
    status = SelectField(_l("受付"), choices=[SelectChoice("open", _l("受付中にする")),
                                             SelectChoice("closed", _l("受付を終了する"))])
    opens_at = DateTimeLocalField(_l("受付開始（日本時間、任意）"), validators=[Optional()],
                                  format="%Y-%m-%dT%H:%M")
    closes_at = DateTimeLocalField(_l("受付終了（日本時間、任意）"), validators=[Optional()],
                                   format="%Y-%m-%dT%H:%M")


class LinkForm(FlaskForm):
    label = StringField(_l("名前（例：市役所1階ポスター）"), validators=[
        InputRequired(_l("名前を入力してください。")),
        Length(max=200, message=_l("200文字以内で入力してください。"))])
    channel = SelectField(_l("経路"), choices=[SelectChoice(c, CHANNEL_LABELS[c])
                                                for c in CHANNELS if c != "demo"])
    default_language = SelectField(_l("最初に表示する言語"),
                                   choices=[SelectChoice(code, name)
                                            for code, name in LANGUAGE_NAMES.items()])
