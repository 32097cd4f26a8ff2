"""Importing customers into a partner's book from a CSV file, all or nothing.

The file is read the way the staff import reads one (`portal.org.importer`: UTF-8 with
or without BOM, or GBK; records with the line each starts on). Every row is checked
first, against the book and against the other rows (a credit code twice, or the same
normalised name in the same town, is an error here: a file cannot answer "did you
mean…?"); one problem and nothing is written. Problems name the line and the column as
the file heads it."""
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from portal.auth.models import PARTNER_ROLES, User
from portal.core import audit
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits import customers
from portal.habits.customer_forms import territory_towns
from portal.habits.models import CLASSES, Customer
from portal.org.importer import Problem, Upload, named_columns, read_table
from portal.org.models import Partner

COLUMNS = ("name", "uscc", "town", "address", "contact_name", "contact_phone", "klass",
           "owner")
# The header a spreadsheet may give each column: Chinese, the codes, plain English.
HEADERS = {
    "名称": "name", "客户名称": "name", "客户": "name", "name": "name",
    "统一社会信用代码": "uscc", "信用代码": "uscc", "uscc": "uscc", "credit code": "uscc",
    "镇街": "town", "乡镇": "town", "镇/街道": "town", "街道": "town", "town": "town",
    "town_code": "town",
    "地址": "address", "address": "address",
    "联系人": "contact_name", "contact_name": "contact_name", "contact": "contact_name",
    "电话": "contact_phone", "手机": "contact_phone", "手机号": "contact_phone",
    "联系电话": "contact_phone", "contact_phone": "contact_phone", "phone": "contact_phone",
    "类别": "klass", "客户类别": "klass", "klass": "klass", "class": "klass",
    "销售": "owner", "负责人": "owner", "owner": "owner", "salesperson": "owner",
}
TEMPLATE_HEADER = ("名称", "统一社会信用代码", "镇街", "地址", "联系人", "电话", "类别", "销售")
CLASS_WORDS = {"现有客户": "existing", "现有": "existing", "未加入客户": "prospect",
               "未加入": "prospect", "每天新增": "new", "每天新增的客户": "new", "新增": "new",
               "新增客户": "new"}
# The service's field names for the file's columns.
FIELD_COLUMNS = {"town_code": "town", "owner_id": "owner"}
# What a refused field is replaced by so the row's other fields are still checked.
FILLERS = {"name": "?", "klass": "new"}


@dataclass
class CustomerUpload(Upload):
    """A checked customer file; `headers` maps each column to its header in the file."""

    headers: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        name = FIELD_COLUMNS.get(name, name)
        return self.headers.get(name, name)


def template_csv() -> bytes:
    """An empty file with the Chinese header line, with a BOM so Excel opens it as UTF-8."""
    return (",".join(TEMPLATE_HEADER) + "\r\n").encode("utf-8-sig")


def read_file(data: bytes, partner: Partner, actor: User) -> CustomerUpload:
    """Parse and check an upload of customers for `partner` (salesperson by default:
    `actor`); nothing is written."""
    upload = CustomerUpload()
    read_table(data, upload, _header, columns=COLUMNS, label=upload.column,
               too_many=lambda limit: _l("At most %(num)d customers per file; split it "
                                         "into several files.", num=limit))
    if upload.ok:
        _check_rows(upload, partner, actor)
    return upload


def _header(cells, upload: CustomerUpload) -> list[str]:
    return named_columns(cells, HEADERS, upload.headers, upload.problems,
                         {"name": "名称 (name)"})


def _check_rows(upload: CustomerUpload, partner: Partner, actor: User) -> None:
    towns = territory_towns(partner.id)
    by_name: dict[str, list[str]] = {}
    for code, name, _county in towns:
        by_name.setdefault(name, []).append(code)
    usernames = {row["owner"].lower() for row in upload.rows if row["owner"]}
    people = {person.username.lower(): person for person in db.session.execute(select(User).where(
        User.partner_id == partner.id, User.active.is_(True), User.role.in_(PARTNER_ROLES),
        func.lower(User.username).in_(usernames))).scalars()} if usernames else {}
    for row in upload.rows:
        row["values"] = _values(row, by_name, people, actor, upload)
        row["cleaned"] = _clean(partner.id, row, upload)
    if upload.ok:
        _refuse_duplicates(upload, partner.id)


def _problem(upload: CustomerUpload, row: dict, name: str, message) -> None:
    upload.problems.append(Problem(row["line"], upload.column(name), message))


