"""Security headers on every route of the URL map, for a visitor and for a logged-in admin."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import link_code, login

REQUIRED_CSP = ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                "frame-ancestors 'none'")


def _sample_args(app: Flask) -> dict[str, object]:
    return {"code": link_code(app, "digital-services"), "key": "digital-services", "number": 1,
            "filename": "css/site.css", "size": "large"}


def _urls(app: Flask) -> list[tuple[str, str, str]]:
    samples = _sample_args(app)
    urls = []
    for rule in app.url_map.iter_rules():
        # Unknown argument names get "1", which every converter accepts (404s are checked too).
        url = rule.build({name: samples.get(name, "1") for name in rule.arguments})[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, url))
    return urls


def _check(response: object, endpoint: str, method: str, url: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    where = (endpoint, method, url, response.status_code)  # type: ignore[attr-defined]
    csp = headers.get("Content-Security-Policy", "")
    for directive in REQUIRED_CSP:
        assert directive in csp, where
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "no-referrer", where
    if url.startswith(("/s/", "/staff")):
        assert headers.get("Cache-Control") == "no-store", where


@pytest.mark.parametrize("who", ["visitor", "admin"])
def test_every_route_sends_the_security_headers(app: Flask, who: str) -> None:
    # Render errors as the error page would (the headers must be there on a 500 too).
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client: FlaskClient = app.test_client()
    if who == "admin":
        login(client, app, "admin")
    urls = _urls(app)
    assert len(urls) >= 15
    for endpoint, method, url in urls:
        if endpoint == "auth.logout":
            continue  # would end the admin's session for the routes after it
        client.get(f"/s/{link_code(app, 'digital-services')}")  # keep a flow around
        response = client.open(url, method=method)
        response.close()
        _check(response, endpoint, method, url)


def test_error_and_static_responses_have_the_headers(client: FlaskClient) -> None:
    for url in ("/no-such-page", "/static/css/site.css", "/s/zzzzzzzz"):
        response = client.get(url)
        response.close()
        _check(response, "", "GET", url)
