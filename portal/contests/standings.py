"""A contest's standings: each participant's rate over the contest's days so far,
computed set-based from the roll-ups and grouped by participant in one SELECT.

The rates, fair to small teams (numerator ÷ denominator over the days counted):
- effective visits per person-day: effective visits (`habit_days`) ÷ the working days
  its salespeople (team leads and staff) were with the partner (`health.figures`);
- follow-up rate: follow-ups done in time ÷ follow-ups due (`habit_days`);
- new customers per person: new customers developed (`result_days`) ÷ its salespeople;
- revenue against target: revenue (`result_days`) ÷ its own revenue targets, each
  month's prorated by the share of that month's working days the contest counted;
- exam pass rate: passed attempts ÷ finished attempts.
A participant whose denominator is 0 has no data: it is listed after the ranked ones,
never ranked as 0. With a minimum size, one with fewer salespeople is not ranked either.

Ranks are competition ranks: equal rates share a place and the next place is skipped
(1, 2, 2, 4). The threshold of the top p % (10, 25, 50) is the rate of the ranked
participant at position ceil(p × n / 100) of the n ranked, best first: the lowest rate
that still places a participant in the top p %. With 10 ranked the top 10 % is the
first's rate, the top 25 % the third's, the top 50 % the fifth's."""
import math
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Float, and_, case, cast, func, literal, select

from portal.auth.models import User
from portal.contests.models import (NO_DATA, RANKED, TOO_SMALL, Contest, ContestEntry,
                                    ContestStanding)
from portal.core.clock import BUSINESS_TZ
from portal.exams.models import Attempt
from portal.exams.services import finished
from portal.extensions import db
from portal.habits.models import HabitDay
# The person-days are counted as team health counts them (one definition for both).
from portal.health.figures import Window, people_of_month
from portal.org.models import Partner, Team
from portal.results.models import ResultDay, Target
from portal.results.months import add_months, first_of, in_month, last_of, working_days

BANDS = (10, 25, 50)
# Rates this close are equal (float sums of the same per-person behaviour).
DIGITS = 9


@dataclass
class Standing:
    entry_id: int
    name: str
    numerator: float
    denominator: float
    people: int
    rate: float | None = None
    rank: int | None = None
    status: str = NO_DATA
    band: int | None = None  # the best top-p % band its rate reaches


@dataclass
class Board:
    """What the standings are, as of `through` (the last day counted; None before the
    contest's first day); `final` once frozen."""
    through: date | None
    standings: list[Standing]
    final: bool = False
    thresholds: dict = field(default_factory=dict)

    @property
    def ranked(self) -> int:
        return sum(s.status == RANKED for s in self.standings)


def counted_through(contest: Contest, at: datetime) -> date | None:
    """The last day counted at `at`: today while it runs, its last day once ended, the
    day it was cancelled; None while it has not begun."""
    today = at.astimezone(BUSINESS_TZ).date()
    last = min(contest.ends_on, today)
    if contest.cancelled_at is not None:
        last = min(last, contest.cancelled_at.astimezone(BUSINESS_TZ).date())
    return last if last >= contest.starts_on else None


def _key(level: str, columns):
    return {"partner": columns.partner_id, "team": columns.team_id,
            "person": columns.user_id}[level]


def _in_days(column, w: Window):
    return and_(column >= w.month, column <= w.through)


def _per_person(metric: str, w: Window, partners):
    """Per user of `partners` (a SELECT of partner ids): the metric's numerator (and its
    denominator where the roll-ups hold it)."""
    if metric in ("effective_per_day", "follow_up_rate"):
        num = (HabitDay.effective if metric == "effective_per_day"
               else HabitDay.follow_ups_in_time)
        return (select(HabitDay.user_id, func.sum(num).label("num"),
                       func.sum(HabitDay.follow_ups_due).label("den"))
                .where(_in_days(HabitDay.day, w), HabitDay.partner_id.in_(partners))
                .group_by(HabitDay.user_id).subquery())
    if metric in ("new_customers_per_person", "revenue_vs_target"):
        num = (ResultDay.new_customers if metric == "new_customers_per_person"
               else ResultDay.revenue_fen)
        return (select(ResultDay.user_id, func.sum(num).label("num"),
                       literal(0).label("den"))
                .where(_in_days(ResultDay.day, w), ResultDay.partner_id.in_(partners))
                .group_by(ResultDay.user_id).subquery())
    when = func.coalesce(Attempt.submitted_at, Attempt.deadline)
    return (select(Attempt.user_id,
                    func.count(case((Attempt.passed.is_(True), 1))).label("num"),
                    func.count().label("den"))
            .where(finished(w.at), when >= w.begin, when < w.end,
                   Attempt.partner_id.in_(partners))
            .group_by(Attempt.user_id).subquery())


def _shares(w: Window) -> dict[date, float]:
    """Each month the days counted touch -> the share of its working days counted."""
    shares, month = {}, first_of(w.month)
    while month <= w.through:
        total = in_month(month)
        counted = working_days(max(month, w.month), min(last_of(month), w.through))
        shares[month] = counted / total if total else 0.0
        month = add_months(month, 1)
    return shares


