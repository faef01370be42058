"""The printable paper questionnaire: made from the definition (stored or draft), with the web's
wording and option order in every offered language, numbered boxes, an invitation-code box and
a serial number per copy."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
import sqlalchemy as sa
from flask import Flask

from surveyapp.extensions import db
from surveyapp.i18n import OFFERED_BY_DEFAULT, localized, strip_ruby
from surveyapp.invitations.codes import CODE_LENGTH
from surveyapp.paper.printing import PrintOptions, render_paper
from surveyapp.surveys.definitions import builtin_paths, load_definition, loads_definition
from surveyapp.surveys.models import SurveyVersion
from surveyapp.surveys.services import get_survey, version_definition

from .helpers import admin, keyer

SURVEYS = [path.stem for path in builtin_paths()]


def visible_text(page: str) -> str:
    """The text a reader sees: no readings (<rt>), no tags, entities decoded, spaces collapsed."""
    page = re.sub(r"<rt>.*?</rt>|</?ruby>", "", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(page).split())


def _articles(page: str) -> list[str]:
    return re.findall(r'<article class="paper".*?</article>', page, flags=re.S)


@pytest.mark.parametrize("survey_key", SURVEYS)
def test_every_question_and_option_in_the_definitions_order_in_every_language(app: Flask, survey_key: str) -> None:
    client = admin(app)
    with app.app_context():
        version = get_survey(survey_key).current_version
        assert version is not None
        defn = version_definition(version)
    for language in OFFERED_BY_DEFAULT:
        response = client.get(f"/staff/surveys/{survey_key}/paper?lang={language}")
        assert response.status_code == 200, (survey_key, language)
        page = response.get_data(as_text=True)
        assert f'<html lang="{"ja" if language == "ja-easy" else language}"' in page
        text = visible_text(_articles(page)[0])
        position = text.index(" ".join(strip_ruby(localized(defn.title, language)[0]).split()))
        for number, question in enumerate(defn.questions, start=1):
            position = text.index(" ".join(strip_ruby(localized(question.text, language)[0]).split()), position)
            for option_number, option in enumerate(question.options, start=1):
                label = " ".join(strip_ruby(localized(option.text, language)[0]).split())
                # Each box is printed with its number: the key a keyer presses on the entry screen.
                position = text.index(f"{option_number} {label}", position)
            assert number >= 1
        if language == "ja-easy":
            assert "<ruby>" in page  # readings over the kanji on the やさしい日本語 paper


def test_the_paper_is_a_function_of_a_definition_so_a_draft_prints_too(app: Flask) -> None:
    source = next(p for p in builtin_paths() if p.stem == "digital-services").read_text(encoding="utf-8")
    draft = loads_definition(source.replace("どの程度満足していますか。", "どのくらい満足していますか（下書き）。"))
    with app.app_context():
        versions_before = db.session.scalar(sa.select(sa.func.count(SurveyVersion.id)))
    with app.test_request_context("/staff/surveys/digital-services/paper"):
        page = render_paper(draft, "ja")
        one_copy = render_paper(draft, "en", PrintOptions(serials=[7]))
    assert "どのくらい満足していますか（下書き）。" in page
    assert "No.0007" in one_copy and "Questionnaire" in one_copy
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SurveyVersion.id))) == versions_before


def test_copies_carry_serial_numbers_and_an_invitation_code_box(app: Flask) -> None:
    client = admin(app)
    page = client.get("/staff/surveys/digital-services/paper?start=5&end=7").get_data(as_text=True)
    articles = _articles(page)
    assert len(articles) == 3
    for serial, article in zip((5, 6, 7), articles, strict=True):
        assert f"No.{serial:04d}" in article
        assert article.count('<span class="cell">') == CODE_LENGTH
        assert "招待コード" in article and "調査票番号" in article
    sample = _articles(client.get("/staff/surveys/digital-services/paper").get_data(as_text=True))
    assert len(sample) == 1 and "No.0" not in sample[0]  # a sample copy has an empty number box


def test_a_wave_prints_its_deadline_and_contact(app: Flask) -> None:
    from surveyapp.invitations.waves import LetterDetails, create_codes_wave

    with app.app_context():
        wave = create_codes_wave(get_survey("digital-services"), label="第1回発送", count=3, details=LetterDetails(
            deadline=date(2026, 6, 30), contact="各務原市 総合政策課 058-000-0000")).wave
        wave_id = wave.id
    client = admin(app)
    page = client.get(f"/staff/surveys/digital-services/paper?wave={wave_id}").get_data(as_text=True)
    assert "令和8年6月30日（火）までに、返信用封筒でご返送ください。" in page
    assert "各務原市 総合政策課 058-000-0000" in page
    english = client.get(f"/staff/surveys/digital-services/paper?wave={wave_id}&lang=en").get_data(as_text=True)
    assert "by June 30, 2026" in english


@pytest.mark.parametrize("query", ["start=1&end=201", "start=9&end=3", "start=0&end=2", "start=a&end=2",
                                   "start=3"])
def test_a_wrong_serial_range_gets_a_message(app: Flask, query: str) -> None:
    response = admin(app).get(f"/staff/surveys/digital-services/paper?{query}")
    assert response.status_code == 400
    assert "調査票番号の範囲" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["lang=fr", "lang=zh-Hans", "version=9", "wave=999"])
def test_an_unknown_language_version_or_wave_is_not_found(app: Flask, query: str) -> None:
    assert admin(app).get(f"/staff/surveys/digital-services/paper?{query}").status_code == 404


def test_an_earlier_version_can_be_printed(app: Flask) -> None:
    from surveyapp.surveys.services import load_survey

    path = next(p for p in builtin_paths() if p.stem == "digital-services")
    changed = load_definition(path)
    text = path.read_text(encoding="utf-8").replace("どの程度満足していますか。", "どの程度満足していますか（第2版）。")
    with app.app_context():
        load_survey(loads_definition(text))
    client = admin(app)
    assert "（第2版）" in client.get("/staff/surveys/digital-services/paper").get_data(as_text=True)
    first = client.get("/staff/surveys/digital-services/paper?version=1").get_data(as_text=True)
    assert "（第2版）" not in first and localized(changed.questions[0].text, "ja")[0] in first


def test_the_paper_is_reachable_from_the_survey_page_and_by_data_entry_staff(app: Flask) -> None:
    page = admin(app).get("/staff/surveys/digital-services").get_data(as_text=True)
    assert 'href="/staff/surveys/digital-services/paper"' in page
    entry = keyer(app, "keyer-a")
    assert entry.get("/staff/surveys/digital-services/paper").status_code == 200
    assert 'href="/staff/paper"' in entry.get("/staff/").get_data(as_text=True)


def test_a_draft_is_previewed_on_paper_before_it_is_published(app: Flask) -> None:
    """The editor's paper preview: the draft's wording on the A4 sheet, the published version
    untouched; a draft with problems shows them instead."""
    import copy

    from surveyapp.surveys import drafts
    from tests.conftest import login

    with app.app_context():
        survey = get_survey("digital-services")
        drafts.start_draft(survey, user_id=None)
        question = copy.deepcopy(survey.draft.definition["questions"][0])
        question["text"]["ja"] = "下書きで書き直した質問文です"
        drafts.save_question(survey, 0, revision=1, user_id=None, question=question, same_page=False)
    client = app.test_client()
    login(client, app, "author")
    overview = client.get("/staff/surveys/digital-services/draft").get_data(as_text=True)
    assert 'href="/staff/surveys/digital-services/draft/paper"' in overview
    response = client.get("/staff/surveys/digital-services/draft/paper")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "下書きで書き直した質問文です" in visible_text(page)
    assert "紙の調査票のプレビュー（下書き）" in page
    english = client.get("/staff/surveys/digital-services/draft/paper?lang=en")
    assert english.status_code == 200 and 'lang="en"' in english.get_data(as_text=True)
    assert client.get("/staff/surveys/digital-services/draft/paper?lang=xx").status_code == 404
    published = client.get("/staff/surveys/counter/draft/paper")
    assert published.status_code == 404  # no draft
    with app.app_context():
        survey = get_survey("digital-services")
        broken = copy.deepcopy(survey.draft.definition["questions"][0])
        broken["options"] = []
        drafts.save_question(survey, 0, revision=2, user_id=None, question=broken, same_page=False)
    assert client.get("/staff/surveys/digital-services/draft/paper").status_code == 409
