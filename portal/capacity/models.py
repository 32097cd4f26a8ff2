"""The capacity domain's one table: a saved plan (one region's inputs, kept to re-open).

A plan is for one partner's part of a region, or (no partner) for the principal's whole
market there. It keeps the inputs only; the result is the formula's, computed again
whenever the plan is shown (`portal.capacity.capacity`)."""
from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db

# The columns holding the formula's inputs, in `capacity.Inputs` order.
INPUTS = ("existing", "prospect", "new", "visits_existing", "visits_prospect", "visits_new",
          "visits_per_day", "working_days", "ramp_days", "ramp_share", "serving", "ramping",
          "target_on", "deal_cycle_days")


class CapacityPlan(db.Model):
    """One region's capacity plan as saved by a channel manager, owner or admin."""

    __tablename__ = "capacity_plans"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id"), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    existing: Mapped[int] = mapped_column(Integer)
    prospect: Mapped[int] = mapped_column(Integer)
    new: Mapped[int] = mapped_column(Integer)
    visits_existing: Mapped[float] = mapped_column(Float)
    visits_prospect: Mapped[float] = mapped_column(Float)
    visits_new: Mapped[float] = mapped_column(Float)
    visits_per_day: Mapped[float] = mapped_column(Float)
    working_days: Mapped[int] = mapped_column(Integer)
    ramp_days: Mapped[int] = mapped_column(Integer)
    ramp_share: Mapped[int] = mapped_column(Integer)
    serving: Mapped[int] = mapped_column(Integer)
    ramping: Mapped[int] = mapped_column(Integer)
    deal_cycle_days: Mapped[int | None] = mapped_column(Integer)
    target_on: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)

    partner = relationship("Partner")
    region = relationship("Region")
    author = relationship("User")
