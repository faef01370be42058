"""Login, first-run, password and account forms. Password rules come from ``passwords``."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SelectField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from .passwords import MAX_LENGTH, MESSAGES, MIN_LENGTH, has_control_characters, password_problem
from .roles import ROLE_NAMES, role_label
from .services import EMAIL_MAX, EMAIL_PATTERN


def no_control_characters(_form: Any, field: Field) -> None:
    """NUL bytes, tabs, line breaks and other control characters are refused with a message."""
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(str(_l("使えない文字（制御文字）が含まれています。入力し直してください。")))


class PasswordPolicy:
    """The password policy as a validator; ``email_field`` names the form's e-mail field
    (for the rule about the e-mail name), or the account's address is given to the form."""

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form: Any, field: Field) -> None:
        email = getattr(form, "account_email", None)
        if self.email_field:
            email = getattr(form, self.email_field).data
        problem = password_problem(field.data or "", email)
        if problem is not None:
            raise ValidationError(str(MESSAGES[problem]))


def _email_field() -> EmailField:
    return EmailField(_l("メールアドレス"), validators=[
        InputRequired(_l("メールアドレスを入力してください。")),
        Length(max=EMAIL_MAX, message=_l("メールアドレスは%(n)d文字以内で入力してください。", n=EMAIL_MAX)),
        no_control_characters])


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(_l("新しいパスワード（%(min)d〜%(max)d文字）", min=MIN_LENGTH, max=MAX_LENGTH),
                      validators=[InputRequired(_l("新しいパスワードを入力してください。"))]),
        PasswordField(_l("新しいパスワード（確認）"), validators=[
            InputRequired(_l("確認のため、新しいパスワードをもう一度入力してください。")),
            EqualTo("password", _l("確認用のパスワードが一致しません。"))]),
    )


class LoginForm(FlaskForm):
    email = _email_field()
    password = PasswordField(_l("パスワード"), validators=[
        InputRequired(_l("パスワードを入力してください。")),
        Length(max=MAX_LENGTH, message=_l("パスワードは%(n)d文字以内です。", n=MAX_LENGTH)),
        no_control_characters])


class SetupForm(FlaskForm):
    email = _email_field()
    password, confirm = _new_password_fields()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email.validators = [*self.email.validators,
                                 Regexp(EMAIL_PATTERN, message=_l("メールアドレスの形式が正しくありません。"))]
        self.password.validators = [*self.password.validators, PasswordPolicy("email")]


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("いまのパスワード"), validators=[
        InputRequired(_l("いまのパスワードを入力してください。")),
        Length(max=MAX_LENGTH, message=_l("パスワードは%(n)d文字以内です。", n=MAX_LENGTH))])
    password, confirm = _new_password_fields()

    def __init__(self, account_email: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email
        self.password.validators = [*self.password.validators, PasswordPolicy()]


class ResetForm(FlaskForm):
    code = StringField(_l("再設定コード（例：abcd-efgh-jkmn-pqrs）"), validators=[
        InputRequired(_l("管理者から受け取った再設定コードを入力してください。")),
        Length(max=40, message=_l("再設定コードが正しくありません。")), no_control_characters])
    password, confirm = _new_password_fields()  # the policy is checked with the account's e-mail


def role_choices() -> list[tuple[str, str]]:
    return [(name, role_label(name)) for name in ROLE_NAMES]


class AccountCreateForm(FlaskForm):
    email = _email_field()
    role = SelectField(_l("役割"), choices=[], validators=[InputRequired(_l("役割を選んでください。"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = [("", str(_l("選んでください"))), *role_choices()]
        self.email.validators = [*self.email.validators,
                                 Regexp(EMAIL_PATTERN, message=_l("メールアドレスの形式が正しくありません。"))]


class RoleForm(FlaskForm):
    role = SelectField(_l("役割"), choices=[], validators=[InputRequired(_l("役割を選んでください。"))])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()
