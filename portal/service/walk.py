"""The isolation walk's service tickets (tests only): per partner one ticket opened
yesterday, answered, in one of its towns."""
from datetime import timedelta

from sqlalchemy import select

from portal.core.clock import now
from portal.extensions import db
from portal.org.models import Region
from portal.org.walk import tag
from portal.service import tickets


def build(world) -> None:
    at = now()
    for side in (world.a, world.b):
        town = db.session.execute(select(Region.code).where(
            Region.level == "town", Region.code.startswith(side.territory.region_code))
            .order_by(Region.code).limit(1)).scalar()
        side.ticket = tickets.open_ticket(side.owner, side.partner.id, {
            "client_id": f"walk-{side.key}", "subject": tag("水管漏水", side),
            "detail": tag("客户反映", side), "town_code": town,
            "opened_at": at - timedelta(days=1),
            "first_response_at": at - timedelta(hours=22)}).ticket


ARGS = {"ticket_id": "ticket"}


def markers(side) -> list[str]:
    return [side.ticket.subject, side.ticket.detail]
