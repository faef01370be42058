"""A definition's time needed (``minutes``) and its own contact (``[contact]``)."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest

from surveyapp.surveys.definitions import (
    ContactDef,
    DefinitionError,
    builtin_paths,
    content_hash,
    dump_definition,
    load_definition,
    loads_definition,
    parse_definition,
)

BASE = """
format = 1
key = "info"
audience = "residents"
title.ja = "調査"
translation_status.ja = "reviewed"
translation_status.en = "machine-draft"
title.en = "Survey"

[[questions]]
key = "comment"
type = "textarea"
text.ja = "ご意見"
text.en = "Comments"
"""


def _data(**extra: Any) -> dict[str, Any]:
    data = tomllib.loads(BASE)
    data.update(extra)
    return data


def _errors(data: dict[str, Any]) -> list[str]:
    with pytest.raises(DefinitionError) as info:
        parse_definition(data, source="t.toml")
    return info.value.errors


def test_minutes_and_contact_are_optional_and_left_out_when_absent() -> None:
    defn = parse_definition(_data())
    assert defn.minutes is None and defn.contact == ContactDef()
    assert "minutes" not in dump_definition(defn) and "[contact]" not in dump_definition(defn)


def test_minutes_and_contact_round_trip() -> None:
    contact = {"name": {"ja": "中央図書館", "en": "Central Library"}, "phone": "058-383-1122",
               "email": "library@city.example.jp", "url": "https://library.example.jp/ask",
               "privacy_policy": "https://library.example.jp/privacy"}
    defn = parse_definition(_data(minutes=2, contact=contact))
    assert defn.minutes == 2
    assert defn.contact == ContactDef(name={"ja": "中央図書館", "en": "Central Library"},
                                      phone="058-383-1122", email="library@city.example.jp",
                                      url="https://library.example.jp/ask",
                                      privacy_policy="https://library.example.jp/privacy")
    again = loads_definition(dump_definition(defn))
    assert again == defn and content_hash(again) == content_hash(defn)
    assert content_hash(defn) != content_hash(parse_definition(_data(minutes=3, contact=contact)))


@pytest.mark.parametrize(("extra", "path", "fragment"), [
    ({"minutes": 0}, "minutes", "1〜120 の整数"),
    ({"minutes": "3分"}, "minutes", "整数にしてください"),
    ({"contact": {"name": {"ja": "課"}, "phone": "call us"}}, "contact.phone", "電話番号"),
    ({"contact": {"name": {"ja": "課"}, "email": "nobody"}}, "contact.email", "メールアドレスではありません"),
    ({"contact": {"name": {"ja": "課"}, "url": "javascript:alert(1)"}}, "contact.url", "http"),
    ({"contact": {"privacy_policy": "ftp://x"}}, "contact.privacy_policy", "http"),
    ({"contact": {"phone": "058-383-1111"}}, "contact.name", "問い合わせ先の名前がありません"),
    ({"contact": {"name": {"en": "Library"}}}, "contact.name.ja", "日本語（ja）の文がありません"),
    ({"contact": {"fax": "058"}}, "contact.fax", "不明なキー"),
    ({"contact": "058-383-1111"}, "contact", "表にしてください"),
])
def test_bad_values_are_named(extra: dict[str, Any], path: str, fragment: str) -> None:
    errors = _errors(_data(**extra))
    assert any(e.startswith(f"t.toml: {path}: ") and fragment in e for e in errors), errors


def test_builtin_surveys_state_their_time_once() -> None:
    for path in builtin_paths():
        defn = load_definition(path)
        assert defn.minutes is not None and 1 <= defn.minutes <= 5, path.name
        for text in defn.description.values():
            # The start page says the time and that answers are anonymous; descriptions don't.
            assert "分" not in text and "minut" not in text and "phút" not in text, path.name
