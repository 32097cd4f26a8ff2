"""Forms of the results pages (an order, a payment, an import's upload, the lists'
filters) and what they offer to pick: the customers a person may record for, a
customer's open orders, the people a lead records for. Business rules (amounts, dates,
open amounts, whose entry it is) are the service's, `portal.results.entries`."""
import uuid
from dataclasses import dataclass, fields
from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import or_, select
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import visible
from portal.core.forms import PortalForm, choices, strip
from portal.core.pages import MAX_ID, number_arg
from portal.extensions import db
from portal.habits.customers import normalise_name
from portal.habits.models import Customer
from portal.habits.policies import pickable
from portal.org.models import Partner, Region
from portal.results.labels import yuan
from portal.results.models import Order

# Product lines a new order suggests (the partner's own ones come first).
PRODUCT_LINES = ("饮料", "休闲食品", "乳制品", "粮油", "调味品", "酒水")
# How many customers a form's select carries; a search finds the others.
CUSTOMERS_SHOWN = 300
SEARCH_LENGTH = 60
KINDS = ("order", "account")  # payments: against an order, or on account


def new_client_id() -> str:
    """The id a form carries from its rendering to its posting: one entry per form."""
    return uuid.uuid4().hex


def form_id(value) -> int | None:
    """A select's value as an id the service checks: empty stays empty, a number in the
    database's range is the number, anything else an id that exists nowhere (so the
    service refuses it with its own message instead of treating it as "none")."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if text.isascii() and text.isdigit() and len(text) <= 12 and int(text) <= MAX_ID:
        return int(text)
    return -1


def chosen_id(form) -> int | None:
    """The customer a form names, as an id to look up (None for none or nonsense)."""
    value = form_id(form.customer_id.data)
    return value if isinstance(value, int) and value > 0 else None


class EntryForm(PortalForm):
    """What an order and a payment share: the form's entry id, amount, note and whose
    entry it is (the view removes the salesperson for people who record only their own)."""

    client_id = HiddenField()
    customer_id = SelectField(_l("Customer"), validate_choice=False)
    amount = StringField(_l("Amount (yuan)"), filters=[strip],
                         render_kw={"inputmode": "decimal", "autocomplete": "off",
                                    "placeholder": "0.00"})
    note = TextAreaField(_l("Note"), filters=[strip], render_kw={"rows": 2})
    salesperson_id = SelectField(_l("Salesperson"), validate_choice=False)
    # The service's field names for the form's (its errors go under these).
    day_field = ""

    def values(self) -> dict:
        """The fields as `entries.record_order` / `record_payment` take them."""
        values = {"client_id": self.client_id.data, "amount": self.amount.data,
                  "note": self.note.data, "customer_id": form_id(self.customer_id.data),
                  self.day_field: self[self.day_field].data}
        if "salesperson_id" in self:
            values["salesperson_id"] = form_id(self.salesperson_id.data)
        return values


class OrderForm(EntryForm):
    ordered_on = DateField(_l("Order date"), validators=[Optional()])
    product_line = StringField(_l("Product line"), filters=[strip],
                               render_kw={"list": "product-lines", "autocomplete": "off"})
    day_field = "ordered_on"

    def values(self) -> dict:
        return {**super().values(), "product_line": self.product_line.data}


class PaymentForm(EntryForm):
    customer_id = HiddenField()
    order_id = SelectField(_l("Order it pays"), validate_choice=False)
    received_on = DateField(_l("Received on"), validators=[Optional()])
    day_field = "received_on"

    def values(self) -> dict:
        return {**super().values(), "order_id": form_id(self.order_id.data)}


class ImportForm(PortalForm):
    file = FileField(_l("CSV file"), validators=[FileRequired(_l("Choose a CSV file."))])


def _day_arg(name: str) -> date | None:
    raw = request.args.get(name, "")
    try:
        return date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


@dataclass
class ListFilters:
    """A list's filters from the query string; anything malformed is simply unset."""

    start: date | None = None
    end: date | None = None
    salesperson_id: int | None = None
    q: str = ""
    product_line: str = ""
    kind: str = ""
    partner_id: int | None = None

    @classmethod
    def from_args(cls, partner_ids=None) -> "ListFilters":
        """The filters of this request; `partner_ids` are the partners the user may pick
        (None: a partner's own people, who read their own partner only)."""
        kind = request.args.get("kind", "")
        partner_id = number_arg("partner_id")
        return cls(start=_day_arg("start"), end=_day_arg("end"),
                   salesperson_id=number_arg("salesperson_id"),
                   q=(request.args.get("q") or "").strip()[:SEARCH_LENGTH],
                   product_line=(request.args.get("product_line") or "").strip()[:60],
                   kind=kind if kind in KINDS else "",
                   partner_id=partner_id if partner_ids and partner_id in partner_ids
                   else None)

    def args(self) -> dict:
        """The filters as query-string arguments (the export link, the pager)."""
        return {f.name: (value.isoformat() if isinstance(value, date) else value)
                for f in fields(self) if (value := getattr(self, f.name))}

    def any(self) -> bool:
        return bool(self.args())

    def conditions(self, model, day) -> list:
        """SQL conditions on `model` (Order or Payment; `day` its date column)."""
        found = []
        if self.start:
            found.append(day >= self.start)
        if self.end:
            found.append(day <= self.end)
        if self.salesperson_id:
            found.append(model.salesperson_id == self.salesperson_id)
        if self.partner_id:
            found.append(model.partner_id == self.partner_id)
        if self.q:
            named = [Customer.name.icontains(self.q, autoescape=True),
                     Customer.uscc.contains(self.q.upper(), autoescape=True)]
            if normalise_name(self.q):
                named.append(Customer.name_norm.contains(normalise_name(self.q),
                                                         autoescape=True))
            found.append(model.customer_id.in_(select(Customer.id).where(or_(*named))))
        if self.product_line and hasattr(model, "product_line"):
            found.append(model.product_line == self.product_line)
        if self.kind and hasattr(model, "order_id"):
            found.append(model.order_id.is_not(None) if self.kind == "order"
                         else model.order_id.is_(None))
        return found


