"""One-tap reminders a leader sends its own people (an owner's about a broadcast to
acknowledge, an owner's or team lead's about an exam not taken yet): the one rhythm they
share (at most one an hour per subject and per sender's people) and the words for a tap
that comes too soon. Each domain keeps when its last nudge went; this only judges it."""
from datetime import datetime, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _

from portal.core.clock import now

NUDGE_EVERY = timedelta(hours=1)


def next_nudge(last: datetime | None, at: datetime | None = None) -> datetime | None:
    """When another nudge may go after one sent at `last`; None when it may now."""
    if last is not None and last + NUDGE_EVERY > (at or now()):
        return last + NUDGE_EVERY
    return None


def too_soon(when: datetime | None) -> str:
    """What a tap within the hour is told: when the people can be reminded again."""
    return _("Your people were reminded less than an hour ago; you can remind them "
             "again after %(time)s.", time=format_datetime(when, "HH:mm") if when else "")
