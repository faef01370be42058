"""One page listing every download a staff member may use (the routes' role checks decide)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from ..auth.roles import permission_required
from ..surveys.services import list_surveys
from .views import bp


@bp.get("/downloads")
@permission_required("results.download")
def downloads() -> ResponseReturnValue:
    surveys = [(s.key, s.current_version.title) for s in list_surveys() if s.current_version]
    return render_template("staff/downloads.html", surveys=surveys)
