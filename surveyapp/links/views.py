"""Staff pages for distribution links: QR code images and a printable A4 poster."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_skeleton
from flask import Blueprint, abort, make_response, render_template
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from ..auth.roles import permission_required
from ..i18n import LANGUAGE_NAMES, html_lang, in_language, localized
from ..respond.contact import survey_contact
from ..surveys.definitions import SurveyDef
from ..surveys.models import Link
from ..surveys.services import find_link, link_languages, version_definition
from ..timeutil import to_japan
from .qr import qr_png, qr_svg
from .urls import base_url_configured, public_url

bp = Blueprint("links", __name__, url_prefix="/staff/links")


def _link_or_404(code: str) -> Link:
    link = find_link(code)
    if link is None or link.survey.current_version is None:
        abort(404)
    return link


def _image(body: bytes, mimetype: str, filename: str) -> ResponseReturnValue:
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/<code>/qr.svg")
@permission_required("surveys.manage")
def qr_svg_image(code: str) -> ResponseReturnValue:
    link = _link_or_404(code)
    return _image(qr_svg(public_url(link)), "image/svg+xml", f"survey-{link.code}.svg")


@bp.get("/<code>/qr.png")
@permission_required("surveys.manage")
def qr_png_image(code: str) -> ResponseReturnValue:
    link = _link_or_404(code)
    return _image(qr_png(public_url(link)), "image/png", f"survey-{link.code}.png")


def _deadline(closes_at: datetime | None) -> str | None:
    """「2027年1月31日(日) 17:00まで」 in the poster's language (Japan time)."""
    if closes_at is None:
        return None
    local = to_japan(closes_at)
    day = format_skeleton("yMMMEd", local.date(), locale=str(get_locale() or "ja"))
    return _("%(date)s %(time)sまで", date=day, time=local.strftime("%H:%M"))


def _sheet(link: Link, defn: SurveyDef, language: str, *, fixed: bool) -> Markup:
    """The printed sheet for residents, rendered in ``language``."""
    easy = None
    if not fixed and "ja-easy" in link_languages(link.survey):
        with in_language("ja-easy"):
            easy = Markup(render_template(  # noqa: S704 - a rendered, autoescaped template
                "links/_poster_easy.html", title=defn.title.get("ja-easy")))
    others = [] if fixed else [(html_lang(code), LANGUAGE_NAMES[code])
                               for code in link_languages(link.survey) if code != "ja"]
    with in_language(language):
        title, title_lang = localized(defn.title, language)
        return Markup(render_template(  # noqa: S704 - a rendered, autoescaped template
            "links/_poster_sheet.html", link=link, title=title, title_lang=title_lang,
            easy=easy, url=public_url(link), deadline=_deadline(link.survey.closes_at),
            minutes=defn.minutes, contact=survey_contact(defn, language),
            qr=Markup(qr_svg(public_url(link), caption=False).decode()),  # noqa: S704 - our SVG
            other_languages=others))


@bp.get("/<code>/poster")
@permission_required("surveys.manage")
def poster(code: str) -> ResponseReturnValue:
    link = _link_or_404(code)
    version = link.survey.current_version
    assert version is not None
    defn = version_definition(version)
    fixed = link.default_language if link.default_language in link_languages(link.survey) else None
    sheet = _sheet(link, defn, fixed or "ja", fixed=fixed is not None)
    return render_template("links/poster.html", link=link, title=defn.title["ja"], sheet=sheet,
                           language_name=LANGUAGE_NAMES.get(fixed or ""),
                           base_url_configured=base_url_configured())
