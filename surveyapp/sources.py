"""Where a request comes from, as a keyed hash: never the address itself.

Rate limits, submission flags and login throttling need to recognise "the same source"
without storing who it is.  The address (as Werkzeug reports it; behind a proxy, ProxyFix
rewrites it from the trusted header, see ``PROXY_FIX_X_FOR``) is hashed with a key derived
from the app's secret key, so the stored value cannot be reversed by trying all IPv4
addresses without that key.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, has_request_context, request

_KEY_LABEL = b"surveyapp/client-source/v1"


def _source_key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()


def source_hash(address: str | None = None) -> str:
    """A keyed hash (32 hex characters) of the client's address; ``"unknown"`` outside a request."""
    if address is None:
        if not has_request_context():
            return "unknown"
        address = request.remote_addr or "unknown"
    digest = hmac.new(_source_key(), address.encode("utf-8", "replace"), hashlib.sha256)
    return digest.hexdigest()[:32]