def _targets(level: str, w: Window):
    """Per participant of `level`: its revenue targets prorated to the days counted."""
    shares = _shares(w)
    key = _key(level, Target)
    share = case(*[(Target.month == month, value) for month, value in shares.items()],
                 else_=0.0)
    return (select(key.label("key"), func.sum(cast(Target.value, Float) * share).label("den"))
            .where(Target.level == level, Target.metric == "revenue_fen",
                   Target.month.in_(list(shares)))
            .group_by(key).subquery())


NAME = func.coalesce(User.display_name, Team.name, Partner.name)


def _entries(contest: Contest, *columns):
    """SELECT over `contest`'s entries: each one's id and name, then `columns`."""
    return (select(ContestEntry.id, NAME, *columns).select_from(ContestEntry)
            .join(Partner, Partner.id == ContestEntry.partner_id)
            .outerjoin(Team, Team.id == ContestEntry.team_id)
            .outerjoin(User, User.id == ContestEntry.user_id)
            .where(ContestEntry.contest_id == contest.id))


def _rows(contest: Contest, w: Window):
    """One row per entry: (entry id, name, numerator, denominator, people)."""
    partners = select(ContestEntry.partner_id).where(ContestEntry.contest_id == contest.id)
    people, per = people_of_month(w), _per_person(contest.metric, w, partners)
    key = _key(contest.level, people.c)
    selling = case((people.c.sales_days > 0, 1), else_=0)
    den = {"effective_per_day": people.c.sales_days,
           "new_customers_per_person": selling}.get(contest.metric,
                                                    func.coalesce(per.c.den, 0))
    entry_key = _key(contest.level, ContestEntry)
    totals = (select(key.label("key"), func.sum(func.coalesce(per.c.num, 0)).label("num"),
                     func.sum(den).label("den"), func.sum(selling).label("people"))
              .select_from(people).outerjoin(per, per.c.user_id == people.c.user_id)
              .where(key.in_(select(entry_key).where(ContestEntry.contest_id == contest.id)))
              .group_by(key).subquery())
    # Revenue is held against the participant's own targets, not its people's.
    targets = _targets(contest.level, w) if contest.metric == "revenue_vs_target" else None
    denominator = totals.c.den if targets is None else targets.c.den
    query = _entries(contest, func.coalesce(totals.c.num, 0), func.coalesce(denominator, 0),
                     func.coalesce(totals.c.people, 0))
    query = query.outerjoin(totals, totals.c.key == entry_key)
    if targets is not None:
        query = query.outerjoin(targets, targets.c.key == entry_key)
    return db.session.execute(query).all()


def compute(contest: Contest, at: datetime) -> Board:
    """The standings of `contest` at `at`, computed from the roll-ups."""
    through = counted_through(contest, at)
    if through is None:  # not begun: everyone is "no data"
        rows = db.session.execute(_entries(contest, literal(0), literal(0), literal(0))).all()
    else:
        rows = _rows(contest, Window(contest.starts_on, through, at))
    standings = [Standing(entry_id, name, float(num or 0), float(den or 0), int(people or 0))
                 for entry_id, name, num, den, people in rows]
    return rank(standings, contest.min_people, through)


def rank(standings: list[Standing], min_people: int | None, through: date | None,
         final: bool = False) -> Board:
    """Classify, rank and order `standings`; the board with its thresholds."""
    for s in standings:
        if min_people and s.people < min_people:
            s.status, s.rate = TOO_SMALL, None
        elif s.denominator <= 0:
            s.status, s.rate = NO_DATA, None
        else:
            s.status, s.rate = RANKED, s.numerator / s.denominator
    ranked = sorted((s for s in standings if s.status == RANKED),
                    key=lambda s: (-round(s.rate, DIGITS), s.name, s.entry_id))
    for position, s in enumerate(ranked, start=1):
        previous = ranked[position - 2] if position > 1 else None
        same = previous is not None and round(previous.rate, DIGITS) == round(s.rate, DIGITS)
        s.rank = previous.rank if same else position
    others = sorted((s for s in standings if s.status != RANKED),
                    key=lambda s: (s.status != TOO_SMALL, s.name, s.entry_id))
    return _banded(Board(through, ranked + others, final, thresholds(ranked)))


def _banded(board: Board) -> Board:
    """Mark each ranked standing with the best top-p % band its rate reaches."""
    for s in board.standings:
        if s.status == RANKED:
            s.band = next((p for p in BANDS if round(s.rate, DIGITS)
                           >= round(board.thresholds[p], DIGITS)), None)
    return board


def thresholds(ranked: list[Standing]) -> dict:
    """Top p % -> the rate of the ranked participant at position ceil(p × n / 100)."""
    n = len(ranked)
    if not n:
        return {}
    return {p: ranked[math.ceil(p * n / 100) - 1].rate for p in BANDS}


def frozen(contest: Contest) -> Board:
    """The final standings as frozen when the contest ended."""
    rows = db.session.execute(select(ContestStanding).where(
        ContestStanding.contest_id == contest.id).order_by(ContestStanding.position)).scalars()
    standings = [Standing(r.entry_id, r.name, r.numerator, r.denominator, r.people, r.rate,
                          r.rank, r.status) for r in rows]
    ranked = [s for s in standings if s.status == RANKED]
    return _banded(Board(contest.ends_on, standings, True, thresholds(ranked)))


def board_of(contest: Contest, at: datetime) -> Board:
    """What the contest's page shows: the frozen standings once frozen, else computed."""
    return frozen(contest) if contest.frozen_at is not None else compute(contest, at)
