"""Unified social credit code validation and generation."""
import random

import pytest

from portal.org.uscc import (CHARSET, check_character, make_uscc, normalise_uscc,
                             uscc_error)

VALID = "91350100M000100Y43"


def test_published_code_is_valid():
    assert uscc_error(VALID) is None
    assert check_character(VALID[:17]) == VALID[17]


def test_normalise_strips_and_upper_cases():
    assert normalise_uscc("  91350100m000100y43 \n") == VALID
    assert uscc_error(normalise_uscc(" 91350100m000100y43")) is None


def test_lower_case_is_rejected_unless_normalised():
    assert uscc_error(VALID.lower()) == "charset"


@pytest.mark.parametrize("code", ["", VALID[:17], VALID + "0", "9135"])
def test_wrong_length(code):
    assert uscc_error(code) == "length"


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "-", " "])
def test_excluded_characters(letter):
    code = VALID[:9] + letter + VALID[10:]
    assert uscc_error(code) == "charset"


def test_division_must_be_digits():
    # A letter from the allowed set, so only the division rule can reject it.
    code = "9135A100M000100Y4"
    assert uscc_error(code + check_character(code)) == "division"


def test_wrong_check_character():
    wrong = next(char for char in CHARSET if char != VALID[17])
    assert uscc_error(VALID[:17] + wrong) == "check"


def test_single_character_typo_is_caught():
    typo = VALID[:10] + ("1" if VALID[10] != "1" else "2") + VALID[11:]
    assert uscc_error(typo) == "check"


def test_check_character_rejects_bad_input():
    with pytest.raises(ValueError):
        check_character("123")
    with pytest.raises(ValueError):
        check_character("91350100I000100Y4")


def test_make_uscc_generates_valid_codes_with_given_parts():
    rng = random.Random(2015)
    codes = [make_uscc(rng, division_code="110105", registration="5", org_type="2")
             for _ in range(200)]
    assert all(uscc_error(code) is None for code in codes)
    assert all(code[:8] == "52110105" for code in codes)
    assert len(set(codes)) == len(codes)


def test_make_uscc_is_reproducible_from_seed():
    assert make_uscc(random.Random(7)) == make_uscc(random.Random(7))
    assert make_uscc(random.Random(7))[2:8] == "330100"


@pytest.mark.parametrize("kwargs", [{"division_code": "3301"}, {"division_code": "33A100"},
                                    {"registration": "I"}, {"org_type": "12"}])
def test_make_uscc_rejects_bad_parts(kwargs):
    with pytest.raises(ValueError):
        make_uscc(random.Random(0), **kwargs)
