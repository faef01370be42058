"""Login and first-run forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from .services import EMAIL_PATTERN, MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[
        InputRequired(_l("メールアドレスを入力してください。")), Length(max=254)])
    password = PasswordField(_l("パスワード"), validators=[
        InputRequired(_l("パスワードを入力してください。")), Length(max=1000)])


class SetupForm(FlaskForm):
    email = EmailField(_l("メールアドレス"), validators=[
        InputRequired(_l("メールアドレスを入力してください。")),
        Regexp(EMAIL_PATTERN, message=_l("メールアドレスの形式が正しくありません。")),
        Length(max=254)])
    password = PasswordField(
        _l("パスワード（%(n)d文字以上）", n=MIN_PASSWORD_LENGTH),
        validators=[InputRequired(_l("パスワードを入力してください。")),
                    Length(min=MIN_PASSWORD_LENGTH, max=1000,
                           message=_l("パスワードは%(n)d文字以上にしてください。",
                                      n=MIN_PASSWORD_LENGTH))])
    confirm = PasswordField(_l("パスワード（確認）"), validators=[
        EqualTo("password", _l("確認用のパスワードが一致しません。"))])
