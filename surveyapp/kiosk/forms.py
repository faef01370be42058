"""Forms of the course and kiosk pages (staff side) and of the tablet's enrollment and PIN."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Regexp

from .courses import ATTENDEES_MAX, INSTRUCTOR_MAX, TITLE_MAX, VENUE_MAX
from .services import NAME_MAX

PIN_HELP = _l("4〜8けたの数字")


class CourseForm(FlaskForm):
    title = StringField(_l("講座名（例：スマートフォン入門）"), validators=[
        InputRequired(_l("講座名を入力してください。")),
        Length(max=TITLE_MAX, message=_l("200文字以内で入力してください。"))])


class SessionForm(FlaskForm):
    course = SelectField(_l("講座名"), coerce=int, validate_choice=True)
    survey = SelectField(_l("アンケート"), coerce=int, validate_choice=True)
    held_on = DateField(_l("開催日"), validators=[InputRequired(_l("開催日を入力してください。"))])
    venue = StringField(_l("会場（例：川島会館 2階会議室）"), validators=[
        InputRequired(_l("会場を入力してください。")),
        Length(max=VENUE_MAX, message=_l("200文字以内で入力してください。"))])
    instructor = StringField(_l("講師"), validators=[
        InputRequired(_l("講師の名前を入力してください。")),
        Length(max=INSTRUCTOR_MAX, message=_l("100文字以内で入力してください。"))])
    attendees = IntegerField(_l("参加者数"), validators=[
        InputRequired(_l("参加者数を数字で入力してください。")),
        NumberRange(1, ATTENDEES_MAX, _l("参加者数は1以上の数字で入力してください。"))])


class SessionEditForm(FlaskForm):
    held_on = SessionForm.held_on
    venue = SessionForm.venue
    instructor = SessionForm.instructor
    attendees = SessionForm.attendees


class DeviceForm(FlaskForm):
    name = StringField(_l("端末の名前（例：川島会場タブレット2）"), validators=[
        InputRequired(_l("端末の名前を入力してください。")),
        Length(max=NAME_MAX, message=_l("100文字以内で入力してください。"))])
    pin = PasswordField(_l("職員用の暗証番号（4〜8けたの数字）"), validators=[
        InputRequired(_l("暗証番号を入力してください。")),
        Regexp(r"^[0-9]{4,8}$", message=_l("暗証番号は4〜8けたの数字にしてください。"))])
    link = SelectField(_l("表示するアンケート"), coerce=int, validate_choice=True)


class AssignForm(FlaskForm):
    class Meta:
        csrf = False  # one form per device row (prefixed); CSRFProtect checks every POST anyway

    link = SelectField(_l("表示するアンケート"), coerce=int, validate_choice=True)


class EnrollForm(FlaskForm):
    code = StringField(_l("登録コード"), validators=[
        InputRequired(_l("登録コードを入力してください。")),
        Length(max=20, message=_l("登録コードは8文字です。"))])


class PinForm(FlaskForm):
    pin = PasswordField(_l("職員用の暗証番号"), validators=[
        InputRequired(_l("暗証番号を入力してください。")),
        Length(max=8, message=_l("暗証番号は4〜8けたの数字です。"))])
