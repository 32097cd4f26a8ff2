"""Forms of the customer book: one customer, the list's filters, the import's upload; and
the choices they offer (the towns of a partner's territory, the salespeople a user may
pick). Business rules (credit code, town in territory, duplicates) are the service's."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select
from sqlalchemy.orm import aliased
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import visible
from portal.core.forms import PortalForm, choices, strip
from portal.core.pages import number_arg
from portal.extensions import db
from portal.habits import customers
from portal.habits.labels import CLASS_LABELS
from portal.habits.models import CLASSES
from portal.org.models import Region, Territory

SEARCH_LENGTH = 100


def _length(field: str) -> Length:
    return Length(max=customers.LIMITS[field])


class CustomerForm(PortalForm):
    """A customer as its partner's people type it; the view fills the town and
    salesperson choices."""

    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), _length("name")])
    uscc = StringField(_l("Unified social credit code"), filters=[strip],
                       validators=[Length(max=40)])
    # The service says why a town is refused (outside the territory, not a town).
    town_code = SelectField(_l("Town"), validate_choice=False)
    address = StringField(_l("Address"), filters=[strip], validators=[_length("address")])
    contact_name = StringField(_l("Contact"), filters=[strip],
                               validators=[_length("contact_name")])
    contact_phone = StringField(_l("Phone"), filters=[strip],
                                validators=[_length("contact_phone")],
                                render_kw={"inputmode": "tel", "autocomplete": "tel"})
    klass = SelectField(_l("Class"), default="new", validate_choice=False,
                        choices=choices(CLASS_LABELS))
    owner_id = SelectField(_l("Salesperson"), validate_choice=False)
    confirm_duplicate = BooleanField(_l("It is a different customer: create it anyway"))

    def values(self) -> dict:
        """The fields as `customers.create_customer` / `update_customer` take them."""
        return {name: self[name].data for name in customers.FIELDS}


class CustomerImportForm(PortalForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


@dataclass
class BookFilters:
    """The list's filters from the query string; anything malformed is simply unset."""

    q: str = ""
    klass: str = ""
    town: str = ""
    owner_id: int | None = None
    partner_id: int | None = None

    @classmethod
    def from_args(cls, args) -> "BookFilters":
        klass = args.get("klass", "")
        town = args.get("town", "")
        return cls(q=(args.get("q") or "").strip()[:SEARCH_LENGTH],
                   klass=klass if klass in CLASSES else "",
                   town=town if town.isascii() and town.isdigit() and len(town) == 9 else "",
                   owner_id=number_arg("owner_id"), partner_id=number_arg("partner_id"))

    def any(self) -> bool:
        return bool(self.q or self.klass or self.town or self.owner_id or self.partner_id)

    def args(self) -> dict:
        """The filters as query-string arguments (for the export link)."""
        return {key: value for key, value in (
            ("q", self.q), ("klass", self.klass), ("town", self.town),
            ("owner_id", self.owner_id), ("partner_id", self.partner_id)) if value}


def territory_towns(partner_id: int) -> list[tuple[str, str, str]]:
    """(code, town name, county name) of every town inside the partner's territories
    (codes nest by prefix: a county's towns start with its code), by code."""
    codes = db.session.execute(select(Territory.region_code).where(
        Territory.partner_id == partner_id)).scalars().all()
    if not codes:
        return []
    county = aliased(Region)
    query = (select(Region.code, Region.name, county.name)
             .outerjoin(county, county.code == Region.parent_code)
             .where(Region.level == "town",
                    or_(*(Region.code.startswith(code, autoescape=True) for code in codes)))
             .order_by(Region.code))
    return [(code, name, county_name or "") for code, name, county_name in
            db.session.execute(query).all()]


def town_choices(partner_id: int, current: str | None = None):
    """The town select: the partner's towns, plus the customer's current town when it
    has left the territory (so saving says so instead of changing it silently)."""
    towns = [(code, f"{county} · {name}" if county else name)
             for code, name, county in territory_towns(partner_id)]
    if current and current not in {code for code, _label in towns}:
        region = db.session.get(Region, current)
        towns.append((current, region.name if region else current))
    return choices(towns, blank="—")


def salespeople(user, partner_id: int) -> list[User]:
    """The active people of `partner_id` that `user` may see, by name: whom it may make
    a customer's salesperson (staff see only themselves)."""
    return db.session.execute(select(User).where(
        visible(user, User), User.partner_id == partner_id, User.active.is_(True),
        User.role.in_(PARTNER_ROLES)).order_by(User.name_key, User.id)).scalars().all()
