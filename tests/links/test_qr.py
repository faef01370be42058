"""QR codes (SVG, PNG) and the A4 poster of a distribution link: staff only."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from flask import Flask
from PIL import Image

from surveyapp.links.qr import qr_png, qr_svg
from surveyapp.surveys.services import get_survey, set_schedule
from tests.conftest import link_code, load_builtin_surveys, login

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
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in poster  # the code itself, drawn inline
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


def test_svg_for_a_page_can_leave_the_url_out() -> None:
    assert b"<text" not in qr_svg(URL, caption=False)


def _poster(app: Flask, code: str) -> str:
    client = app.test_client()
    login(client, app, "admin")
    response = client.get(f"/staff/links/{code}/poster")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _sheet(html: str) -> str:
    return html[html.index('<article class="poster"'):html.index("</article>")]


def test_poster_prints_the_url_once_with_deadline_time_and_contact(app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(
        BASE_URL="https://enquete.city.example.jp", CONTACT_NAME="各務原市 デジタル戦略課",
        CONTACT_PHONE="058-383-1111"))
    code = link_code(app, "digital-services")
    with app.app_context():
        set_schedule(get_survey("digital-services"), status="open", opens_at=None,
                     closes_at=datetime(2027, 1, 31, 8, 0), user_id=None)  # 17:00 in Japan
    html = _poster(app, code)
    sheet = _sheet(html)
    url = f"https://enquete.city.example.jp/s/{code}"
    assert html.count(url) == 2  # printed once, and named once in the code's label for readers
    assert sheet.count(f">{url}<") == 1
    assert "<svg" in sheet and "<text" not in sheet  # the code itself carries no second URL
    assert re.search(r"締め切り</dt><dd>2027年1月31日\(日\) 17:00まで", sheet)
    assert "所要時間</dt><dd>3分ほど" in sheet
    assert "各務原市 デジタル戦略課" in sheet and "058-383-1111" in sheet
    assert "BASE_URL" not in html  # configured: no warning


def test_poster_and_link_list_warn_before_printing_a_local_address(app: Flask) -> None:
    code = link_code(app, "counter")
    html = _poster(app, code)
    assert 'id="base-url-warning"' in html and "BASE_URL" in html
    assert "http://survey.test" in html.split('id="base-url-warning"')[1].split("</div>")[0]
    warning = html.index('id="base-url-warning"')
    assert warning < html.index('<article class="poster"')
    client = app.test_client()
    login(client, app, "admin")
    detail = client.get("/staff/surveys/counter").get_data(as_text=True)
    assert 'id="base-url-warning"' in detail


def test_japanese_poster_headings_break_only_between_phrases(app: Flask) -> None:
    sheet = _sheet(_poster(app, link_code(app, "digital-services")))
    heading = re.search(r'<h1 class="phrases">(.*?)</h1>', sheet)
    assert heading
    assert heading.group(1) == "行政サービスの<wbr>デジタル化に<wbr>関する<wbr>市民アンケート"
    assert "<ruby>" in sheet  # the やさしい日本語 lines


def test_phrase_breaks_escape_the_text(app: Flask) -> None:
    from surveyapp.i18n import phrases

    with app.test_request_context("/"):
        html = str(phrases('市民<b>"アンケート"</b>&お知らせ'))
    assert "<b>" not in html and "&lt;b&gt;" in html and "&amp;" in html
    assert "<wbr>" in html


def test_poster_of_a_fixed_language_link_is_in_that_language(app: Flask) -> None:
    from surveyapp.surveys.services import create_link

    with app.app_context():
        code = create_link(get_survey("digital-services"), label="Cartaz", channel="poster-qr",
                           default_language="pt-BR").code
    html = _poster(app, code)
    sheet = _sheet(html)
    assert sheet.startswith('<article class="poster" lang="pt-BR">')
    assert "Pesquisa com moradores sobre a digitalização dos serviços públicos" in sheet
    assert "Leia o código QR com a câmera do celular" in sheet
    assert "cerca de 3 min" in sheet
    assert "スマートフォン" not in sheet and "<ruby>" not in sheet
    # The page around the sheet stays Japanese for staff.
    assert '<html lang="ja">' in html and "ポスターもPortuguês (Brasil)です" in html
