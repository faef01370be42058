"""Formula-injection and XSS strings typed into free-text answers: no formula in any CSV or XLSX
cell, exact round trip after removing the added prefix, escaped on staff pages."""

from __future__ import annotations

import csv
import io

import openpyxl
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from surveyapp.exports.cells import safe_text
from tests.conftest import login
from tests.results.factories import add_responses

FORMULAS = [
    "=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", " =1", '=HYPERLINK("http://example.com","x")',
    "＝1+1", "＋1", "－1", "＠SUM(A1)", "\u3000=1+1", "\xa0=1", "=cmd|' /C calc'!A0",
    "\r=1", "\n=1", " \t@A1", "-", "=", "DDE(\"cmd\")", "1+1=2",
]
XSS = [
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "<svg onload=alert(1)>",
    "javascript:alert(1)", "</blockquote><b>bold</b>", "{{ 7*7 }}", "&lt;escaped&gt;",
]
CORPUS = FORMULAS + XSS


def _unprefix(value: str) -> str:
    return value[1:] if value.startswith("'") else value


def _load(app: Flask) -> FlaskClient:
    add_responses(app, "counter", [{"counter_satisfaction": "satisfied", "comment": text}
                                   for text in CORPUS])
    client = app.test_client()
    login(client, app, "analyst")
    return client


def _stored(text: str) -> str:
    # clean_answers normalises line endings and strips surrounding whitespace.
    return text.replace("\r\n", "\n").strip()


def test_formula_strings_are_neutralised_and_round_trip(app: Flask) -> None:
    client = _load(app)
    expected = sorted(_stored(t) for t in CORPUS if _stored(t))
    for url in ("/staff/surveys/counter/responses.csv", "/staff/surveys/counter/comments.csv"):
        text = client.get(url).get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        column = rows[0].index("comment") if "comment" in rows[0] else rows[0].index("text")
        cells = [r[column] for r in rows[1:]]
        for cell in cells:
            assert safe_text(_unprefix(cell)) == cell  # every dangerous cell carries the prefix
            assert not cell.lstrip(" \u3000\xa0").startswith(("=", "+", "-", "@", "\t", "\r", "\n", "＝"))
        assert sorted(_unprefix(c) for c in cells) == expected, url

    for url in ("/staff/surveys/counter/responses.xlsx", "/staff/surveys/counter/comments.xlsx"):
        book = openpyxl.load_workbook(io.BytesIO(client.get(url).get_data()))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (url, cell.coordinate, cell.value)
        sheet = book.worksheets[0]
        header = [c.value for c in sheet[1]]
        # Excel headings are Japanese: the question 「問N …」, or 「自由記述」 in the comments file.
        column = next(i for i, h in enumerate(header) if h == "自由記述" or "ご自由にお書きください" in h)
        cells = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert sorted(_unprefix(c) for c in cells) == expected, url


def test_free_text_is_escaped_on_staff_pages(app: Flask) -> None:
    client = _load(app)
    page = client.get("/staff/surveys/counter/comments").get_data(as_text=True)
    for text in XSS:
        assert str(escape(_stored(text))) in page
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page and "<svg onload" not in page and "<b>bold</b>" not in page
    assert "49" not in page.split("{{ 7*7 }}")[0][-5:]


def test_safe_text_rules() -> None:
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("  @x") == "'  @x"
    assert safe_text("\u3000＝1") == "'\u3000＝1"
    assert safe_text("﹦1") == "'﹦1"  # small equals sign, NFKC "="
    assert safe_text("abc=1") == "abc=1"
    assert safe_text("") == ""
    assert safe_text("1-2") == "1-2"
