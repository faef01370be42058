"""Deleting a survey's demo responses: an admin action with a confirmation page, audited."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import permission_required
from ..demo import count_demo_responses, delete_demo_responses
from ..formatting import count
from .views import _survey_or_404, bp


@bp.route("/surveys/<key>/demo/delete", methods=["GET", "POST"])
@permission_required("surveys.manage")
def demo_delete(key: str) -> ResponseReturnValue:
    """GET: how many demo responses would go, and a confirm button; POST (confirmed): delete."""
    survey = _survey_or_404(key)
    if request.method == "POST" and request.form.get("confirm") == "yes":
        deleted = delete_demo_responses(survey, user_id=current_user.id)
        flash(_("デモデータ %(n)s件を削除しました。実際の回答はそのままです。", n=count(deleted)))
        return redirect(url_for("staff.survey_detail", key=key), 303)
    title = survey.current_version.title if survey.current_version else survey.key
    return render_template("staff/demo_delete.html", survey=survey, title=title,
                           demo=count_demo_responses(survey))
