"""Unified social credit codes (统一社会信用代码), GB 32100-2015.

A code has 18 characters: registration authority (1), organisation type (1),
administrative division (6 digits), organisation code (9) and a check character.
"""
import random

# The standard drops I, O, Z, S and V because they are easily misread as digits.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {char: index for index, char in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]
LENGTH = 18

ERROR_KEYS = ("length", "charset", "division", "check")


def normalise_uscc(text: str) -> str:
    """Return ``text`` stripped of surrounding whitespace and upper-cased."""
    return (text or "").strip().upper()


def check_character(first17: str) -> str:
    """Return the check character for the first 17 characters of a code."""
    if len(first17) != LENGTH - 1:
        raise ValueError("expected 17 characters")
    try:
        total = sum(VALUES[char] * weight for char, weight in zip(first17, WEIGHTS))
    except KeyError as error:
        raise ValueError(f"character {error.args[0]!r} is not allowed") from None
    return CHARSET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """Return None for a valid code, else one of "length", "charset", "division", "check".

    The code is taken as given; pass it through ``normalise_uscc`` first.
    """
    if len(code) != LENGTH:
        return "length"
    if any(char not in VALUES for char in code):
        return "charset"
    # The charset admits letters here, so the digits-only rule needs its own check.
    if not code[2:8].isdigit():
        return "division"
    if check_character(code[:17]) != code[17]:
        return "check"
    return None


def make_uscc(rng: random.Random, division_code: str = "330100",
              registration: str = "9", org_type: str = "1") -> str:
    """Generate a well-formed code with a random organisation part (for demo data)."""
    if len(division_code) != 6 or not division_code.isdigit() or not division_code.isascii():
        raise ValueError("division_code must be 6 digits")
    if len(registration) != 1 or registration not in VALUES:
        raise ValueError("registration must be one allowed character")
    if len(org_type) != 1 or org_type not in VALUES:
        raise ValueError("org_type must be one allowed character")
    organisation = "".join(rng.choice(CHARSET) for _ in range(9))
    first17 = registration + org_type + division_code + organisation
    return first17 + check_character(first17)
