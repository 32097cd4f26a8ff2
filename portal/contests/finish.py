"""The end of a contest: its final standings frozen into `contest_standings` (so its
history stays readable and never changes) and announced to the organiser and to each
participant's people (their place and the winner).

Run by the `contests.finish` job. Due contests are those whose last day is over and
that are neither cancelled nor frozen; each is claimed by one conditional UPDATE of
`frozen_at`, so running it twice (or in two processes) freezes and announces once."""
from datetime import datetime

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import and_, insert, or_, select, update

from portal.auth.models import User
from portal.contests import standings
from portal.contests.models import RANKED, Contest, ContestEntry, ContestStanding
from portal.core.clock import BUSINESS_TZ
from portal.core.urls import path_for
from portal.extensions import db
from portal.notify.services import notify
from portal.org.models import Team


def due(at: datetime):
    """SQL: contests whose last day is over at `at` and that wait to be frozen."""
    today = at.astimezone(BUSINESS_TZ).date()
    return and_(Contest.ends_on < today, Contest.cancelled_at.is_(None),
                Contest.frozen_at.is_(None))


def finish_ended(at: datetime) -> int:
    """Freeze and announce every contest that ended; returns how many."""
    done = 0
    for contest in db.session.execute(select(Contest).where(due(at))
                                      .order_by(Contest.id)).scalars().all():
        claimed = db.session.execute(update(Contest).where(
            Contest.id == contest.id, Contest.frozen_at.is_(None)).values(frozen_at=at),
            execution_options={"synchronize_session": False}).rowcount
        if claimed:
            board = standings.compute(contest, at)
            _freeze(contest, board)
            _announce(contest, board)
            done += 1
    db.session.expire_all()
    return done


def _freeze(contest: Contest, board: standings.Board) -> None:
    db.session.execute(insert(ContestStanding), [
        {"contest_id": contest.id, "entry_id": s.entry_id, "name": s.name[:120],
         "numerator": s.numerator, "denominator": s.denominator, "people": s.people,
         "rate": s.rate, "rank": s.rank, "status": s.status, "position": position}
        for position, s in enumerate(board.standings, start=1)])


def people_of(entry: ContestEntry):
    """SELECT of the ids of the people an entry speaks for: a partner's people, a
    team's members and its lead, a person."""
    if entry.user_id is not None:
        return select(User.id).where(User.id == entry.user_id)
    if entry.team_id is not None:
        return select(User.id).where(or_(
            User.team_id == entry.team_id,
            User.id.in_(select(Team.leader_id).where(Team.id == entry.team_id))))
    return select(User.id).where(User.partner_id == entry.partner_id)


def _announce(contest: Contest, board: standings.Board) -> None:
    """One notification to the organiser (the winner) and one to each participant's
    people (its place and the winner); one text for all, in the portal's language."""
    link = path_for("contests.contest", contest_id=contest.id)
    winners = [s.name for s in board.standings if s.rank == 1]
    entries = {e.id: e for e in contest.entries}
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Contest results: %(name)s", name=contest.name)
        winner = (_("Winner: %(names)s.", names="、".join(winners)) if winners
                  else _("No participant had data to be ranked."))
        notify([contest.organiser_id], "contests", title, body=winner, link=link, group=False)
        for s in board.standings:
            if s.status == RANKED:
                place = _("Your place: %(rank)d of %(count)d.", rank=s.rank,
                          count=board.ranked)
            elif s.status == "too_small":
                place = _("Not ranked: fewer than %(num)d people.", num=contest.min_people)
            else:
                place = _("Not ranked: no data.")
            notify(people_of(entries[s.entry_id]).where(User.id != contest.organiser_id),
                   "contests", title, body=f"{place} {winner}", link=link, group=False)
