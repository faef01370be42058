"""Static files under content-hashed URLs, kept by browsers and caches for a year.

``url_for("static", filename="css/site.css")`` gives ``/static/css/site.<hash>.css``, where
``<hash>`` is the start of the file's SHA-256. A changed file gets a new URL, so a page never has
to ask whether the copy a browser kept is still current: on a slow phone connection that
question (a 304) cost one more round trip on every page.

What the static route answers:

* the current hash: the file, ``Cache-Control: public, max-age=31536000, immutable``;
* another hash (a page rendered before the file changed, e.g. one still open during an update):
  the current file with ``no-cache``, so that page still gets its stylesheet and no cache keeps a
  copy under that name;
* the plain name: the file with ``no-cache`` (revalidated), as Flask serves static files.

The hash is recomputed when the file's size or modification time changes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from typing import Any

from flask import Flask, Response, abort, current_app, request, send_from_directory
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASH_LENGTH = 12
_HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)?$")

_hashes: dict[str, tuple[int, int, str]] = {}
_lock = threading.Lock()


def content_hash(path: str) -> str | None:
    """The hash of a file's content (``None`` for a missing file), cached until it changes."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _hashes.get(path)
    if known is not None and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(65536), b""):
            digest.update(block)
    value = digest.hexdigest()[:HASH_LENGTH]
    with _lock:
        _hashes[path] = (stat.st_mtime_ns, stat.st_size, value)
    return value


def hashed_filename(folder: str, filename: str) -> str:
    """``css/site.css`` → ``css/site.<hash>.css`` (unchanged if there is no such file)."""
    path = safe_join(folder, filename)
    digest = content_hash(path) if path is not None else None
    if digest is None:
        return filename
    head, tail = os.path.split(filename)
    stem, suffix = os.path.splitext(tail)
    return f"{head}/{stem}.{digest}{suffix}" if head else f"{stem}.{digest}{suffix}"


def split_hash(filename: str) -> tuple[str, str | None]:
    """``css/site.<hash>.css`` → (``css/site.css``, hash); a plain name → (name, None)."""
    match = _HASHED.match(filename)
    if match is None:
        return filename, None
    return match["stem"] + (match["suffix"] or ""), match["digest"]


def _add_hash(endpoint: str, values: dict[str, Any]) -> None:
    folder = current_app.static_folder
    if endpoint == "static" and folder and isinstance(values.get("filename"), str):
        values["filename"] = hashed_filename(folder, values["filename"])


class HashedStaticFlask(Flask):
    """Flask whose ``url_for("static", ...)`` URLs carry the file's content hash."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.url_defaults(_add_hash)

    def send_static_file(self, filename: str) -> Response:
        folder = self.static_folder
        if not folder:
            abort(404)
        plain, digest = split_hash(filename)
        if digest is not None and os.path.isfile(safe_join(folder, filename) or ""):
            plain, digest = filename, None  # a real file whose name only looks hashed
        response = send_from_directory(folder, plain)
        if response.status_code in (200, 304):
            current = digest is not None and digest == content_hash(safe_join(folder, plain) or "")
            response.headers["Cache-Control"] = IMMUTABLE if current else REVALIDATE
            if current:
                response.headers.pop("Expires", None)
        return response

    def process_response(self, response: Response) -> Response:
        response = super().process_response(response)
        if request.endpoint == "static":
            # The same file for everyone: with "Vary: Cookie" (added whenever a hook looks at
            # the session) a browser would fetch it again each time the session cookie changes.
            vary = [name for name in response.vary if name.lower() != "cookie"]
            if vary:
                response.headers["Vary"] = ", ".join(vary)
            else:
                response.headers.pop("Vary", None)
        return response
