"""Role checks for staff routes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from ..extensions import login_manager

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: str) -> Callable[[F], F]:
    """Require a logged-in staff member whose role is one of ``roles`` (admin always passes)."""
    allowed = frozenset(roles) | {"admin"}

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        wrapped.allowed_roles = allowed  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


ALL_STAFF = ("admin", "analyst", "course-staff", "data-entry", "author")
AUTHORS = ("author",)
"""Who writes survey definitions: the editor, previews, publishing, creating and copying
surveys (admin always passes).  Archiving stays with admin."""
