"""Brotli where the browser accepts it, gzip otherwise, on respondent pages, stylesheets and JSON;
never on staff pages (see docs/performance.md for why)."""

from __future__ import annotations

import gzip
import re

import brotli
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import link_code, login, start_flow

BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


def _decoded(response: object) -> bytes:
    data: bytes = response.data  # type: ignore[attr-defined]
    encoding = response.headers.get("Content-Encoding")  # type: ignore[attr-defined]
    if encoding == "br":
        return brotli.decompress(data)  # type: ignore[no-any-return]
    if encoding == "gzip":
        return gzip.decompress(data)
    assert encoding is None, encoding
    return data


def _without_token(page: bytes) -> bytes:
    """The page without its CSRF token, which carries the second it was made."""
    return re.sub(rb'name="csrf_token" value="[^"]*"', b"", page)


def test_respondent_pages_travel_compressed_and_read_the_same(app: Flask, client: FlaskClient) -> None:
    url = f"/s/{link_code(app, 'digital-services')}"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    for accept, expected in (("gzip, deflate, br, zstd", "br"), ("gzip, deflate", "gzip")):
        response = client.get(url, headers={"Accept-Encoding": accept})
        assert response.headers["Content-Encoding"] == expected, accept
        assert len(response.data) < 0.7 * len(plain.data)
        assert _without_token(_decoded(response)) == _without_token(plain.data)
        assert "accept-encoding" in response.headers["Vary"].lower()
        assert "cookie" in response.headers["Vary"].lower()


def test_pages_with_answers_stay_uncached_when_compressed(app: Flask, client: FlaskClient) -> None:
    code = link_code(app, "digital-services")
    start_flow(client, code)
    response = client.get(f"/s/{code}/p/1", headers=BROWSER)
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "no-store"
    assert "digital_satisfaction" in _decoded(response).decode()


def test_stylesheet_and_open_data_json_are_compressed(app: Flask, client: FlaskClient) -> None:
    sheet = client.get("/static/css/site.css", headers=BROWSER)
    assert sheet.headers["Content-Encoding"] == "br"
    with open(f"{app.static_folder}/css/site.css", "rb") as file:
        assert _decoded(sheet) == file.read()
    part = client.get("/static/css/site.css", headers={**BROWSER, "Range": "bytes=0-9"})
    assert part.status_code == 206 and "Content-Encoding" not in part.headers
    with open(f"{app.static_folder}/css/site.css", "rb") as file:
        assert part.data == file.read(10)
    data = client.get("/open-data/kpis.json", headers={"Accept-Encoding": "gzip"})
    assert data.headers["Content-Encoding"] == "gzip"
    assert _decoded(data).startswith(b"{")


def test_staff_pages_are_never_compressed(app: Flask, client: FlaskClient) -> None:
    login(client, app, "admin")
    for url in ("/staff/", "/staff/surveys", "/staff/login"):
        response = client.get(url, headers=BROWSER)
        assert response.status_code in (200, 302, 303), url
        assert "Content-Encoding" not in response.headers, url
