"""Facts of customer registration for partner scoring, set-based (one GROUP BY each).

`registrations_by_partner` counts real claims: every registration filed in the window
except those refused before any other partner's claim was even looked at — the
principal's direct accounts, outside the territory, and the live or daily cap. So a
partner refused as "protected", "under review" or in "cooldown" did make a claim (the
denominator of "conflicts caused per 100 registrations"); one that only hit a cap did
not. `conflicts_caused_by_partner` counts cases decided in the window against the
partner (`caused_by_partner_id`)."""
from datetime import datetime, timedelta

from sqlalchemy import and_, func, not_, select

from portal.extensions import db
from portal.registrations.models import ConflictCase, Registration, live

NOT_A_CLAIM = ("direct_account", "outside_territory", "live_cap", "daily_cap")
# Protection ending within this is a partner's to-do (its home page) and a red flag on
# the principal's overview: visit the customer or lose it to the open pool.
ENDING_SOON = timedelta(days=7)


def registrations_by_partner(start: datetime, end: datetime,
                             partner_ids=None) -> dict[int, int]:
    """partner id -> registrations filed in [start, end) that were real claims."""
    query = (select(Registration.partner_id, func.count())
             .where(Registration.requested_at >= start, Registration.requested_at < end,
                    not_(and_(Registration.status == "refused",
                              Registration.reason.in_(NOT_A_CLAIM))))
             .group_by(Registration.partner_id))
    if partner_ids is not None:
        query = query.where(Registration.partner_id.in_(list(partner_ids)))
    return {partner: count for partner, count in db.session.execute(query)}


def conflicts_caused_by_partner(start: datetime, end: datetime,
                                partner_ids=None) -> dict[int, int]:
    """partner id -> conflict cases decided in [start, end) against that partner."""
    query = (select(ConflictCase.caused_by_partner_id, func.count())
             .where(ConflictCase.state == "decided", ConflictCase.decided_at >= start,
                    ConflictCase.decided_at < end,
                    ConflictCase.caused_by_partner_id.is_not(None))
             .group_by(ConflictCase.caused_by_partner_id))
    if partner_ids is not None:
        query = query.where(ConflictCase.caused_by_partner_id.in_(list(partner_ids)))
    return {partner: count for partner, count in db.session.execute(query)}


def ending_soon_by_partner(partner_ids, at: datetime) -> dict[int, int]:
    """partner id -> its live registrations whose protection ends within `ENDING_SOON`
    of `at` (the overview's red flag); `partner_ids` a list or a select of ids."""
    return dict(db.session.execute(
        select(Registration.partner_id, func.count())
        .where(Registration.partner_id.in_(partner_ids), live(at),
               Registration.expires_at <= at + ENDING_SOON)
        .group_by(Registration.partner_id)).all())
