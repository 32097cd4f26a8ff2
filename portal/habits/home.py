"""The habits part of a partner person's home page: today's visits so far, the
follow-ups due today or overdue (oldest first) and a button to log a visit."""
from datetime import datetime

from portal.core.access import may
from portal.core.domains import Panel
from portal.habits import today as my_day
from portal.habits.rollups import business_day

SHOWN = 3


def panels(user, at: datetime) -> list[Panel]:
    if not may(user, "habits.log"):
        return []
    day = business_day(at)
    due = my_day.due_follow_ups(user, day)
    return [Panel(15, "habits/home.html", {"today": my_day.counts(user, day),
                                           "due_count": len(due), "due": due[:SHOWN],
                                           "day": day})]
