"""The address printed for a link: one rule for the link list, the QR codes and the poster."""

from __future__ import annotations

from flask import current_app, request, url_for

from ..surveys.models import Link


def base_url_configured() -> bool:
    """Whether the public address is set; without it printed links carry this request's host
    (often 127.0.0.1 or an internal name that residents' phones cannot open)."""
    return bool(current_app.config.get("BASE_URL"))


def public_url(link: Link) -> str:
    """The short URL printed on paper: the configured public address, else this server's."""
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    return str(base) + url_for("respond.start_page", code=link.code)
