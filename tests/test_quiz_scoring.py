"""Scoring one answer of each kind, by the README's rules."""
from decimal import Decimal
from types import SimpleNamespace

import pytest

from portal.exams.bank.scoring import score


def version(kind, answer, points="2", options=3, scoring="all_or_nothing"):
    return SimpleNamespace(kind=kind, answer=answer, points=Decimal(points), scoring=scoring,
                           options=[{"text": f"选项{i}"} for i in range(options)])


@pytest.mark.parametrize("answer, points", [
    (1, "2"), (0, "0"), (None, "0"), (True, "0"), ("1", "0"), (7, "0")])
def test_single_choice_is_all_or_nothing(answer, points):
    assert score(version("single", 1), answer) == Decimal(points)


@pytest.mark.parametrize("answer, points", [
    (False, "2"), (True, "0"), ("false", "0"), (0, "0"), (None, "0")])
def test_truefalse_needs_the_boolean(answer, points):
    assert score(version("truefalse", False), answer) == Decimal(points)


@pytest.mark.parametrize("answer, points", [
    ("保护", "2"), ("  保护期 ", "2"), ("\u3000保护\u3000", "2"), ("CRM", "2"), ("ｃｒｍ", "2"),
    ("Crm\u3000", "2"), ("保 护", "0"), ("", "0"), ("\u3000", "0"), ("保护期限", "0"), (3, "0")])
def test_fill_trims_spaces_of_any_width_and_ignores_case(answer, points):
    assert score(version("fill", ["保护", "保护期", "crm"]), answer) == Decimal(points)


@pytest.mark.parametrize("answer, points", [
    ([0, 2], "2"), ([2, 0], "2"), ([0, 2, 2], "2"), ([0], "0"), ([0, 1, 2], "0"), ([], "0"),
    (0, "0"), ([0, 9], "0")])
def test_multiple_all_or_nothing_requires_the_exact_set(answer, points):
    assert score(version("multiple", [0, 2], options=4), answer) == Decimal(points)


@pytest.mark.parametrize("answer, points", [
    ([0, 1, 2], "3.00"),   # every correct option
    ([0, 1], "2.00"),      # two of three correct
    ([0, 1, 3], "1.00"),   # two right, one wrong
    ([0, 3, 4], "0.00"),   # one right, two wrong: never below zero
    ([3, 4], "0.00"),
    ([0, 1, 2, 3], "2.00"),
    ([], "0.00"),
    ([0, 7], "0.00"),      # an option the question does not have
])
def test_multiple_partial_gives_a_share_per_option(answer, points):
    question = version("multiple", [0, 1, 2], points="3", options=5, scoring="partial")
    assert score(question, answer) == Decimal(points)


def test_partial_shares_round_to_the_cent_and_add_up_to_the_points():
    question = version("multiple", [0, 1, 2], points="2", options=4, scoring="partial")
    assert score(question, [0]) == Decimal("0.67")
    assert score(question, [0, 1]) == Decimal("1.33")
    assert score(question, [0, 1, 2]) == Decimal("2.00")
