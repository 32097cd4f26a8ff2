"""The health part of an owner's and a team lead's home page: its partner's (or team's)
health this month as the principal sees it, with the move since last month, and today's
to-dos about its people's habits with a one-tap reminder each (`todo`)."""
from datetime import datetime

from portal.core.access import figures_of, may
from portal.core.clock import BUSINESS_TZ
from portal.core.domains import Panel
from portal.health import read, todo
from portal.results.months import add_months, month_label


def _subject(user) -> str | None:
    """Whose health the home shows: the one partner (or a team lead's team) whose
    figures `user` reads (`figures_of`); None for everyone else."""
    figures = figures_of(user)
    if figures.partner_ids is None or len(figures.partner_ids) != 1:
        return None
    if figures.team_id is not None:
        return f"team:{figures.team_id}"
    return f"partner:{figures.partner_ids[0]}"


def panels(user, at: datetime) -> list[Panel]:
    subject = _subject(user)
    if subject is None or not may(user, "health.nudge"):
        return []
    day = at.astimezone(BUSINESS_TZ).date()
    month = read.default_month(day)
    row = read.subject_row(user, month, subject)
    before = read.subject_row(user, add_months(month, -1), subject)
    return [Panel(12, "health/home_todo.html", {**todo.todos(user, day, at), "at": at}),
            Panel(25, "health/home_card.html",
                  {"row": row, "before": before, "month_text": month_label(month),
                   "subject": subject})]
