"""How figures read in the user's language."""
from datetime import timedelta

from flask_babel import format_timedelta


def human_seconds(seconds: float | None) -> str:
    """A duration as people say it: the two largest units ("2 hours 5 minutes")."""
    if seconds is None:
        return "—"
    left, parts = int(round(seconds)), []
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if left >= size or (unit == "second" and not parts):
            count, left = divmod(left, size)
            parts.append(format_timedelta(timedelta(seconds=count * size), granularity=unit,
                                          threshold=1e9))
        if len(parts) == 2:
            break
    return " ".join(parts)


# Characters nobody types into a form or a spreadsheet cell that can still do harm once
# stored: NUL (PostgreSQL refuses it), other control characters (terminal escapes), and
# the bidirectional overrides, embeddings and isolates that make "gpj.exe" read as
# "exe.jpg" (Trojan Source). Lone surrogates are no valid UTF-8 at all.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of `value` the portal never stores, or None: the one
    input-cleaning rule of forms, uploaded files and the API. Tabs are allowed, and line
    breaks where the text may have several lines."""
    for char in value:
        code = ord(char)
        if char == "\t" or (multiline and char in "\r\n"):
            continue
        if code < 0x20 or 0x7f <= code <= 0x9f or char in _BIDI_CONTROLS \
                or 0xd800 <= code <= 0xdfff:
            return char
    return None
