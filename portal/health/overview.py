"""The principal's overview: every partner the reader may see beside its health row for a
month and last month's scores, filtered and sorted in one query (partners LEFT JOIN
health_months, so a partner without a row is listed with no data), the red flags of a
set of partners in one grouped query each, and the two breakdowns the charts draw.

A figure is numerator ÷ denominator of the row's raw counts; a denominator of 0 (or no
target) is no data, as the scores are: NULL in SQL, None here, never 0."""
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import Float, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import is_current
from portal.core.access import figures_of, visible
from portal.core.clock import BUSINESS_TZ
from portal.core.domains import load
from portal.domains import partner_flags
from portal.extensions import db
from portal.habits.models import HabitDay, VisitFlag
from portal.health.figures import SALES_ROLES
from portal.health.models import HealthMonth
from portal.health.read import change
from portal.org.models import Partner, Region, Territory
from portal.results.months import add_months

SCORES = ("overall", "performance", "process", "growth")
# The headline figures: code -> (numerator, denominator) among the row's raw counts.
FIGURES = {"revenue": ("revenue_fen", "target_revenue_fen"),
           "effective": ("effective", "sales_days"),
           "coverage": ("exam_covered", "exam_assigned"),
           "acks": ("acks_done", "acks_due")}
SORTS = ("overall", "performance", "process", "growth", "name", "headcount", *FIGURES)
# Health bands of the distribution chart: a score falls in the band of its lower bound.
BAND_WIDTH = 20
BANDS = tuple(range(0, 100, BAND_WIDTH))
# "No logging this week": the last seven days, today included.
LOGGING_DAYS = 7

LastMonth = aliased(HealthMonth, name="last_month")


@dataclass(frozen=True)
class Filters:
    """What the overview shows: a month, the partner filters and the order."""
    month: date
    q: str = ""
    province: str = ""
    city: str = ""
    tier: str = ""
    structure: str = ""
    manager: int | None = None
    sort: str = "overall"
    dir: str = "desc"

    def args(self, **changed) -> dict:
        """The query-string arguments naming these filters (empty ones left out)."""
        shown = replace(self, **changed)
        args = {"month": shown.month.strftime("%Y-%m"), "q": shown.q,
                "province": shown.province, "city": shown.city, "tier": shown.tier,
                "structure": shown.structure, "manager": shown.manager,
                "sort": shown.sort, "dir": shown.dir}
        return {key: value for key, value in args.items() if value}


def ratio(table, code: str):
    """SQL: figure `code` of a row of `table`, NULL without data."""
    numerator, denominator = FIGURES[code]
    return cast(getattr(table, numerator), Float) / func.nullif(getattr(table, denominator), 0)


def _joined(user, month: date):
    """SQL: the partner's own row of `month`, when the user may see it."""
    return and_(HealthMonth.partner_id == Partner.id, HealthMonth.level == "partner",
                HealthMonth.month == month, visible(user, HealthMonth))


def _narrowed(query, user, f: Filters):
    """`query` (over partners) held to the partners `user` may see that match `f`."""
    query = query.where(visible(user, Partner))
    if f.q:
        query = query.where(or_(Partner.name.icontains(f.q, autoescape=True),
                                Partner.uscc.icontains(f.q, autoescape=True)))
    if f.province:
        query = query.where(Partner.province_code == f.province)
    if f.city:
        query = query.where(exists().where(
            Territory.partner_id == Partner.id,
            Territory.region_code.startswith(f.city, autoescape=True)))
    if f.tier:
        query = query.where(Partner.tier == f.tier)
    if f.structure:
        query = query.where(Partner.structure == f.structure)
    if f.manager is not None:
        query = query.where(Partner.channel_manager_id == f.manager)
    return query


def sort_column(code: str):
    if code == "name":
        return Partner.name_key
    if code in SCORES:
        return getattr(HealthMonth, code)
    if code == "headcount":
        return HealthMonth.headcount
    return ratio(HealthMonth, code)


def table(user, f: Filters):
    """SQL: one line per partner — the partner, its province's name, its row of the month
    (None without one) and last month's scores — filtered and in `f`'s order, partners
    without data last whichever the direction."""
    column = sort_column(f.sort)
    before = and_(LastMonth.partner_id == HealthMonth.partner_id, LastMonth.level == "partner",
                  LastMonth.month == add_months(f.month, -1))
    query = (select(Partner, Region.name.label("province_name"), HealthMonth,
                    *(getattr(LastMonth, part).label(f"before_{part}") for part in SCORES))
             .select_from(Partner)
             .outerjoin(Region, Region.code == Partner.province_code)
             .outerjoin(HealthMonth, _joined(user, f.month))
             .outerjoin(LastMonth, before))
    ordered = column.asc() if f.dir == "asc" else column.desc()
    return _narrowed(query, user, f).order_by(column.is_(None), ordered, Partner.name_key,
                                              Partner.id)


def partner_ids(user, f: Filters):
    """SQL: the ids of the partners the overview lists (for `.in_(...)`)."""
    return _narrowed(select(Partner.id), user, f)


@dataclass
class Flags:
    """What needs looking at now, whatever the month shown."""
    no_logging: bool = False
    overdue_acks: int = 0
    open_flags: int = 0
    # Other domains' flags (`portal.core.domains.PartnerFlag`): code -> how many.
    raised: dict = field(default_factory=dict)


