"""Importing a partner's service tickets from a CSV file, all or nothing.

The file is read as every import of the portal reads one (`portal.org.importer`: UTF-8
with or without BOM, or GBK; Chinese or English headers; problems by line and column as
the file heads it). Every row is checked by the same rules as a ticket typed in
(`tickets.clean`); one problem and nothing is imported. The ticket number (工单号) is the
entry's id: a row already imported with the same content is skipped, so importing a
file twice changes nothing; the same number with different content is a problem."""
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import audit
from portal.core.clock import BUSINESS_TZ
from portal.core.imports import HeadedUpload, read_headed
from portal.extensions import db
from portal.habits.customer_forms import territory_towns
from portal.habits.models import Customer
from portal.org.models import Partner
from portal.service import tickets
from portal.service.models import Ticket

COLUMNS = ("client_id", "subject", "detail", "town", "customer", "opened_at",
           "first_response_at", "resolved_at", "satisfaction_scale", "satisfaction")
HEADERS = {
    "工单号": "client_id", "编号": "client_id", "单号": "client_id", "client_id": "client_id",
    "ticket": "client_id", "ticket_no": "client_id",
    "主题": "subject", "问题": "subject", "subject": "subject",
    "详情": "detail", "描述": "detail", "detail": "detail",
    "镇街": "town", "乡镇": "town", "街道": "town", "town": "town", "town_code": "town",
    "客户": "customer", "客户名称": "customer", "customer": "customer",
    "受理时间": "opened_at", "开单时间": "opened_at", "opened_at": "opened_at",
    "opened": "opened_at",
    "首次响应": "first_response_at", "首次响应时间": "first_response_at",
    "first_response_at": "first_response_at", "first_response": "first_response_at",
    "解决时间": "resolved_at", "resolved_at": "resolved_at", "resolved": "resolved_at",
    "满意度量表": "satisfaction_scale", "量表": "satisfaction_scale",
    "satisfaction_scale": "satisfaction_scale", "scale": "satisfaction_scale",
    "满意度": "satisfaction", "satisfaction": "satisfaction",
}
TEMPLATE_HEADER = ("工单号", "主题", "详情", "镇街", "客户", "受理时间", "首次响应时间",
                   "解决时间", "满意度量表", "满意度")
REQUIRED = {"client_id": "工单号 (client_id)", "subject": "主题 (subject)",
            "opened_at": "受理时间 (opened_at)"}
SCALE_WORDS = {"csat": "csat", "满意度": "csat", "nps": "nps", "推荐度": "nps"}
TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d %H:%M:%S",
                "%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S")
FIELD_COLUMNS = {"town_code": "town", "customer_id": "customer"}


@dataclass
class TicketUpload(HeadedUpload):
    fields = FIELD_COLUMNS
    skipped: int = 0  # rows already imported with the same content


def read_file(data: bytes, partner: Partner) -> TicketUpload:
    """Parse and check a ticket file of `partner`; nothing is written."""
    upload = TicketUpload()
    read_headed(data, upload, headers=HEADERS, required=REQUIRED, columns=COLUMNS,
                too_many=lambda limit: _l(
                    "At most %(num)d tickets per file; split it into several files.",
                    num=limit))
    if upload.ok:
        _check_rows(upload, partner)
    return upload


def _time(text: str):
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=BUSINESS_TZ)
        except ValueError:
            continue
    return "bad"


def _values(row, towns, customers, upload) -> dict | None:
    values, ok = {"client_id": row["client_id"], "subject": row["subject"],
                  "detail": row["detail"]}, True
    for name in ("opened_at", "first_response_at", "resolved_at"):
        moment = _time(row[name]) if row[name] else None
        if moment == "bad":
            upload.problem(row, name, _l("Give a time as YYYY-MM-DD HH:MM (Beijing time)."))
            moment, ok = None, False
        values[name] = moment
    town = row["town"].replace(" ", "")
    if town and not (town.isascii() and town.isdigit()):
        matches = towns.get(town, [])
        if len(matches) != 1:
            upload.problem(row, "town", _l(
                "Several towns of the territory have this name; give its 9-digit code.")
                if matches else _l("No town of the territory has this name; give its name "
                                   "as the town list shows it, or its code."))
            ok = False
        town = matches[0] if len(matches) == 1 else ""
    values["town_code"] = town or None
    customer = row["customer"]
    if customer:
        found = customers.get(customer, [])
        if len(found) != 1:
            upload.problem(row, "customer", _l(
                "No customer of the book has exactly this name; give its name as the book "
                "shows it.") if not found else _l("Several customers have this name."))
            ok = False
        values["customer_id"] = found[0] if len(found) == 1 else None
    scale = SCALE_WORDS.get(row["satisfaction_scale"].lower(), row["satisfaction_scale"])
    values["satisfaction_scale"] = scale or None
    score = row["satisfaction"]
    if score and not (score.isascii() and score.isdigit() and len(score) < 4):
        upload.problem(row, "satisfaction", _l("A whole number."))
        ok, score = False, ""
    values["satisfaction"] = int(score) if score else None
    return values if ok else None


def _check_rows(upload: TicketUpload, partner: Partner) -> None:
    towns: dict[str, list[str]] = {}
    for code, name, _county in territory_towns(partner.id):
        towns.setdefault(name, []).append(code)
    names = {row["customer"] for row in upload.rows if row["customer"]}
    customers: dict[str, list[int]] = {}
    if names:
        for ident, name in db.session.execute(select(Customer.id, Customer.name).where(
                Customer.partner_id == partner.id, Customer.name.in_(names))):
            customers.setdefault(name, []).append(ident)
    seen: dict[str, int] = {}
    for row in upload.rows:
        values = _values(row, towns, customers, upload)
        row["cleaned"] = None
        if values is None:
            continue
        try:
            row["cleaned"] = tickets.clean(partner.id, values)
        except tickets.Problems as error:
            for name, message in error.details.items():
                upload.problem(row, name, message)
            continue
        ident = row["cleaned"]["client_id"]
        if ident in seen:
            upload.problem(row, "client_id", _l("Same ticket number as line %(line)d.",
                                                line=seen[ident]))
        seen.setdefault(ident, row["line"])
    if upload.ok:
        _against_stored(upload, partner)
    upload.problems.sort(key=lambda problem: problem.row)


def _against_stored(upload: TicketUpload, partner: Partner) -> None:
    """Rows already imported: the same content is skipped, other content refused."""
    idents = [row["cleaned"]["client_id"] for row in upload.rows]
    stored = {t.client_id: t for t in db.session.execute(select(Ticket).where(
        Ticket.partner_id == partner.id, Ticket.client_id.in_(idents))).scalars()}
    for row in upload.rows:
        found = stored.get(row["cleaned"]["client_id"])
        if found is None:
            continue
        if tickets.same(found, row["cleaned"]):
            row["skip"] = True
            upload.skipped += 1
        else:
            upload.problem(row, "client_id", _l(
                "A ticket with this number was already imported with different content."))


def create_tickets(actor, partner: Partner, upload: TicketUpload) -> list[Ticket]:
    """Store the checked rows not already there; the caller commits."""
    if not upload.ok:
        raise ValueError("refusing to import a file with problems")
    created = [tickets.open_ticket(actor, partner.id, {}, channel="csv",
                                   cleaned=row["cleaned"]).ticket
               for row in upload.rows if not row.get("skip")]
    audit.record("import_tickets", partner, after={"count": len(created)})
    return created
