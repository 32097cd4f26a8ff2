"""Importing a partner's orders or payments from a CSV file, all or nothing.

The file is read as every import reads one (`portal.org.importer.read_table`: UTF-8
with or without BOM, or GBK; Chinese or English headers). Each row names its customer
(the exact name in the partner's book, or its credit code), its salesperson (a
username) and, for a payment, the order it pays (that order's entry id); every field
of every row is then checked by the service that stores it, and one problem anywhere
means nothing is written. Rows are stored one by one through `entries.record_order` /
`record_payment`, each in a savepoint, so a row refused only then (two payments that
together exceed an order) is reported with the others before all is rolled back.

A row is an entry with an id: the file's 单号 column, or when empty one derived from the
row's content (and how many identical rows came before it), so importing the same file
again stores nothing new: those rows are "already there"."""
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core import audit
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits.models import Customer
from portal.habits.visits import CLIENT_ID
from portal.org.importer import Problem, Upload, named_columns, read_table
from portal.org.models import Partner
from portal.results import entries
from portal.results.models import Order

# The columns of both files and the headers a spreadsheet may give them.
COMMON_HEADERS = {
    "客户": "customer", "客户名称": "customer", "customer": "customer",
    "日期": "day", "date": "day",
    "金额": "amount", "amount": "amount",
    "销售员": "salesperson", "销售": "salesperson", "salesperson": "salesperson",
    "username": "salesperson",
    "单号": "entry_id", "entry id": "entry_id", "entry_id": "entry_id",
    "client_id": "entry_id",
    "备注": "note", "note": "note",
}
# A date as spreadsheets write it: 2026-12-01, 2026/12/1, 2026.12.1 or 20261201.
DAY = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")


@dataclass(frozen=True)
class Kind:
    """What one kind of file holds and which service stores its rows."""

    name: str
    columns: tuple[str, ...]
    headers: dict[str, str]
    required: tuple[str, ...]
    template: tuple[str, ...]  # the Chinese header line of the template
    day_field: str
    clean: Callable
    record: Callable
    action: str  # the audit log's action
    too_many: Callable

    def label(self, column: str) -> str:
        """The Chinese header of a column (for problems about a column not in the file)."""
        return next(text for text, name in self.headers.items() if name == column)


ORDERS = Kind(
    name="orders",
    columns=("customer", "day", "amount", "product_line", "salesperson", "entry_id", "note"),
    headers={**COMMON_HEADERS, "下单日期": "day", "订单日期": "day", "ordered_on": "day",
             "订单金额": "amount", "产品线": "product_line", "product line": "product_line",
             "product_line": "product_line", "订单号": "entry_id"},
    required=("customer", "day", "amount", "salesperson"),
    template=("客户", "日期", "金额", "产品线", "销售员", "单号", "备注"),
    day_field="ordered_on", clean=entries.clean_order, record=entries.record_order,
    action="import_orders",
    too_many=lambda limit: _l("At most %(num)d orders per file; split it into several "
                              "files.", num=limit))
PAYMENTS = Kind(
    name="payments",
    columns=("customer", "day", "amount", "order_entry", "salesperson", "entry_id", "note"),
    headers={**COMMON_HEADERS, "收款日期": "day", "received_on": "day", "收款金额": "amount",
             "订单单号": "order_entry", "order entry id": "order_entry",
             "order_entry_id": "order_entry", "order": "order_entry",
             "收款单号": "entry_id"},
    required=("day", "amount", "salesperson"),
    template=("客户", "日期", "金额", "订单单号", "销售员", "单号", "备注"),
    day_field="received_on", clean=entries.clean_payment, record=entries.record_payment,
    action="import_payments",
    too_many=lambda limit: _l("At most %(num)d payments per file; split it into several "
                              "files.", num=limit))
# The file's column for each field the service names in its errors.
FIELD_COLUMNS = {"customer_id": "customer", "salesperson_id": "salesperson",
                 "ordered_on": "day", "received_on": "day", "amount": "amount",
                 "product_line": "product_line", "note": "note", "client_id": "entry_id",
                 "order_id": "order_entry"}