def red_flags(ids, at: datetime) -> dict[int, Flags]:
    """Per partner of `ids` (a list or a select of ids): no visit logged by any of its
    salespeople in the last seven days (an active partner's), receipts past their acknowledgement deadline not
    acknowledged, visit flags still open, and the flags other domains raise — one
    grouped query each."""
    found: dict[int, Flags] = {}
    if isinstance(ids, list) and not ids:
        return found
    today = at.astimezone(BUSINESS_TZ).date()
    logged = select(HabitDay.partner_id).where(
        HabitDay.partner_id.in_(ids), HabitDay.visits > 0,
        HabitDay.day > today - timedelta(days=LOGGING_DAYS), HabitDay.day <= today)
    for partner_id in db.session.execute(
            select(User.partner_id).distinct().where(
                User.partner_id.in_(ids), User.active.is_(True), User.role.in_(SALES_ROLES),
                User.partner_id.not_in(logged),
                # a suspended partner is not expected to log: no flag for it
                User.partner_id.in_(select(Partner.id).where(Partner.status == "active"))
                )).scalars():
        found.setdefault(partner_id, Flags()).no_logging = True
    for partner_id, count in db.session.execute(
            select(Receipt.partner_id, func.count())
            .join(Broadcast, Broadcast.id == Receipt.broadcast_id)
            .where(Receipt.partner_id.in_(ids), Broadcast.requires_ack.is_(True),
                   Broadcast.publish_at <= at, Broadcast.ack_deadline < at,
                   Receipt.acked_at.is_(None), is_current(at))
            .group_by(Receipt.partner_id)):
        found.setdefault(partner_id, Flags()).overdue_acks = count
    for partner_id, count in db.session.execute(
            select(VisitFlag.partner_id, func.count())
            .where(VisitFlag.partner_id.in_(ids), VisitFlag.state == "open")
            .group_by(VisitFlag.partner_id)):
        found.setdefault(partner_id, Flags()).open_flags = count
    for flag in partner_flags():
        for partner_id, count in load(flag.counts)(ids, at).items():
            if count:
                found.setdefault(partner_id, Flags()).raised[flag.code] = count
    return found


def _figure(row: HealthMonth | None, code: str) -> float | None:
    if row is None:
        return None
    numerator, denominator = (getattr(row, name) for name in FIGURES[code])
    if not denominator:
        return None
    return numerator / denominator


@dataclass
class Line:
    """One partner's line of the overview."""
    partner: Partner
    province: str | None
    row: HealthMonth | None
    # code -> (score or None, points moved since last month or None)
    scores: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)  # code -> share or rate, or None
    flags: Flags = field(default_factory=Flags)
    before: dict = field(default_factory=dict)  # code -> last month's score or None

    @property
    def headcount(self) -> int | None:
        return None if self.row is None else self.row.headcount


def lines(results, flags: dict[int, Flags]) -> list[Line]:
    """The rows of `table` as `Line`s, with their red flags."""
    made = []
    for result in results:
        row = result.HealthMonth
        scores, before = {}, {}
        for part in SCORES:
            value = None if row is None else getattr(row, part)
            before[part] = getattr(result, f"before_{part}")
            scores[part] = (value, change(value, before[part]))
        made.append(Line(result.Partner, result.province_name, row, scores,
                         {code: _figure(row, code) for code in FIGURES},
                         flags.get(result.Partner.id, Flags()), before))
    return made


def bands(user, f: Filters) -> list[tuple[int | None, int]]:
    """(band's lower bound, or None for no data; partners in it) for every band, in
    order, over the partners the overview lists."""
    score = HealthMonth.overall
    band = case((score.is_(None), -1),
                *((score >= low, low) for low in reversed(BANDS[1:])), else_=0)
    inner = _narrowed(select(band.label("band")).select_from(Partner)
                      .outerjoin(HealthMonth, _joined(user, f.month)), user, f).subquery()
    counted = dict(db.session.execute(select(inner.c.band, func.count())
                                      .group_by(inner.c.band)).all())
    return [(low, counted.get(low, 0)) for low in BANDS] + [(None, counted.get(-1, 0))]


@dataclass
class Province:
    code: str | None
    name: str | None
    partners: int
    scored: int
    average: float | None


def provinces(user, f: Filters) -> list[Province]:
    """Per province of the partners listed: how many, how many with a score, and the
    average of their whole scores (each already per person, so a plain average)."""
    query = (select(Partner.province_code, Region.name, func.count(Partner.id),
                    func.count(HealthMonth.overall), func.avg(HealthMonth.overall))
             .select_from(Partner)
             .outerjoin(Region, Region.code == Partner.province_code)
             .outerjoin(HealthMonth, _joined(user, f.month)))
    query = _narrowed(query, user, f).group_by(Partner.province_code, Region.name)
    return [Province(code, name, count, scored, None if average is None else float(average))
            for code, name, count, scored, average in db.session.execute(
                query.order_by(Partner.province_code))]


def reads_every_partner(user) -> bool:
    """Does `user` read every partner's figures (so a channel manager filter helps)?"""
    return figures_of(user).partner_ids is None


def choices(user) -> dict:
    """The filters' options: the provinces and cities of the partners `user` may see
    and, for readers of every partner, the channel managers."""
    mine = select(Partner.id).where(visible(user, Partner))
    provinces = db.session.execute(select(Region.code, Region.name).where(
        Region.code.in_(select(Partner.province_code).where(visible(user, Partner))))
        .order_by(Region.code)).all()
    cities = db.session.execute(select(Region.code, Region.name).where(
        Region.level == "city", Region.code.in_(
            select(func.substr(Territory.region_code, 1, 4))
            .where(Territory.partner_id.in_(mine)))).order_by(Region.code)).all()
    managers = []
    if reads_every_partner(user):
        managers = db.session.execute(select(User.id, User.display_name).where(
            User.role == "channel_manager").order_by(User.name_key, User.id)).all()
    return {"provinces": provinces, "cities": cities, "managers": managers}
