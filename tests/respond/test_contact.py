"""Contact (問い合わせ先) and the privacy policy on respondent pages: site settings, with a
survey's own contact from its definition; and what the start page says about itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

from tests.conftest import answer_survey, link_code, load_builtin_surveys, start_flow

SITE = {"CONTACT_NAME": "各務原市 デジタル戦略課", "CONTACT_PHONE": "058-383-1111",
        "CONTACT_EMAIL": "digital@city.example.jp",
        "PRIVACY_POLICY_URL": "https://www.city.example.jp/privacy/"}

OWN_CONTACT = """
format = 1
key = "library"
audience = "residents"
public_results = true
minutes = 2
title.ja = "図書館アンケート"
title.en = "Library survey"
translation_status.ja = "reviewed"
translation_status.en = "machine-draft"

[contact]
name.ja = "中央図書館"
name.en = "Central Library"
phone = "058-383-1122"
privacy_policy = "https://library.example.jp/privacy"

[[questions]]
key = "q1"
type = "single"
required = true
text.ja = "満足していますか。"
text.en = "Are you satisfied?"

[[questions.options]]
code = "yes"
text.ja = "はい"
text.en = "Yes"

[[questions.options]]
code = "no"
text.ja = "いいえ"
text.en = "No"

[[questions]]
key = "comment"
type = "textarea"
text.ja = "ご意見をどうぞ。"
text.en = "Any comments?"
"""


def _main(html: str) -> str:
    return html[html.index("<main"):html.index("</main>")]


def test_site_contact_and_privacy_policy_on_start_question_and_thank_you_pages(
        app_factory: Any) -> None:
    app = load_builtin_surveys(app_factory(**SITE))
    client = app.test_client()
    code = link_code(app, "digital-services")
    start = client.get(f"/s/{code}").get_data(as_text=True)
    section = start[start.index('<section class="contact"'):]
    assert "各務原市 デジタル戦略課" in section
    assert '<a href="tel:0583831111">058-383-1111</a>' in section
    assert '<a href="mailto:digital@city.example.jp">' in section
    assert '<a href="https://www.city.example.jp/privacy/">個人情報の取り扱い' in section
    start_flow(client, code)
    question = client.get(f"/s/{code}/p/1").get_data(as_text=True)
    footer = question[question.index('<footer'):]
    assert 'href="tel:0583831111"' in footer and "https://www.city.example.jp/privacy/" in footer
    answer_survey(client, app, "digital-services", {"digital_satisfaction": "satisfied"})
    done = client.get(f"/s/{code}/done").get_data(as_text=True)
    assert "058-383-1111" in _main(done) and "https://www.city.example.jp/privacy/" in _main(done)


def test_no_contact_block_when_nothing_is_configured(client: Any, app: Flask) -> None:
    html = client.get(f"/s/{link_code(app, 'digital-services')}").get_data(as_text=True)
    assert 'class="contact"' not in html and "footer-links" not in html


def test_a_survey_names_its_own_contact_in_the_residents_language(app_factory: Any,
                                                                   tmp_path: Path) -> None:
    app = app_factory(**SITE)
    path = tmp_path / "library.toml"
    path.write_text(OWN_CONTACT, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["surveys", "load", "--open", str(path)])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    code = link_code(app, "library")
    html = client.get(f"/s/{code}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    section = html[html.index('<section class="contact"'):]
    assert "Central Library" in section and "058-383-1122" in section
    # The survey's contact replaces the site's as a whole: no mix of two offices.
    assert "digital@city.example.jp" not in section and "デジタル戦略課" not in section
    assert 'href="https://library.example.jp/privacy">Privacy policy</a>' in section
    assert "2 questions, about 2 min." in html


def test_start_page_says_anonymous_once_with_questions_and_time(client: Any, app: Flask) -> None:
    for survey, questions, minutes in (("digital-services", 6, 3), ("counter", 4, 1)):
        html = _main(client.get(f"/s/{link_code(app, survey)}").get_data(as_text=True))
        text = re.sub(r"<[^>]+>", "", html)
        assert len(re.findall("匿名|無記名", text)) == 1, survey
        assert f"質問は{questions}問、{minutes}分ほどです。" in text
    for language, words in (("en", "anonymous"), ("pt-BR", "anônima"), ("vi", "ẩn danh")):
        html = client.get(f"/s/{link_code(app, 'public-transport')}",
                          headers={"Accept-Language": language}).get_data(as_text=True)
        assert _main(html).lower().count(words) == 1, language
