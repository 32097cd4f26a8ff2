"""Who asks for, reads and verifies reports.

The catalogue is for the principal's people (admin, auditors, channel managers) and
partner owners; each kind adds its own rule. A generated report is read by the person
who asked for it and by whoever may read the figures of the partner it is about: its
owner (a monthly pack included) and its channel manager; admins and auditors read every
report. A principal-wide report (no partner) is its requester's alone, beside them.
Anyone logged in may check a file on the verification page: the answer names only the
report's number, kind, period and when it was made."""
from sqlalchemy import false, or_

from portal.core.access import assigned_partners, rule, scope
from portal.reports.models import Report

rule("reports.read", "admin", "auditor", "channel_manager", "owner")
rule("reports.verify", "admin", "auditor", "channel_manager", "owner", "manager", "staff")
# Kinds of report (each kind's `rule`).
rule("reports.partner", "admin", "auditor", "channel_manager", "owner")
rule("reports.principal", "admin", "auditor", "channel_manager")
rule("reports.audit", "admin", "auditor")


@scope(Report)
def report_scope(user):
    own = Report.requested_by == user.id
    if user.role == "channel_manager":
        return or_(own, Report.partner_id.in_(assigned_partners(user)))
    if user.role == "owner" and user.partner_id is not None:
        return or_(own, Report.partner_id == user.partner_id)
    return false()
