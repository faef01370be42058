"""``flask staff …``: the account lifecycle from the command line (every change audited, with
no staff member as the actor)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from flask.cli import AppGroup

from ..cli import GROUP_HELP
from ..timeutil import to_japan
from .passwords import CLI_MESSAGES
from .roles import ROLE_NAMES

if TYPE_CHECKING:
    from .models import StaffUser
    from .services import AccountError

# Each command imports the account services when it runs: ``flask staff --help`` needs none.

staff_cli = AppGroup("staff", help=GROUP_HELP["staff"])

MESSAGES = {
    **CLI_MESSAGES,
    "invalid_email": "the e-mail address is not valid",
    "invalid_role": "unknown role",
    "email_taken": "an account with this e-mail address exists",
    "last_admin": "this is the last active admin account; create another admin first",
}


def _fail(exc: AccountError) -> click.ClickException:
    return click.ClickException(MESSAGES.get(exc.code, exc.code))


def _account(email: str) -> StaffUser:
    from .services import find_account

    user = find_account(email)
    if user is None:
        raise click.ClickException(f"no account with the e-mail address {email}")
    return user


def _when(moment: object) -> str:
    return f"{to_japan(moment):%Y-%m-%d %H:%M}" if moment else "-"  # type: ignore[arg-type]


@staff_cli.command("list")
def list_command() -> None:
    """List accounts: e-mail, role, status, last login (Japan time)."""
    from .services import list_accounts

    for user in list_accounts():
        status = "active" if user.active else "deactivated"
        if user.must_change_password:
            status += ", must change password"
        click.echo(f"{user.email}\t{user.role}\t{status}\tlast login {_when(user.last_login_at)}")


@staff_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--must-change", is_flag=True, help="The holder must choose a new password after logging in.")
def create_command(email: str, role: str, password_stdin: bool, must_change: bool) -> None:
    """Create a staff account with a password that meets the policy."""
    from .services import AccountError, create_staff

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create_staff(email, password, role, must_change=must_change)
    except AccountError as exc:
        raise _fail(exc) from None
    click.echo(f"created {user.email} ({user.role})")


@staff_cli.command("role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLE_NAMES))
def role_command(email: str, role: str) -> None:
    """Give an account another role (its sessions end)."""
    from .services import AccountError, change_role

    user = _account(email)
    try:
        change_role(user, role, by=None)
    except AccountError as exc:
        raise _fail(exc) from None
    click.echo(f"{user.email} is now {user.role}")


@staff_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop an account from logging in (its sessions end at once)."""
    from .services import AccountError, set_active

    user = _account(email)
    try:
        set_active(user, False, by=None)
    except AccountError as exc:
        raise _fail(exc) from None
    click.echo(f"{user.email} deactivated")


@staff_cli.command("reactivate")
@click.argument("email")
def reactivate_command(email: str) -> None:
    """Let a deactivated account log in again."""
    from .services import set_active

    user = _account(email)
    set_active(user, True, by=None)
    click.echo(f"{user.email} reactivated")


@staff_cli.command("reset")
@click.argument("email")
def reset_command(email: str) -> None:
    """Print a one-time code with which the holder sets a new password at /staff/reset."""
    from .services import issue_reset

    reset = issue_reset(_account(email), by=None)
    click.echo(f"one-time reset code for {reset.user.email}: {reset.display_code}")
    click.echo(f"valid until {_when(reset.expires_at)} (Japan time); enter it at /staff/reset")


@staff_cli.command("must-change")
@click.argument("email")
def must_change_command(email: str) -> None:
    """Make the holder choose a new password right after the next login."""
    from .services import require_password_change

    user = _account(email)
    require_password_change(user, by=None)
    click.echo(f"{user.email} must change the password at the next login")


@staff_cli.command("unlock")
@click.argument("email")
def unlock_command(email: str) -> None:
    """Forget the failed logins on an account, so its waiting time ends."""
    from .services import unlock

    count = unlock(email, by=None)
    click.echo(f"forgot {count} failed logins for {email.strip().lower()}")
