"""docs/roles.md, written from the one table in ``roles.py`` and the app's URL map."""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _

from .roles import PERMISSIONS, ROLES

PUBLIC_STAFF_ENDPOINTS = ("auth.login", "auth.logout", "auth.setup", "auth.reset")
STAFF_PREFIX = "/staff"


def staff_routes(app: Flask) -> list[tuple[str, str, str, str | None]]:
    """(rule, methods, endpoint, permission) of every route under /staff, sorted by rule."""
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(STAFF_PREFIX):
            continue
        methods = ", ".join(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
        permission = getattr(app.view_functions[rule.endpoint], "permission", None)
        routes.append((rule.rule, methods, rule.endpoint, permission))
    return sorted(routes)


def roles_markdown(app: Flask) -> str:
    names = list(ROLES)
    lines = [
        "# Staff roles and what they may do" + _("（職員の役割と権限）"),
        "",
        "Generated from the table in `surveyapp/auth/roles.py` and the app's URL map by",
        "`make roles-doc`. Do not edit by hand: `tests/staff/test_access.py` fails when this file",
        "and the code disagree, and checks every staff URL against the table for every role.",
        "",
        "A new staff page declares the permission it needs, `@permission_required(\"results.view\")`",
        "(under its route decorator); a new kind of access is one more entry in `PERMISSIONS`",
        "(name, roles, what it allows). Then run `make roles-doc`. Templates ask",
        "`can(\"results.view\")` to show a link.",
        "",
        "## Roles",
        "",
        f"| role | {_('名前')} | start page | {_('概要')} |",
        "|---|---|---|---|",
    ]
    for name, role in ROLES.items():
        lines.append(f"| `{name}` | {role.label} | `{role.home}` | {role.summary} |")
    lines += ["", "## Permissions", "",
              f"| permission | {_('できること')} | " + " | ".join(f"`{n}`" for n in names) + " |",
              "|---|---|" + "---|" * len(names)]
    for key, entry in PERMISSIONS.items():
        marks = " | ".join("✓" if n in entry.roles else "—" for n in names)
        lines.append(f"| `{key}` | {entry.label} | {marks} |")
    lines += ["", "## Staff pages and the permission each needs", "",
              "| URL | methods | endpoint | permission |", "|---|---|---|---|"]
    for rule, methods, endpoint, permission in staff_routes(app):
        if endpoint in PUBLIC_STAFF_ENDPOINTS:
            needed = "public"
        else:
            needed = f"`{permission}`" if permission else "**none (refused by the test)**"
        lines.append(f"| `{rule}` | {methods} | `{endpoint}` | {needed} |")
    lines += [
        "",
        "Public staff pages: the login, logout, the first-run page (only while no account exists)",
        "and setting a password with a one-time reset code. A staff member whose password must be",
        "changed is sent to `/staff/account/password` by every other staff page first.",
        "",
    ]
    return "\n".join(lines)
