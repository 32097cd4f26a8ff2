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
