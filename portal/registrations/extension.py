"""Protection grows with work: each effective visit of the holding partner to the
registration's customer (its `customer_id`) while it is protected (then and now:
a late entry never revives an ended one) adds the rule's
`days_per_effective_visit` to `expires_at`, up to `max_extension_days` in all. Heard
through `portal.habits.visits.AFTER_VISIT`, inside the visit's transaction. A registration
extended past its warning window is warned again before its new end."""
from datetime import timedelta

from sqlalchemy import select

from portal.core.clock import now
from portal.extensions import db
from portal.habits import visits
from portal.registrations.models import Registration, live


def extend_for(visit) -> None:
    """Extend the live registrations the visit's partner holds on the visited customer."""
    if not visit.effective:
        return
    held = db.session.execute(select(Registration).where(
        Registration.customer_id == visit.customer_id,
        Registration.partner_id == visit.partner_id, live(visit.visited_at), live(now()),
        Registration.protected_from <= visit.visited_at)).scalars().all()
    for registration in held:
        rule = registration.rule
        days = min(rule.days_per_effective_visit,
                   rule.max_extension_days - registration.extended_days)
        if days <= 0:
            continue
        registration.expires_at += timedelta(days=days)
        registration.extended_days += days
        registration.warned_at = None


if extend_for not in visits.AFTER_VISIT:
    visits.AFTER_VISIT.append(extend_for)
