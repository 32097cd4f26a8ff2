"""Flags on visits: saved with the visit, never blocking it, decided by a team lead or
owner. `travel` and `burst` run for every visit logged, so each costs a fixed handful
of indexed queries however many visits the person has or the batch holds."""
import math
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from portal.auth.models import User
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.extensions import db
from portal.habits import rollups
from portal.habits.models import Visit, VisitFlag

EARTH_RADIUS_M = 6_371_000


def distance_m(lat1, lng1, lat2, lng2) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def flag(visit: Visit, reason: str, **detail) -> None:
    """Save why `visit` looks wrong beside it; the visit is saved all the same."""
    db.session.add(VisitFlag(visit=visit, partner_id=visit.partner_id, team_id=visit.team_id,
                             reason=reason, detail=detail))
    visit.flagged = True


def travel(visit: Visit, limits: dict) -> None:
    """Flag a visit a few minutes from the same person's visit just before or after it
    at a place too far to travel between at `VISIT_MAX_SPEED_KMH` (two indexed look-ups
    on the person's visits by time, however many that person has)."""
    if visit.latitude is None:
        return
    window = timedelta(hours=2)
    located = (Visit.user_id == visit.user_id, Visit.id != visit.id,
               Visit.latitude.is_not(None))
    columns = (Visit.id, Visit.latitude, Visit.longitude, Visit.visited_at)
    before = db.session.execute(select(*columns).where(
        *located, Visit.visited_at.between(visit.visited_at - window, visit.visited_at))
        .order_by(Visit.visited_at.desc()).limit(1)).first()
    after = db.session.execute(select(*columns).where(
        *located, Visit.visited_at.between(visit.visited_at, visit.visited_at + window))
        .order_by(Visit.visited_at).limit(1)).first()
    for other in (before, after):
        if other is None:
            continue
        metres = distance_m(visit.latitude, visit.longitude, other.latitude, other.longitude)
        seconds = max(abs((visit.visited_at - other.visited_at).total_seconds()), 60)
        if metres > 2000 and metres / seconds * 3.6 > limits["VISIT_MAX_SPEED_KMH"]:
            flag(visit, "impossible_travel", other_visit=other.id, km=round(metres / 1000, 1),
                  minutes=round(seconds / 60))
            return


def burst(visit: Visit, limits: dict, received: datetime) -> None:
    """Flag back-dated entries (logged more than VISIT_BACKDATED_HOURS after the visit)
    when VISIT_BURST_COUNT or more of one person's arrive within an hour: when the burst
    reaches that size its earlier entries too, after that each new one. The count stops
    at one past the threshold, so a long burst costs the same per entry as a short one."""
    if not visit.backdated:
        return
    threshold = limits["VISIT_BURST_COUNT"]
    recent = (Visit.user_id == visit.user_id, Visit.backdated.is_(True),
              Visit.received_at >= received - timedelta(hours=1))
    count = db.session.execute(select(func.count()).select_from(
        select(Visit.id).where(*recent).limit(threshold + 1).subquery())).scalar()
    if count < threshold:
        return
    if count == threshold:  # the burst just reached its size: flag the earlier ones too
        already = exists().where(VisitFlag.visit_id == Visit.id,
                                 VisitFlag.reason == "backdated_burst")
        burst = db.session.execute(select(Visit).where(*recent, ~already)).scalars().all()
    else:
        burst = [visit]
    for other in burst:
        was_flagged = other.flagged
        flag(other, "backdated_burst", count=count,
              hours_late=round((received - other.visited_at).total_seconds() / 3600))
        if not was_flagged:  # the visit's own roll-up was added before this flag
            rollups.add(db.session.get(User, other.user_id), other.day, flagged=1)


def decide_flag(actor, flag: VisitFlag, state: str, note: str = "") -> VisitFlag:
    """A manager clears (the visit is fine) or confirms (it is not) a flag; audited. A
    visit stays flagged while any of its flags is open or confirmed."""
    if state not in ("cleared", "confirmed"):
        raise DomainError("state", _l("Choose clear or confirm."))
    if flag.state != "open":
        raise DomainError("state", _l("This flag was already decided."), status=409)
    note = (note or "").strip()[:200]
    if unsafe_character(note):
        raise DomainError("note", _l("This text holds a character that cannot be stored."))
    flag.state, flag.decided_by, flag.decided_at, flag.decision_note = \
        state, actor.id, now(), note
    visit = flag.visit
    still = any(f.state != "cleared" for f in visit.flags)
    if visit.flagged and not still:
        visit.flagged = False
        rollups.add(db.session.get(User, visit.user_id), visit.day, flagged=-1)
    return flag
