"""Static files under content-hashed URLs: kept for a year, a new URL whenever the file changes,
and an old URL still answered (with the current file, never kept) for pages rendered before."""

from __future__ import annotations

import hashlib
import json
import os
import re
from html import unescape
from pathlib import Path

from flask import Flask, url_for

from surveyapp.assets import IMMUTABLE
from tests.conftest import link_code
from tests.kiosk.conftest import device_client, make_kiosk

HASHED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{12}\.\w+")
STATIC_REF = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


def _static_url(app: Flask, filename: str) -> str:
    with app.test_request_context("/"):
        return url_for("static", filename=filename)


def _rewrite(path: Path, text: str) -> None:
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 1_000_000_000, before + 1_000_000_000))  # as an update would


def test_a_changed_stylesheet_gets_a_new_url_and_the_old_url_is_never_kept(app: Flask,
                                                                          tmp_path: Path) -> None:
    static = tmp_path / "static"
    (static / "css").mkdir(parents=True)
    sheet = static / "css" / "site.css"
    sheet.write_text("body { color: #111; }", encoding="utf-8")
    app.static_folder = str(static)
    client = app.test_client()

    first = _static_url(app, "css/site.css")
    assert HASHED.fullmatch(first), first
    response = client.get(first)
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "body { color: #111; }"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert _static_url(app, "css/site.css") == first  # stable while the file is unchanged

    _rewrite(sheet, "body { color: #222; }")
    second = _static_url(app, "css/site.css")
    assert second != first and HASHED.fullmatch(second)
    fresh = client.get(second)
    assert fresh.get_data(as_text=True) == "body { color: #222; }"
    assert fresh.headers["Cache-Control"] == IMMUTABLE

    # A page rendered before the change still gets a stylesheet, the current one, and no
    # browser or proxy may keep it under the old name.
    stale = client.get(first)
    assert stale.status_code == 200
    assert stale.get_data(as_text=True) == "body { color: #222; }"
    assert stale.headers["Cache-Control"] == "no-cache"

    plain = client.get("/static/css/site.css")
    assert plain.get_data(as_text=True) == "body { color: #222; }"
    assert plain.headers["Cache-Control"] == "no-cache"


def test_missing_files_and_paths_outside_the_folder_are_not_found(client: Flask) -> None:
    for url in ("/static/css/none.0123456789ab.css", "/static/css/none.css",
                "/static/../config.py", "/static/css/..%2F..%2F__init__.py"):
        assert client.get(url).status_code == 404, url


def test_respondent_pages_link_their_stylesheet_by_content_and_it_is_kept(app: Flask) -> None:
    client = app.test_client()
    html = client.get(f"/s/{link_code(app, 'digital-services')}").get_data(as_text=True)
    refs = STATIC_REF.findall(html)
    assert refs and all(HASHED.fullmatch(ref) for ref in refs), refs
    digest = hashlib.sha256(Path(app.static_folder or "", "css", "site.css").read_bytes()).hexdigest()
    assert f"/static/css/site.{digest[:12]}.css" in refs
    sheet = client.get(refs[0])
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == IMMUTABLE
    # The same file for everyone: a changed session cookie must not make a browser fetch it again.
    assert "cookie" not in sheet.headers.get("Vary", "").lower()


def test_the_kiosk_keeps_hashed_assets_behind_stable_worker_and_manifest_urls(app: Flask) -> None:
    kiosk = make_kiosk(app)
    client = device_client(app, kiosk.credential)
    html = client.get("/kiosk/").get_data(as_text=True)
    refs = STATIC_REF.findall(html)
    assert len(refs) >= 4 and all(HASHED.fullmatch(ref) for ref in refs), refs
    precache = json.loads(unescape(re.search(r'data-precache="([^"]+)"', html).group(1)))  # type: ignore[union-attr]
    assets = [url for url in precache if url.startswith("/static/")]
    assert set(refs) <= set(assets) and all(HASHED.fullmatch(url) for url in assets), precache
    assert 'data-sw="/kiosk/sw.js"' in html and 'href="/kiosk/manifest.webmanifest"' in html
    manifest = client.get("/kiosk/manifest.webmanifest")
    assert manifest.headers["Cache-Control"] == "no-cache"
    icons = [icon["src"] for icon in json.loads(manifest.get_data(as_text=True))["icons"]]
    assert icons and all(HASHED.fullmatch(src) and src in assets for src in icons), icons
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200 and response.headers["Cache-Control"] == IMMUTABLE, url
    # The manifest is revalidated with its ETag, so an unchanged one costs no body.
    again = client.get("/kiosk/manifest.webmanifest",
                       headers={"If-None-Match": manifest.headers["ETag"]})
    assert again.status_code == 304
