"""The registrations part of a partner person's home page: its registrations whose
protection ends within a week, soonest first, with the time left (visit them: an
effective visit extends protection). Nothing when none ends soon."""
from datetime import datetime

from sqlalchemy import func, select

from portal.core.access import may, visible
from portal.core.domains import Panel
from portal.extensions import db
from portal.registrations import display
from portal.registrations.figures import ENDING_SOON
from portal.registrations.models import Registration, live

SHOWN = 3


def panels(user, at: datetime) -> list[Panel]:
    if not may(user, "registrations.register"):
        return []
    ending = (visible(user, Registration), live(at), Registration.expires_at <= at + ENDING_SOON)
    count = db.session.execute(select(func.count()).select_from(Registration)
                               .where(*ending)).scalar()
    if not count:
        return []
    soonest = db.session.execute(select(Registration).where(*ending).order_by(
        Registration.expires_at, Registration.id).limit(SHOWN)).scalars().all()
    return [Panel(17, "registrations/home.html", {
        "ending_count": count, "ending": soonest, "at": at,
        "time_left": display.left})]
