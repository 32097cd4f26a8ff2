"""Tables of the organisation: regions, partners and their territories, teams."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.clock import now
from portal.core.collation import KEY_LENGTH, key_default, sort_key_of
from portal.core.database import UTCDateTime
from portal.extensions import db

REGION_LEVELS = ("province", "city", "county", "town")
TIERS = ("A", "B", "C")
STRUCTURES = ("tight", "loose")
PARTNER_STATUSES = ("active", "suspended", "terminated")


class Region(db.Model):
    """An administrative division (GB/T 2260 code); towns use the 9-digit code."""

    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(8), index=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)

    parent = relationship("Region", remote_side=[code])

    def __repr__(self):
        return f"<Region {self.code} {self.name}>"


class Partner(db.Model):
    """A partner agency (代理商) selling for the principal."""

    __tablename__ = "partners"
    __audited__ = True
    __audit_ignore__ = ("name_key",)  # follows the name
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), index=True,
                                          default=key_default("name"))
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    tier: Mapped[str] = mapped_column(String(1), default="B")
    structure: Mapped[str] = mapped_column(String(8), default="loose")
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active", index=True)
    province_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    channel_manager_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    territories = relationship("Territory", back_populates="partner",
                               cascade="all, delete-orphan", order_by="Territory.region_code")
    teams = relationship("Team", back_populates="partner", order_by="Team.name_key",
                         foreign_keys="Team.partner_id")
    channel_manager = relationship("User", foreign_keys=[channel_manager_id])
    province = relationship("Region", foreign_keys=[province_code])

    @property
    def partner_id(self) -> int:
        return self.id

    def __repr__(self):
        return f"<Partner {self.id} {self.name}>"


class Territory(db.Model):
    """A region assigned to a partner; an exclusive one belongs to that partner alone."""

    __tablename__ = "territories"
    __audited__ = True
    __table_args__ = (UniqueConstraint("partner_id", "region_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id", ondelete="CASCADE"),
                                            index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    exclusive: Mapped[bool] = mapped_column(Boolean, default=False)

    partner = relationship("Partner", back_populates="territories")
    region = relationship("Region")


class Team(db.Model):
    """A sales team (战斗小组) inside a partner, led by a mid-level manager."""

    __tablename__ = "teams"
    __audited__ = True
    __audit_ignore__ = ("name_key",)  # follows the name
    __table_args__ = (UniqueConstraint("partner_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), default=key_default("name"))
    leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", use_alter=True), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    partner = relationship("Partner", back_populates="teams", foreign_keys=[partner_id])
    leader = relationship("User", foreign_keys=[leader_id])
    members = relationship("User", foreign_keys="User.team_id", back_populates="team",
                           order_by="User.name_key")

    @property
    def team_id(self) -> int:
        return self.id

    def __repr__(self):
        return f"<Team {self.id} {self.name}>"


sort_key_of(Partner, "name")
sort_key_of(Team, "name")