@dataclass
class EntryUpload(Upload):
    """A checked file of orders or payments; `headers` maps each column to its header."""

    kind: Kind = ORDERS
    headers: dict[str, str] = field(default_factory=dict)
    created: int = 0
    already: int = 0
    # A customer of the partner standing in for one a row names wrongly, so the row's
    # other fields are still checked.
    stand_in: int | None = None

    def column(self, name: str) -> str:
        name = FIELD_COLUMNS.get(name, name)
        return self.headers.get(name) or self.kind.label(name)

    def problem(self, row: dict, name: str, message) -> None:
        self.problems.append(Problem(row["line"], self.column(name), message))


def template_csv(kind: Kind) -> bytes:
    """An empty file with the Chinese header line, with a BOM so Excel opens it as UTF-8."""
    return (",".join(kind.template) + "\r\n").encode("utf-8-sig")


def read_file(data: bytes, kind: Kind, partner: Partner, actor: User) -> EntryUpload:
    """Parse and check a file of `kind` for `partner`, imported by `actor` (its owner);
    nothing is written."""
    upload = EntryUpload(kind=kind)
    read_table(data, upload, _header, columns=kind.columns, label=upload.column,
               too_many=kind.too_many)
    if upload.rows and all(p.row > 1 for p in upload.problems):  # the file itself is fine
        _resolve(upload, partner)
        for row in upload.rows:
            _check(upload, row, actor)
        upload.problems.sort(key=lambda problem: problem.row)  # a row's stay in order
    return upload


def _header(cells, upload: EntryUpload) -> list[str]:
    kind = upload.kind
    return named_columns(cells, kind.headers, upload.headers, upload.problems,
                         {name: kind.label(name) for name in kind.required})


def parse_day(text: str) -> date | None:
    match = DAY.match(text.replace(" ", ""))
    if match is None:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def _lookups(upload: EntryUpload, partner: Partner) -> tuple[dict, dict, dict]:
    """The customers, people and orders the rows name, in three queries."""
    rows = upload.rows
    names = {row["customer"] for row in rows if row["customer"]}
    found: dict[str, list[int]] = {}
    if names:
        for cid, name, uscc in db.session.execute(select(
                Customer.id, Customer.name, Customer.uscc).where(
                Customer.partner_id == partner.id, Customer.active.is_(True),
                or_(Customer.name.in_(names), Customer.uscc.in_(
                    {n.upper() for n in names})))):
            for key in {name, uscc}:
                if key:
                    found.setdefault(key, []).append(cid)
    usernames = {row["salesperson"].lower() for row in rows if row["salesperson"]}
    people = {username.lower(): uid for uid, username in db.session.execute(select(
        User.id, User.username).where(
        User.partner_id == partner.id, User.active.is_(True), User.role.in_(PARTNER_ROLES),
        func.lower(User.username).in_(usernames)))} if usernames else {}
    wanted = {row.get("order_entry") for row in rows} - {None, ""}
    orders = dict(db.session.execute(select(Order.client_id, Order.id).where(
        Order.partner_id == partner.id, Order.client_id.in_(wanted))).all()) if wanted else {}
    return found, people, orders