# --- what the lists and forms offer ---------------------------------------------------
def partner_options(user) -> list[tuple[int, str]] | None:
    """The partners a principal reads (None for a partner's own people)."""
    if not user.is_principal:
        return None
    return db.session.execute(select(Partner.id, Partner.name).where(
        visible(user, Partner)).order_by(Partner.name_key)).all()


def list_filters(user) -> tuple[list | None, ListFilters, list[User]]:
    """A list page's partner options (principals), its filters and its salespeople (of
    the chosen partner, or of the user's own)."""
    partners = partner_options(user)
    filters = ListFilters.from_args({pid for pid, _name in partners} if partners else None)
    partner_id = filters.partner_id if partners is not None else user.partner_id
    return partners, filters, people_options(user, partner_id)


def plain_yuan(fen: int) -> str:
    """1234.50 for 123450 fen, exactly: an amount a spreadsheet sums."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


def people_options(user, partner_id: int | None) -> list[User]:
    """The partner's people `user` may see, inactive ones too (they have past entries):
    the salesperson filter of a list."""
    if partner_id is None:
        return []
    return db.session.execute(select(User).where(
        visible(user, User), User.partner_id == partner_id, User.role.in_(PARTNER_ROLES))
        .order_by(User.active.desc(), User.name_key, User.id)).scalars().all()


def recorders(user) -> list[User]:
    """Whom `user` may record an entry for: the active people of its partner it sees (the
    User scope: an owner its partner, a team lead its team, staff itself)."""
    if user.partner_id is None:
        return []
    return db.session.execute(select(User).where(
        visible(user, User), User.partner_id == user.partner_id, User.active.is_(True),
        User.role.in_(PARTNER_ROLES)).order_by(User.name_key, User.id)).scalars().all()


def product_lines(user) -> list[str]:
    """The product lines of the orders `user` may see, then the usual ones."""
    seen = db.session.execute(select(Order.product_line).where(
        visible(user, Order), Order.product_line != "").distinct()
        .order_by(Order.product_line).limit(100)).scalars().all()
    return list(dict.fromkeys([*seen, *PRODUCT_LINES]))


def linked_customers(user, customer_ids) -> set[int]:
    """Which of these customers `user` may open (the habits customer page)."""
    ids = set(customer_ids)
    if not ids:
        return set()
    return set(db.session.execute(select(Customer.id).where(
        Customer.id.in_(ids), visible(user, Customer))).scalars())


def customer_choices(user, q: str = "", also: int | None = None) -> tuple[list, bool]:
    """The customers a form offers, "name · town" by pinyin: with a search, any active
    customer of the partner whose name or credit code holds it; without, the ones the
    user looks after (a colleague's customer is found by searching). `also` (a preset or
    the posted one) is added when the user may pick it. Returns (choices, more exist)."""
    query = (select(Customer.id, Customer.name, Region.name)
             .outerjoin(Region, Region.code == Customer.town_code).where(pickable(user))
             .order_by(Customer.name_key, Customer.id))
    if q:
        found = [Customer.name.icontains(q, autoescape=True), Customer.uscc == q.upper()]
        if normalise_name(q):
            found.append(Customer.name_norm.contains(normalise_name(q), autoescape=True))
        shown = query.where(or_(*found))
    else:
        shown = query.where(visible(user, Customer))
    rows = db.session.execute(shown.limit(CUSTOMERS_SHOWN + 1)).all()
    more = len(rows) > CUSTOMERS_SHOWN
    rows = rows[:CUSTOMERS_SHOWN]
    if also is not None and all(row[0] != also for row in rows):
        rows = db.session.execute(query.where(Customer.id == also)).all() + rows
    return [(str(cid), f"{name} · {town}" if town else name) for cid, name, town in rows], more


def pickable_customer(user, customer_id: int | None) -> Customer | None:
    """The customer `customer_id` when `user` may record an entry for it."""
    if customer_id is None:
        return None
    return db.session.execute(select(Customer).where(
        Customer.id == customer_id, pickable(user))).scalar_one_or_none()


def open_orders(user, customer_id: int) -> list[Order]:
    """The customer's orders `user` may see with an amount still open, newest first."""
    return db.session.execute(select(Order).where(
        visible(user, Order), Order.partner_id == user.partner_id,
        Order.customer_id == customer_id, Order.amount_fen > Order.paid_fen)
        .order_by(Order.ordered_on.desc(), Order.id.desc()).limit(200)).scalars().all()


def order_label(order: Order) -> str:
    return str(_l("%(day)s · %(line)s · %(open)s open (of %(amount)s)",
                  day=order.ordered_on.isoformat(), line=order.product_line or "—",
                  open=yuan(order.open_fen), amount=yuan(order.amount_fen)))


def salesperson_choices(form, people: list[User], blank=None) -> None:
    """Fill (or, for people who record only their own, remove) the salesperson select."""
    if len(people) <= 1:
        del form.salesperson_id
        return
    form.salesperson_id.choices = choices(((str(p.id), p.display_name) for p in people),
                                          blank=blank)

