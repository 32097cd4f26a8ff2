"""Who sees and keeps good-faith records.

A channel manager enters verified violations and dues for the partners it looks after
(the admin for all) and withdraws a violation it finds wrong; the partner's owner and
team leads read their partner's records, and the owner answers a violation once. The
principal's auditors read everything. Staff see none of it."""
from sqlalchemy import false, select

from portal.compliance.models import Due, Violation, ViolationFile
from portal.core.access import assigned_partners, change_rule, rule, scope

# The violation and dues pages (what each sees is the scopes below).
rule("compliance.read", "admin", "auditor", "channel_manager", "owner", "manager")
# Entering violations and dues, importing dues: the principal's side.
rule("compliance.enter", "admin", "channel_manager")


def _partner_rows(user, column):
    if user.role == "channel_manager":
        return column.in_(assigned_partners(user))
    if user.partner_id is None or user.role not in ("owner", "manager"):
        return false()
    return column == user.partner_id


@scope(Violation)
def violation_scope(user):
    return _partner_rows(user, Violation.partner_id)


@scope(ViolationFile)
def violation_file_scope(user):
    return ViolationFile.violation_id.in_(
        select(Violation.id).where(_partner_rows(user, Violation.partner_id)))


@scope(Due)
def due_scope(user):
    return _partner_rows(user, Due.partner_id)


@change_rule(Violation)
def change_violation(user, violation):
    """Its partner's channel manager withdraws it (the answer is `may_answer`'s)."""
    return user.role == "channel_manager"


@change_rule(Due)
def change_due(user, due):
    """Its partner's channel manager records the payment."""
    return user.role == "channel_manager"


def may_answer(user, violation: Violation) -> bool:
    """The partner's owner, once, while the violation stands."""
    return (user.is_authenticated and user.active and user.role == "owner"
            and user.partner_id == violation.partner_id and violation.state == "verified"
            and violation.answered_at is None)


def enterable_partners(user):
    """SQL: ids of the partners `user` may enter records for (active ones)."""
    from portal.org.models import Partner
    query = select(Partner.id).where(Partner.status == "active")
    if user.role == "admin":
        return query
    if user.role == "channel_manager":
        return query.where(Partner.channel_manager_id == user.id)
    return query.where(false())