def _resolve(upload: EntryUpload, partner: Partner) -> None:
    """Each row's values as the service takes them: the customer, salesperson and order
    looked up, the date parsed, the entry id given or derived."""
    customers, people, orders = _lookups(upload, partner)
    upload.stand_in = db.session.execute(select(Customer.id).where(
        Customer.partner_id == partner.id, Customer.active.is_(True)).limit(1)).scalar()
    seen: dict[str, int] = {}
    for row in upload.rows:
        values = {"amount": row["amount"], "note": row["note"],
                  "product_line": row.get("product_line", "")}
        customer = row["customer"]
        matches = customers.get(customer) or customers.get(customer.upper(), [])
        if customer and len(set(matches)) == 1:
            values["customer_id"] = matches[0]
        elif customer:
            upload.problem(row, "customer", _l(
                "Several customers of your book have this name; give its credit code.")
                if matches else _l("No active customer of your book has this exact name or "
                                   "credit code."))
            values["customer_id"] = upload.stand_in
        elif upload.kind is ORDERS or not row.get("order_entry"):
            upload.problem(row, "customer", _l("Give the customer."))
            values["customer_id"] = upload.stand_in
        if row.get("order_entry"):
            values["order_id"] = orders.get(row["order_entry"])
            if values["order_id"] is None:
                upload.problem(row, "order_entry", _l("No order of your partner has this "
                                                      "entry id."))
                values.setdefault("customer_id", upload.stand_in)
        username = row["salesperson"].lower()
        values["salesperson_id"] = people.get(username)
        if values["salesperson_id"] is None:
            upload.problem(row, "salesperson", _l("No active person of your partner has "
                                                  "this username.") if username else
                           _l("Give the salesperson's username."))
        values[upload.kind.day_field] = parse_day(row["day"])
        if values[upload.kind.day_field] is None:
            upload.problem(row, "day", _l("Give the date as 2026-12-01 (or 2026/12/1)."))
        values["client_id"] = row["entry_id"] or _derived_id(upload.kind, row, seen)
        if row["entry_id"] and not CLIENT_ID.match(row["entry_id"]):
            upload.problem(row, "entry_id", _l("8 to 64 letters, digits or . _ : - ; or "
                                               "leave it empty."))
        row["values"] = values


def _derived_id(kind: Kind, row: dict, seen: dict) -> str:
    """The same row of the same file gets the same id; a second identical row in one
    file another one (two identical orders on a day are two orders)."""
    content = "\x1f".join([kind.name] + [row[name].strip() for name in kind.columns])
    seen[content] = seen.get(content, 0) + 1
    digest = hashlib.sha256(f"{content}\x1e{seen[content]}".encode()).hexdigest()
    return f"csv-{kind.name[0]}-{digest[:40]}"


# What a refused field is replaced by, so the row's other fields are checked too.
FILLERS = {"client_id": "csv-filler", "salesperson_id": None, "ordered_on": None,
           "received_on": None, "amount": "0.01", "product_line": "", "note": "",
           "order_id": None}


def _filler(upload: EntryUpload, values: dict, key: str):
    if key == "customer_id":  # a payment's order names its customer
        return None if values.get("order_id") else upload.stand_in
    return FILLERS.get(key)


def _check(upload: EntryUpload, row: dict, actor: User) -> None:
    """Every field of the row checked by the service; each refused field reported once
    (unless the file's own checks already named its column)."""
    values = {key: value for key, value in row["values"].items()
              if not (key == "order_id" and value is None)}
    reported = {p.field for p in upload.problems if p.row == row["line"]}
    tried: set[str] = set()
    while True:
        try:
            upload.kind.clean(actor, {**values, **{key: _filler(upload, values, key)
                                                   for key in tried}})
            return
        except DomainError as error:
            if error.field in tried:
                return  # the stand-in was refused too: nothing more to learn
            if upload.column(error.field) not in reported:
                upload.problem(row, error.field, error.message)
            tried.add(error.field)


def record(actor: User, partner: Partner, upload: EntryUpload) -> None:
    """Store the checked rows, each through the service in a savepoint; the rows already
    stored count as `already`. A row refused now adds its problem: the caller then rolls
    the whole import back."""
    if not upload.ok:
        raise ValueError("refusing to import a file with problems")
    for row in upload.rows:
        try:
            with db.session.begin_nested():
                recorded = upload.kind.record(actor, row["values"])
        except DomainError as error:
            upload.problem(row, error.field, error.message)
            continue
        if recorded.created:
            upload.created += 1
        else:
            upload.already += 1
    if upload.ok:
        audit.record(upload.kind.action, partner,
                     after={"count": upload.created, "already": upload.already})
