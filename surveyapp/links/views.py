"""Staff pages for distribution links: QR code images and a printable A4 poster."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, make_response, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..auth.roles import permission_required
from ..i18n import LANGUAGE_NAMES, html_lang
from ..surveys.models import Link
from ..surveys.services import find_link, version_definition
from .qr import qr_png, qr_svg

bp = Blueprint("links", __name__, url_prefix="/staff/links")


def _link_or_404(code: str) -> Link:
    link = find_link(code)
    if link is None or link.survey.current_version is None:
        abort(404)
    return link


def public_url(link: Link) -> str:
    """The short URL printed on paper: the configured public address, else this server's."""
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return str(base) + url_for("respond.start_page", code=link.code)


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


@bp.get("/<code>/poster")
@permission_required("surveys.manage")
def poster(code: str) -> ResponseReturnValue:
    link = _link_or_404(code)
    version = link.survey.current_version
    assert version is not None
    defn = version_definition(version)
    other_languages = [(html_lang(code), LANGUAGE_NAMES[code]) for code in defn.translation_status
                       if code not in ("ja", "ja-easy") and code in LANGUAGE_NAMES]
    return render_template("links/poster.html", link=link, title=defn.title["ja"],
                           easy_title=defn.title.get("ja-easy"), url=public_url(link),
                           other_languages=other_languages)
