"""What one viewer sees of a contest's standings, for its page and the API alike: the
whole board for the organiser, the principal's readers and, on a full board, every
participant; otherwise only the viewer's own standing — with its rank once final (while
the contest runs the thresholds tell how far the top 10/25/50 % are, not the rank) —
and the thresholds."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from portal.contests import standings
from portal.contests.models import Contest, ContestEntry
from portal.contests.policies import mine, sees_full_board
from portal.extensions import db

# The contests list's tabs: under way, upcoming, ended (cancelled ones with them).
TABS = ("running", "upcoming", "ended")


def in_tab(tab: str, day):
    """SQL: the contests of one tab of the list on business day `day`."""
    live = Contest.cancelled_at.is_(None)
    if tab == "upcoming":
        return live & (Contest.starts_on > day)
    if tab == "ended":
        return or_(Contest.ends_on < day, ~live)
    return live & (Contest.starts_on <= day) & (Contest.ends_on >= day)


@dataclass
class View:
    contest: Contest
    board: standings.Board
    full: bool
    shown: list  # the standings this viewer sees, in board order
    own: set     # the entry ids the viewer belongs to

    @property
    def ranks_shown(self) -> bool:
        return self.full or self.board.final


def view(user, contest: Contest, at: datetime) -> View:
    """`contest`'s standings as `user` may see them (the caller has checked it may see
    the contest at all)."""
    board = standings.board_of(contest, at)
    own = set(db.session.execute(select(ContestEntry.id).where(
        ContestEntry.contest_id == contest.id, mine(user))).scalars())
    full = sees_full_board(user, contest)
    shown = board.standings if full else [s for s in board.standings if s.entry_id in own]
    return View(contest, board, full, shown, own)
