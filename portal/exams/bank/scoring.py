"""Scoring one answer to one question version, by the README's rules.

One scorer per kind in a registry, so exams and their item analysis share a single
definition of "right". A taker's answer is: single, the chosen option's index; multiple,
the chosen indices; truefalse, a boolean; fill, the typed text. An unanswered or
malformed answer scores zero (the API refuses malformed answers before they are saved)."""
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

ZERO, CENT = Decimal("0.00"), Decimal("0.01")
_SPACES = re.compile(r"\s+")


def _is_index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def normalise_fill(text: str) -> str:
    """How typed and accepted answers are compared: full-width forms folded to their plain
    equivalents (NFKC), spaces of any width trimmed and collapsed, case folded."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def _single(version, answer) -> Decimal:
    return version.points if _is_index(answer) and answer == version.answer else ZERO


def _truefalse(version, answer) -> Decimal:
    return version.points if isinstance(answer, bool) and answer is version.answer else ZERO


def _fill(version, answer) -> Decimal:
    if not isinstance(answer, str):
        return ZERO
    typed = normalise_fill(answer)
    accepted = {normalise_fill(text) for text in version.answer}
    return version.points if typed and typed in accepted else ZERO


def _multiple(version, answer) -> Decimal:
    if not isinstance(answer, (list, tuple, set, frozenset)) or not all(map(_is_index,
                                                                             answer)):
        return ZERO
    chosen, correct = set(answer), set(version.answer)
    if not chosen <= set(range(len(version.options))):
        return ZERO
    if version.scoring != "partial":
        return version.points if chosen == correct else ZERO
    # Each right choice earns an equal share, each wrong one takes a share back.
    net = len(chosen & correct) - len(chosen - correct)
    earned = Decimal(version.points) * max(net, 0) / len(correct)
    return earned.quantize(CENT, rounding=ROUND_HALF_UP)


SCORERS = {"single": _single, "multiple": _multiple, "truefalse": _truefalse, "fill": _fill}


def score(version, answer) -> Decimal:
    """Points earned by `answer` on `version` (a QuestionVersion or anything shaped like
    one), between zero and the version's points, to the cent."""
    if answer is None:
        return ZERO
    return Decimal(SCORERS[version.kind](version, answer)).quantize(CENT)

