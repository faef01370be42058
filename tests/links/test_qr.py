"""QR codes (SVG, PNG) and the A4 poster of a distribution link: staff only."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from flask import Flask
from PIL import Image

from surveyapp.links.qr import qr_png, qr_svg
from tests.conftest import link_code, login

URL = "https://survey.example.jp/s/abcd2345"


def test_svg_has_the_code_and_the_url_under_it() -> None:
    svg = qr_svg(URL)
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    assert root.find(f"{ns}path") is not None
    text = root.find(f"{ns}text")
    assert text is not None and text.text == URL
    assert b"<script" not in svg
    # Markup in a URL (which codes never contain) would still be escaped.
    assert b"<b>" not in qr_svg("https://x.example/<b>")


def test_png_has_the_url_printed_below_the_code() -> None:
    image = Image.open(io.BytesIO(qr_png(URL)))
    assert image.format == "PNG"
    width, height = image.size
    assert height > width  # room for the URL under the square code
    text_band = image.convert("L").crop((0, width, width, height))
    assert text_band.getextrema()[0] < 128  # something dark is printed there


def test_admin_gets_images_and_poster(app: Flask) -> None:
    client = app.test_client()
    login(client, app, "admin")
    code = link_code(app, "digital-services")
    svg = client.get(f"/staff/links/{code}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert f"http://survey.test/s/{code}".encode() in svg.data
    png = client.get(f"/staff/links/{code}/qr.png")
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")
    poster = client.get(f"/staff/links/{code}/poster").get_data(as_text=True)
    assert "行政サービスのデジタル化に関する市民アンケート" in poster
    assert f"http://survey.test/s/{code}" in poster
    assert "<ruby>" in poster  # the やさしい日本語 lines carry readings
    assert f'src="/staff/links/{code}/qr.svg"' in poster
    assert '<span lang="en">English</span>' in poster
    detail = client.get("/staff/surveys/digital-services").get_data(as_text=True)
    assert f'href="/staff/links/{code}/poster"' in detail
    assert client.get("/staff/links/zzzzzzzz/poster").status_code == 404


def test_base_url_is_printed_when_configured(app: Flask) -> None:
    app.config["BASE_URL"] = "https://enquete.city.example.jp"
    client = app.test_client()
    login(client, app, "admin")
    code = link_code(app, "counter")
    assert f"https://enquete.city.example.jp/s/{code}".encode() in client.get(
        f"/staff/links/{code}/qr.svg").data


def test_other_roles_and_visitors_are_refused(app: Flask) -> None:
    code = link_code(app, "counter")
    assert app.test_client().get(f"/staff/links/{code}/qr.png").status_code == 302
    client = app.test_client()
    login(client, app, "analyst")
    assert client.get(f"/staff/links/{code}/poster").status_code == 403
