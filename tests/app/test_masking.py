"""Phone numbers and e-mail addresses typed into free text are found (Japanese formats, full-width
characters) and nothing else is: dates, prices, postal codes and counts stay as written."""

from __future__ import annotations

import pytest

from surveyapp.masking import EMAIL, PHONE, find_contacts, mask


@pytest.mark.parametrize("text", [
    "090-1234-5678", "09012345678", "090 1234 5678", "080−1234−5678", "070‐1234‐5678",
    "０９０－１２３４－５６７８", "０９０ー１２３４ー５６７８", "090ｰ1234ｰ5678",
    "058-383-1111", "(058)383-1111", "058(383)1111", "０５８（３８３）１１１１", "０５８３８３１１１１",
    "03-1234-5678", "0120-123-456", "050-1234-5678", "+81 90-1234-5678",
])
def test_japanese_phone_numbers_are_hidden(text: str) -> None:
    written = f"折り返し{text}に電話をください。"
    assert mask(written) == "折り返し［電話番号］に電話をください。"
    assert [found.kind for found in find_contacts(written)] == [PHONE]


@pytest.mark.parametrize("text", [
    "taro.yamada@example.jp", "hanako+survey@city.kakamigahara.lg.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ",
    "taro＠example.jp", "09012345678@docomo.ne.jp",
])
def test_email_addresses_are_hidden_whole(text: str) -> None:
    assert mask(f"連絡先：{text} まで") == "連絡先：［メールアドレス］ まで"
    assert [found.kind for found in find_contacts(text)] == [EMAIL]


@pytest.mark.parametrize("text", [
    "2026-12-01に行きました。", "待ち時間は30分でした。", "手数料1,000円", "〒504-8555", "12345678",
    "令和8年12月1日 10:30", "第3回スマホ教室（20人）", "メールで連絡してください", "@mention",
])
def test_other_numbers_and_text_are_left_alone(text: str) -> None:
    assert find_contacts(text) == [] and mask(text) == text


def test_several_contacts_keep_the_text_around_them() -> None:
    text = "電話058-383-1111かmail@example.jpへ。携帯は０９０－１１１１－２２２２です"
    assert mask(text) == "電話［電話番号］か［メールアドレス］へ。携帯は［電話番号］です"
