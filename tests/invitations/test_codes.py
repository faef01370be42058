"""Invitation codes: alphabet, grouping, the check character and the cleaning of typed input."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveyapp.invitations.codes import (
    ALPHABET,
    CODE_LENGTH,
    ENTROPY_BITS,
    CodeMalformed,
    check_character,
    display,
    is_valid,
    new_code,
    normalise,
    parse_code,
)

bodies = st.text(alphabet=ALPHABET, min_size=8, max_size=8)


def test_alphabet_has_no_character_that_reads_like_another() -> None:
    assert not set("01OIl") & set(ALPHABET)
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert pytest.approx(8 * math.log2(31)) == ENTROPY_BITS and ENTROPY_BITS > 39.5


def test_new_codes_are_valid_grouped_and_different() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    for code in list(codes)[:50]:
        assert len(code) == CODE_LENGTH and is_valid(code)
        shown = display(code)
        assert len(shown) == 11 and shown[3] == shown[7] == "-"
        assert parse_code(shown) == code


@given(bodies)
def test_every_single_typo_is_caught(body: str) -> None:
    code = body + check_character(body)
    assert is_valid(code)
    for position, wrong in itertools.product(range(CODE_LENGTH), ALPHABET):
        if code[position] != wrong:
            typo = code[:position] + wrong + code[position + 1:]
            assert not is_valid(typo), (code, typo)


@given(bodies)
def test_every_swap_of_neighbours_is_caught(body: str) -> None:
    code = body + check_character(body)
    for position in range(CODE_LENGTH - 1):
        a, b = code[position], code[position + 1]
        if a != b:
            swapped = code[:position] + b + a + code[position + 2:]
            with pytest.raises(CodeMalformed) as caught:
                parse_code(swapped)
            assert caught.value.reason == "check"


@pytest.mark.parametrize("typed", [
    "kx7-p42-mrq", "KX7P42MRQ", " KX7 P42 MRQ ", "ＫＸ７－Ｐ４２－ＭＲＱ", "kx7ーp42ーmrq", "KX7‐P42−MRQ",
    "KX7\u3000P42\u3000MRQ",
])
def test_what_people_type_is_normalised(typed: str) -> None:
    assert normalise(typed) == "KX7P42MRQ"


def test_parse_code_says_what_is_wrong() -> None:
    body = "KX7P42MR"
    good = body + check_character(body)
    assert parse_code(good.lower()) == good
    for typed, reason in (("", "empty"), ("  - ", "empty"), ("KX7-P42", "length"),
                          (good + "A", "length"), ("KX0-P42-MRQ", "characters"),
                          ("KX7-P42-MR!", "characters")):
        with pytest.raises(CodeMalformed) as caught:
            parse_code(typed)
        assert caught.value.reason == reason, typed
    with pytest.raises(CodeMalformed) as caught:
        parse_code("IO1-P42-MRQ")
    assert caught.value.characters == "IO1"
