"""The scoring part of a partner person's home page: for the owner, its latest
scorecard (the total, the tier it earns beside the tier it holds, its place in the tier,
appeals under review); for owners and team leads, a criteria version published ahead of
its month and still open for comment, with the days left. Nothing when neither exists."""
from datetime import datetime

from sqlalchemy import func, select

from portal.core.access import may, visible
from portal.core.clock import BUSINESS_TZ
from portal.core.domains import Panel
from portal.extensions import db
from portal.results.months import month_label
from portal.scoring.criteria import upcoming
from portal.scoring.labels import number
from portal.scoring.models import Appeal, Scorecard


def latest_card(user) -> Scorecard | None:
    """The newest scorecard of `user`'s own partner that `user` may read."""
    if not may(user, "scoring.scorecards"):
        return None
    return db.session.execute(select(Scorecard).where(
        Scorecard.partner_id == user.partner_id, visible(user, Scorecard))
        .order_by(Scorecard.month.desc()).limit(1)).scalar()


def panels(user, at: datetime) -> list[Panel]:
    if user.partner_id is None or not may(user, "scoring.read"):
        return []
    day = at.astimezone(BUSINESS_TZ).date()
    card = latest_card(user)
    ahead = upcoming(day)[:1]
    if card is None and not ahead:
        return []
    under_review = 0 if card is None else db.session.execute(
        select(func.count()).select_from(Appeal).where(
            Appeal.scorecard_id == card.id, Appeal.state == "open")).scalar()
    return [Panel(55, "scoring/home.html", {
        "card": card, "under_review": under_review, "ahead": ahead[0] if ahead else None,
        "days_left": (ahead[0].effective_month - day).days if ahead else None,
        "card_number": number, "month_text": month_label})]
