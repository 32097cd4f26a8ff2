"""Importing dues from a CSV file (the principal's finance export), all or nothing.

Read as every import of the portal reads a file (`portal.org.importer`); each row is
checked by the rules of a due typed in (`dues.clean`), for a partner the importer looks
after, named by its name or its credit code. One problem and nothing is imported.

Idempotent on the reference: a row whose partner already has a due with its reference
and the same amount and due day updates that due's payment (paid amount, day, note) —
so the next month's export, with this month's payments filled in, is imported as it is
— and changes nothing when those are the same too. The same reference with another
amount or due day is a problem: a due's terms are corrected on its page, not by a file."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.compliance import dues
from portal.compliance.models import Due
from portal.compliance.policies import enterable_partners
from portal.core import audit
from portal.core.errors import DomainError
from portal.core.imports import HeadedUpload, read_headed
from portal.extensions import db
from portal.org.models import Partner

COLUMNS = ("partner", "reference", "amount", "due_on", "paid", "paid_on", "note")
HEADERS = {
    "代理商": "partner", "渠道商": "partner", "partner": "partner",
    "单号": "reference", "发票号": "reference", "合同号": "reference", "reference": "reference",
    "金额": "amount", "应付金额": "amount", "amount": "amount",
    "到期日": "due_on", "应付日期": "due_on", "due_on": "due_on", "due": "due_on",
    "已付金额": "paid", "实付金额": "paid", "paid": "paid",
    "付款日期": "paid_on", "实付日期": "paid_on", "paid_on": "paid_on",
    "备注": "note", "note": "note",
}
TEMPLATE_HEADER = ("代理商", "单号", "金额", "到期日", "已付金额", "付款日期", "备注")
REQUIRED = {"partner": "代理商 (partner)", "reference": "单号 (reference)",
            "amount": "金额 (amount)", "due_on": "到期日 (due_on)"}


@dataclass
class DueUpload(HeadedUpload):
    unchanged: int = 0


def read_file(data: bytes, actor) -> DueUpload:
    """Parse and check a dues file imported by `actor`; nothing is written."""
    upload = DueUpload()
    read_headed(data, upload, headers=HEADERS, required=REQUIRED, columns=COLUMNS,
                too_many=lambda limit: _l(
                    "At most %(num)d dues per file; split it into several files.", num=limit))
    if upload.ok:
        _check_rows(upload, actor)
    return upload


def _partners(upload, actor) -> dict[str, int]:
    """Name or credit code -> id of the partners named that `actor` may import for."""
    names = {row["partner"] for row in upload.rows if row["partner"]}
    found = {}
    for ident, name, uscc in db.session.execute(select(Partner.id, Partner.name, Partner.uscc)
                                                .where(Partner.id.in_(enterable_partners(actor)),
                                                       or_(Partner.name.in_(names),
                                                           Partner.uscc.in_(names)))):
        found[name], found[uscc] = ident, ident
    return found


def _check_rows(upload: DueUpload, actor) -> None:
    partners = _partners(upload, actor)
    seen: dict[tuple, int] = {}
    for row in upload.rows:
        row["cleaned"] = None
        partner_id = partners.get(row["partner"])
        if partner_id is None:
            upload.problem(row, "partner", _l(
                "No partner you look after has this name or credit code."))
            continue
        values = {**{k: row[k] for k in ("reference", "amount", "due_on", "paid", "paid_on",
                                         "note")}, "partner_id": partner_id}
        try:
            row["cleaned"] = dues.clean(actor, values)
        except DomainError as error:
            upload.problem(row, error.field, error.message)
            continue
        key = (partner_id, row["cleaned"]["reference"])
        if key in seen:
            upload.problem(row, "reference", _l("Same partner and reference as line "
                                                "%(line)d.", line=seen[key]))
        seen.setdefault(key, row["line"])
    if upload.ok:
        _against_stored(upload)
    upload.problems.sort(key=lambda problem: problem.row)


def _against_stored(upload: DueUpload) -> None:
    references = {row["cleaned"]["reference"] for row in upload.rows}
    stored = {(d.partner_id, d.reference): d for d in db.session.execute(
        select(Due).where(Due.reference.in_(references))).scalars()}
    for row in upload.rows:
        cleaned = row["cleaned"]
        found = stored.get((cleaned["partner_id"], cleaned["reference"]))
        row["due"] = found
        if found is None:
            continue
        if (found.amount_fen, found.due_on) != (cleaned["amount_fen"], cleaned["due_on"]):
            upload.problem(row, "reference", _l(
                "This reference is already recorded with another amount or due day; "
                "correct it on the due's page."))
        elif all(getattr(found, k) == cleaned[k] for k in ("paid_fen", "paid_on", "note")):
            row["unchanged"] = True
            upload.unchanged += 1


def apply(actor, upload: DueUpload) -> tuple[int, int]:
    """Add the new dues and update the payments of those already there: (added,
    updated). The caller commits."""
    if not upload.ok:
        raise ValueError("refusing to import a file with problems")
    added = updated = 0
    for row in upload.rows:
        if row.get("unchanged"):
            continue
        if row["due"] is None:
            dues.add_due(actor, {}, cleaned=row["cleaned"])
            added += 1
        else:
            for key in ("paid_fen", "paid_on", "note"):
                if getattr(row["due"], key) != row["cleaned"][key]:
                    setattr(row["due"], key, row["cleaned"][key])
            updated += 1
    audit.record("import_dues", None, object_type="Due", after={
        "added": added, "updated": updated})
    return added, updated