def _values(row: dict, by_name: dict, people: dict, actor: User, upload) -> dict:
    """The row as the service takes it: the town by name or code, the class by its
    Chinese word or code, the salesperson by username (the importer when empty)."""
    values = {name: row[name] for name in ("name", "uscc", "address", "contact_name",
                                           "contact_phone")}
    town = row["town"].replace(" ", "")
    if not town or (town.isascii() and town.isdigit()):
        values["town_code"] = town  # the service checks the code
    elif len(by_name.get(town, ())) == 1:
        values["town_code"] = by_name[town][0]
    else:
        values["town_code"] = ""
        _problem(upload, row, "town", _l(
            "Several towns of your territory have this name; give its 9-digit code.")
            if by_name.get(town) else _l("No town of your territory has this name; give "
                                        "its name as the town list shows it, or its code."))
    klass = CLASS_WORDS.get(row["klass"], row["klass"].lower())
    if klass and klass not in CLASSES:
        _problem(upload, row, "klass", _l(
            "Use 现有客户, 未加入客户 or 每天新增 (or existing, prospect, new)."))
        klass = ""
    values["klass"] = klass or "new"
    if not row["owner"]:
        values["owner_id"] = actor.id
    elif row["owner"].lower() in people:
        values["owner_id"] = people[row["owner"].lower()].id
    else:
        values["owner_id"] = None
        _problem(upload, row, "owner", _l("No active person of your partner has this "
                                          "username."))
    return values


def _clean(partner_id: int, row: dict, upload: CustomerUpload) -> dict | None:
    """The row's values checked by the service, every field at fault reported (each
    refused field is blanked and the rest checked again); None when any was refused."""
    values, failed = dict(row["values"]), False
    for _attempt in customers.FIELDS:
        try:
            cleaned = customers.clean(partner_id, values)
        except DomainError as error:
            _problem(upload, row, error.field, error.message)
            values[error.field] = FILLERS.get(error.field)
            failed = True
        else:
            return None if failed else cleaned
    return None


def _refuse_duplicates(upload: CustomerUpload, partner_id: int) -> None:
    """The same credit code, or the same normalised name in the same town, as another
    row or as a customer already in the book."""
    rows = [row for row in upload.rows if row["cleaned"] is not None]
    codes = {row["cleaned"]["uscc"] for row in rows if row["cleaned"]["uscc"]}
    names = {customers.normalise_name(row["cleaned"]["name"]) for row in rows}
    book = db.session.execute(select(Customer.name, Customer.uscc, Customer.name_norm,
                                     Customer.town_code).where(
        Customer.partner_id == partner_id,
        or_(Customer.uscc.in_(codes), Customer.name_norm.in_(names)))).all()
    book_codes = {uscc: name for name, uscc, _norm, _town in book if uscc}
    book_names = {(norm, town): name for name, _uscc, norm, town in book}
    checks = (
        ("uscc", lambda c: c["uscc"], book_codes,
         lambda name: _l("A customer with this credit code is already in your book: "
                         "%(name)s.", name=name),
         lambda line: _l("Same credit code as line %(line)d.", line=line)),
        ("name", lambda c: (customers.normalise_name(c["name"]), c["town_code"]), book_names,
         lambda name: _l("A customer with this name is already in this town: %(name)s.",
                         name=name),
         lambda line: _l("Same name in the same town as line %(line)d.", line=line)),
    )
    for column, key_of, in_book, book_message, file_message in checks:
        seen: dict = {}
        for row in rows:
            key = key_of(row["cleaned"])
            if not key:
                continue  # no credit code: nothing to compare
            if key in in_book:
                _problem(upload, row, column, book_message(in_book[key]))
            elif key in seen:
                _problem(upload, row, column, file_message(seen[key]))
            else:
                seen[key] = row["line"]
    upload.problems.sort(key=lambda problem: problem.row)  # stable: a row's stay in order


def create_customers(actor: User, partner: Partner, upload: CustomerUpload) -> list[Customer]:
    """Add the checked rows of `upload` to the partner's book, one `create_customer`
    each. A row refused now (the book changed since the check) adds its problem and
    returns nothing: the caller rolls the whole import back."""
    if not upload.ok:
        raise ValueError("refusing to import a file with problems")
    created = []
    for row in upload.rows:
        try:
            created.append(customers.create_customer(actor, partner.id, row["values"],
                                                     reason="import"))
        except DomainError as error:
            _problem(upload, row, error.field, error.message)
            return []
    audit.record("import_customers", partner, after={"count": len(created)})
    return created
