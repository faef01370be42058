"""The UI catalogues: up to date with the sources, complete for the offered languages, with the
same placeholders as the Japanese and well-formed ruby notation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from flask import Flask

from surveyapp.i18n import CATALOGUES, OFFERED_BY_DEFAULT
from surveyapp.i18n_cli import BABEL_CFG, KEYWORDS, PACKAGE, TEMPLATE, catalogue_path, read_catalogue
from surveyapp.i18n_cli import untranslated as untranslated_in
from surveyapp.surveys.definitions import builtin_paths, load_definition

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
RUBY = re.compile(r"\{([^{}|]+)\|([^{}|]+)\}")
KANA = re.compile(r"[\u3041-\u309f\u30a0-\u30ffー]+")
KANJI = re.compile(r"[\u4e00-\u9fff々]")


def test_messages_pot_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "messages.pot"
    args = ["pybabel", "-q", "extract", "-F", str(BABEL_CFG), "--no-location", "-o", str(fresh)]
    for keyword in KEYWORDS:
        args += ["-k", keyword]
    CommandLineInterface().run([*args, str(PACKAGE)])
    committed = {m.id for m in read_catalogue(TEMPLATE) if m.id}
    extracted = {m.id for m in read_catalogue(fresh) if m.id}
    assert extracted == committed, "run `flask i18n extract` and `flask i18n update`"


def test_every_catalogue_knows_every_message() -> None:
    expected = {m.id for m in read_catalogue(TEMPLATE) if m.id}
    for folder in CATALOGUES.values():
        assert {m.id for m in read_catalogue(catalogue_path(folder)) if m.id} == expected, folder


@pytest.mark.parametrize("language", [code for code in OFFERED_BY_DEFAULT if code != "ja"])
def test_offered_languages_are_completely_translated(language: str) -> None:
    assert untranslated_in(read_catalogue(catalogue_path(CATALOGUES[language]))) == []


def test_prepared_languages_have_partial_catalogues() -> None:
    for language in ("zh-Hans", "tl"):
        catalog = read_catalogue(catalogue_path(CATALOGUES[language]))
        translated = [m for m in catalog if m.id and m.string]
        assert translated, language


@pytest.mark.parametrize("folder", sorted(CATALOGUES.values()))
def test_translations_keep_the_placeholders(folder: str) -> None:
    for message in read_catalogue(catalogue_path(folder)):
        if message.id and message.string:
            assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
                PLACEHOLDER.findall(message.id)), (folder, message.id)


def _check_ruby(text: str, where: str) -> None:
    for base, reading in RUBY.findall(text):
        assert KANJI.search(base), (where, base)
        assert KANA.fullmatch(reading), (where, reading)
    rest = RUBY.sub("", text)
    assert not re.search(r"[{}|]", rest), (where, text)


def test_easy_japanese_catalogue_writes_readings_correctly() -> None:
    for message in read_catalogue(catalogue_path("ja_easy")):
        if message.string:
            _check_ruby(message.string, message.id)


def test_builtin_surveys_offer_five_languages_with_correct_readings() -> None:
    for path in builtin_paths():
        defn = load_definition(path)
        assert set(defn.translation_status) >= set(OFFERED_BY_DEFAULT), path.name
        assert defn.translation_status["ja"] == "reviewed"
        for language in OFFERED_BY_DEFAULT:
            if language != "ja":
                assert defn.translation_status[language] == "machine-draft", (path.name, language)
        texts = [defn.title, defn.description]
        for question in defn.questions:
            texts += [question.text, question.hint, *[o.text for o in question.options]]
        for text in texts:
            if text:
                _check_ruby(text.get("ja-easy", ""), path.name)
                for language in ("ja", "pt-BR", "en", "vi"):
                    assert not RUBY.search(text.get(language, "")), (path.name, language)
        # KPI titles stay Japanese: they are for staff reports.
        assert all(set(kpi.title) == {"ja"} for kpi in defn.kpis), path.name


def test_compile_writes_a_catalogue_per_language(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["i18n", "compile"])
    assert result.exit_code == 0, result.output
    for folder in CATALOGUES.values():
        assert catalogue_path(folder, "mo").exists(), folder
