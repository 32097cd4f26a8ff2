"""A partner's customer book: adding and editing customers, catching duplicates inside
the partner ("did you mean…?"), and the class history. No commits here.

Duplicates are the same credit code (always refused) or the same normalised name in the
same town (asked about: a second shop of one owner may share a name). The normalised
name drops width and case differences, spaces, punctuation and the legal-form suffix, so
"杭州 鲜果（西湖店）有限公司" and "杭州鲜果西湖店" are one name."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.auth.models import User
from portal.core.errors import DomainError
from portal.core.text import unsafe_character
from portal.extensions import db
from portal.habits.models import CLASSES, Customer, CustomerClassChange
from portal.org.models import Region, Territory
from portal.org.partners import clean_uscc

LEGAL_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "分公司", "公司")
_PUNCTUATION = re.compile(r"[\s\W_]+", re.UNICODE)
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")
FIELDS = ("name", "uscc", "town_code", "address", "contact_name", "contact_phone", "klass",
          "owner_id")
LIMITS = {"name": 120, "address": 200, "contact_name": 64, "contact_phone": 20}
SIMILAR_SHOWN = 5


class Duplicate(DomainError):
    """The customer looks like one already in the book: `matches` are the look-alikes;
    the caller may ask again with `confirm_duplicate` (names only, never credit codes)."""

    def __init__(self, matches: list[Customer]):
        super().__init__("name", _l("A customer with this name is already in this town. "
                                    "Did you mean one of these?"), status=409)
        self.matches = matches


def normalise_name(name: str) -> str:
    """The name as duplicates are compared: NFKC, lower case, no spaces or punctuation,
    no legal-form suffix."""
    text = unicodedata.normalize("NFKC", name or "").lower()
    text = _PUNCTUATION.sub("", text)
    for suffix in LEGAL_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text[:120]


def in_territory(partner_id: int, town_code: str) -> bool:
    """Does the town lie inside one of the partner's territories (codes nest by prefix:
    province 33, city 3301, county 330106, town 330106002)?"""
    codes = db.session.execute(select(Territory.region_code).where(
        Territory.partner_id == partner_id)).scalars().all()
    return any(town_code.startswith(code) for code in codes)


def _text(values: dict, key: str, *, required: bool = False) -> str:
    value = (values.get(key) or "").strip()
    if required and not value:
        raise DomainError(key, _l("This field is required."))
    if len(value) > LIMITS[key]:
        raise DomainError(key, _l("At most %(num)d characters.", num=LIMITS[key]))
    if unsafe_character(value):
        raise DomainError(key, _l("This text holds a character that cannot be stored."))
    return value


def clean(partner_id: int, values: dict) -> dict:
    """Every field of a customer checked, in the order a form shows them; the first bad
    one raises DomainError with its field."""
    cleaned = {"name": _text(values, "name", required=True)}
    code = (values.get("uscc") or "").strip()
    cleaned["uscc"] = clean_uscc(code) if code else None
    town = (values.get("town_code") or "").strip() or None
    if town is not None:
        region = db.session.get(Region, town)
        if region is None or region.level != "town":
            raise DomainError("town_code", _l("Choose a town from the list."))
        if not in_territory(partner_id, town):
            raise DomainError("town_code", _l("This town is outside your partner's "
                                              "territory."))
    cleaned["town_code"] = town
    cleaned["address"] = _text(values, "address")
    cleaned["contact_name"] = _text(values, "contact_name")
    phone = _text(values, "contact_phone")
    if phone and not PHONE.match(phone):
        raise DomainError("contact_phone", _l("Enter a phone number of digits, e.g. "
                                              "13800138000 or 0571-88888888."))
    cleaned["contact_phone"] = phone
    klass = values.get("klass") or "new"
    if klass not in CLASSES:
        raise DomainError("klass", _l("Choose a class from the list."))
    cleaned["klass"] = klass
    owner_id = values.get("owner_id")
    if owner_id in (None, ""):
        cleaned["owner_id"] = None
    else:
        try:
            owner_id = int(owner_id)
        except (TypeError, ValueError):
            owner_id = None
        owner = db.session.get(User, owner_id) if owner_id is not None else None
        if owner is None or owner.partner_id != partner_id or not owner.active:
            raise DomainError("owner_id", _l("Choose a salesperson of this partner."))
        cleaned["owner_id"] = owner.id
    return cleaned


def look_alikes(partner_id: int, name: str, town_code: str | None, uscc: str | None = None,
                exclude_id: int | None = None) -> list[Customer]:
    """Customers of the partner with the same credit code, or the same normalised name
    in the same town (any town when none is given)."""
    conditions = [Customer.name_norm == normalise_name(name)]
    if town_code:
        conditions = [conditions[0] & (Customer.town_code == town_code)]
    if uscc:
        conditions.append(Customer.uscc == uscc)
    query = select(Customer).where(Customer.partner_id == partner_id, or_(*conditions))
    if exclude_id is not None:
        query = query.where(Customer.id != exclude_id)
    return db.session.execute(query.order_by(Customer.name_key)
                              .limit(SIMILAR_SHOWN)).scalars().all()


def _refuse_duplicates(partner_id: int, cleaned: dict, confirm_duplicate: bool,
                       exclude_id: int | None = None) -> None:
    matches = look_alikes(partner_id, cleaned["name"], cleaned["town_code"], cleaned["uscc"],
                          exclude_id)
    if cleaned["uscc"] and any(m.uscc == cleaned["uscc"] for m in matches):
        raise DomainError("uscc", _l("A customer with this credit code is already in "
                                     "your book."), status=409)
    same_town = [m for m in matches if m.town_code == cleaned["town_code"]]
    if same_town and not confirm_duplicate:
        raise Duplicate(same_town)


def _record_class(customer: Customer, before: str | None, reason: str, actor) -> None:
    if before == customer.klass:
        return
    db.session.add(CustomerClassChange(customer=customer, before=before, after=customer.klass,
                                       reason=reason,
                                       changed_by=getattr(actor, "id", None)))


def create_customer(actor, partner_id: int, values: dict, *, confirm_duplicate: bool = False,
                    reason: str = "created") -> Customer:
    """A new customer of `partner_id` from form, file or API `values`; refused with a
    field message, or `Duplicate` when it looks like one already there."""
    cleaned = clean(partner_id, values)
    _refuse_duplicates(partner_id, cleaned, confirm_duplicate)
    customer = Customer(partner_id=partner_id, name_norm=normalise_name(cleaned["name"]),
                        created_by=getattr(actor, "id", None), **cleaned)
    db.session.add(customer)
    _record_class(customer, None, reason, actor)
    db.session.flush()
    from portal.habits import rollups
    if customer.owner_id is not None:
        owner = db.session.get(User, customer.owner_id)
        rollups.add(owner, rollups.business_day(customer.created_at), customers_added=1)
    return customer


def update_customer(actor, customer: Customer, values: dict, *,
                    confirm_duplicate: bool = False) -> Customer:
    """Change a customer's fields (all checked first); a class change is kept."""
    merged = {key: getattr(customer, key) for key in FIELDS}
    merged.update({key: value for key, value in values.items() if key in FIELDS})
    cleaned = clean(customer.partner_id, merged)
    _refuse_duplicates(customer.partner_id, cleaned, confirm_duplicate, exclude_id=customer.id)
    before = customer.klass
    for key, value in cleaned.items():
        setattr(customer, key, value)
    customer.name_norm = normalise_name(cleaned["name"])
    _record_class(customer, before, "edited", actor)
    return customer


def became_existing(customer: Customer, first_order_on, actor=None) -> None:
    """A customer's first order makes it existing (现有客户) by itself."""
    if customer.first_order_on is None or first_order_on < customer.first_order_on:
        customer.first_order_on = first_order_on
    before = customer.klass
    customer.klass = "existing"
    _record_class(customer, before, "first_order", actor)
