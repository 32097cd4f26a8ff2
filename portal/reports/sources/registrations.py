"""Customer registrations and conflict cases for a period: the registrations filed in it
with their status at its end, each partner's counts (filed, claims counted, protected,
refused by reason, conflicts caused per 100 claims, as partner scoring counts them), and
the conflict cases opened or decided in it with both sides, the decision and whether it
came within the rule's decision time.

A partner's report holds its own registrations only, and a case names its own side and
"the other partner", never which partner holds a customer it does not hold (as the case
page shows it to a party); the principal's readers see both names."""
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from portal.auth.models import User
from portal.core.access import figures_of, visible
from portal.core.clock import now
from portal.extensions import db
from portal.health.figures import starts
from portal.org.models import Partner
from portal.registrations import cases, figures
from portal.registrations.display import local, verdict
from portal.registrations.labels import (CASE_STATE_LABELS, DECISION_LABELS, REASON_LABELS,
                                         SIDE_LABELS, STATE_LABELS)
from portal.registrations.models import REASONS, ConflictCase, Registration
from portal.reports.kinds import ReportData, Section, Table, report
from portal.reports.scope import period_of

ENDED = ("expired", "released")


def status_at(at):
    """SQL: what a registration was at `at` (review, protected, expired, released or
    refused), from its times: released, protected from, decided in review, and a
    challenger refused at filing that later won its case."""
    return case(
        (and_(Registration.released_at.is_not(None), Registration.released_at < at),
         "released"),
        (and_(Registration.protected_from.is_not(None), Registration.protected_from < at),
         case((Registration.expires_at <= at, "expired"), else_="protected")),
        (and_(Registration.status == "refused",
              or_(Registration.decided_at.is_(None), Registration.decided_at < at)), "refused"),
        (Registration.review_due_at.is_(None), "refused"),
        else_="review")


def _reason(registration: Registration, state: str) -> str:
    """Why a registration was refused, as its page says it (never naming a partner)."""
    if state != "refused":
        return ""
    if registration.status == "refused":
        return verdict(registration)
    return str(REASON_LABELS["protected"])  # refused then, protected since by a case


def _partners(user, params) -> list[Partner]:
    """The partner asked for, or every partner whose figures `user` reads."""
    query = select(Partner).where(figures_of(user).condition(Partner.id))
    if params.partner_id is not None:
        query = query.where(Partner.id == params.partner_id)
    return db.session.execute(query.order_by(Partner.name_key, Partner.id)).scalars().all()


def _filed(user, ids, begin, end):
    """SQL: the registrations of partners `ids` filed in [begin, end) that `user` sees."""
    return and_(Registration.partner_id.in_(ids), visible(user, Registration),
                Registration.requested_at >= begin, Registration.requested_at < end)


def _registrations(user, ids, begin, end, at) -> list[tuple[Registration, str]]:
    return db.session.execute(
        select(Registration, status_at(at)).where(_filed(user, ids, begin, end))
        .order_by(Registration.requested_at, Registration.id)).all()


def _counted(user, ids, begin, end, at) -> tuple[dict, dict]:
    """{(partner id, status at `at`): count} and {(partner id, reason): refused count}."""
    state, filed = status_at(at), _filed(user, ids, begin, end)
    by_state = {(pid, s): n for pid, s, n in db.session.execute(
        select(Registration.partner_id, state, func.count()).where(filed)
        .group_by(Registration.partner_id, state))}
    # A challenger that won its case later was refused as "protected" until then.
    reason = func.coalesce(Registration.reason, "protected")
    by_reason = {(pid, r): n for pid, r, n in db.session.execute(
        select(Registration.partner_id, reason, func.count()).where(filed, state == "refused")
        .group_by(Registration.partner_id, reason))}
    return by_state, by_reason


def _filed_section(partners, found) -> tuple[Section, list]:
    columns = [_("Filed"), _("Customer"), _("Status at the end"), _("Protected from"),
               _("Protected until"), _("Reason")]
    by_partner = {p.id: [] for p in partners}
    source = []
    for registration, state in found:
        held = state in ("protected", *ENDED)
        until = registration.released_at if state == "released" else registration.expires_at
        by_partner[registration.partner_id].append([
            local(registration.requested_at), registration.name,
            str(STATE_LABELS.get(state, state)),
            local(registration.protected_from) if held else "",
            local(until) if held else "", _reason(registration, state)])
        source.append({"id": registration.id, "partner_id": registration.partner_id,
                       "customer": registration.name, "status_at_end": state,
                       "requested_at": registration.requested_at.isoformat(),
                       "protected_from": registration.protected_from.isoformat()
                       if held else None,
                       "protected_until": until.isoformat() if held else None,
                       "reason": (registration.reason or "protected")
                       if state == "refused" else None})
    tables = [Table(p.name, columns, rows) for p in partners
              if (rows := by_partner[p.id])]
    return Section(_("Registrations filed in the period"), tables=tables), source


def _counts_section(partners, by_state, by_reason, claims, caused) -> tuple[Section, list]:
    rows, source = [], []
    for p in partners:
        states = {s: n for (pid, s), n in by_state.items() if pid == p.id}
        filed = sum(states.values())
        if not filed and not caused.get(p.id):
            continue
        counted, against = claims.get(p.id, 0), caused.get(p.id, 0)
        per_100 = round(against / counted * 100, 1) if counted else None
        rows.append([p.name, filed, counted, states.get("protected", 0),
                     states.get("review", 0), sum(states.get(s, 0) for s in ENDED),
                     states.get("refused", 0), against, per_100])
        source.append({"partner_id": p.id, "filed": filed, "claims": counted,
                       "states": states, "conflicts_caused": against,
                       "conflicts_per_100": per_100,
                       "refused_by_reason": {r: n for (pid, r), n in by_reason.items()
                                             if pid == p.id}})
    counts = Table(_("Per partner"), [
        _("Partner"), _("Number filed"), _("Claims"), _("Protected"), _("In review"),
        _("Ended"), _("Refused"), _("Conflicts"), _("Per 100")], rows,
        numeric=(1, 2, 3, 4, 5, 6, 7, 8),
        note=_("Statuses at the end of the period; ended: expired or released. Claims: the "
               "registrations filed, less those refused before any other partner's claim "
               "was looked at (a direct account, outside the territory, a cap). Conflicts: "
               "cases decided in the period against the partner; per 100: per 100 claims."))
    names = {p.id: p.name for p in partners}
    refused = Table(_("Refused by reason"), [_("Partner"), _("Reason"), _("Refused")],
                    [[name, str(REASON_LABELS[reason]), n] for pid, name in names.items()
                     for reason in REASONS if (n := by_reason.get((pid, reason)))],
                    numeric=(2,))
    return Section(_("Counts per partner"), tables=[counts, refused]), source


def _in_time(found: ConflictCase, at) -> str:
    """Was the case decided within its decision time (or is it open past it) at `at`?"""
    if found.decided_at is not None:
        return _("Yes") if found.decided_at <= found.due_at else _("No")
    return _("No, overdue") if found.due_at <= at else _("Not yet due")


def _cases_section(user, ids, begin, end, at) -> tuple[Section, list]:
    """The cases of partners `ids` opened or decided in [begin, end) that `user` sees; a
    party reads its own side by name and the other as "the other partner"."""
    found = db.session.execute(
        select(ConflictCase).where(
            visible(user, ConflictCase),
            or_(ConflictCase.holder_partner_id.in_(ids),
                ConflictCase.challenger_partner_id.in_(ids)),
            or_(and_(ConflictCase.opened_at >= begin, ConflictCase.opened_at < end),
                and_(ConflictCase.decided_at >= begin, ConflictCase.decided_at < end)))
        .order_by(ConflictCase.opened_at, ConflictCase.id)).scalars().all()
    mine = user.partner_id
    deciders = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({c.decided_by for c in found if c.decided_by}))).all()) \
        if mine is None else {}
    rows, reasons, source = [], [], []
    for c in found:
        side = cases.side_of(c, mine) if mine is not None else None
        sides = (("holder", c.holder), ("challenger", c.challenger))
        names = [registration.partner.name if side in (None, name)
                 else _("The other partner") for name, registration in sides]
        customer = (c.challenger if side == "challenger" else c.holder).name
        decision = str(DECISION_LABELS[c.decision]) if c.decision \
            else str(CASE_STATE_LABELS[c.state])
        rows.append([f"#{c.id}", customer, *names, local(c.opened_at), local(c.due_at),
                     local(c.decided_at) or decision, _in_time(c, at)])
        if c.decided_at is not None:
            decided_by = deciders.get(c.decided_by) if side is None \
                else str(SIDE_LABELS["principal"])
            reasons.append([f"#{c.id}", decision, decided_by, c.reason])
        source.append({"id": c.id, "customer": customer, "side": side,
                       **({"holder_partner_id": c.holder_partner_id,
                           "challenger_partner_id": c.challenger_partner_id}
                          if side is None else {}),
                       "state": c.state, "decision": c.decision, "reason": c.reason,
                       "opened_at": c.opened_at.isoformat(), "due_at": c.due_at.isoformat(),
                       "decided_at": c.decided_at.isoformat() if c.decided_at else None,
                       "in_time": None if c.decided_at is None
                       else c.decided_at <= c.due_at})
    decided = [c for c in found if c.decided_at is not None]
    in_time = sum(1 for c in decided if c.decided_at <= c.due_at)
    opened = Table(_("Conflict cases opened or decided in the period"), [
        _("Case"), _("Customer"), _("Holder"), _("Challenger"),
        _("Opened on"), _("Due"), _("Decided"), _("Decided in time")], rows,
        note=_("The decision time is the rule's, counted from the case's opening."))
    reasoned = Table(_("Decisions and their reasons"),
                     [_("Case"), _("Decision"), _("Decided by"), _("Reason")], reasons)
    key_figures = [(_("Cases"), len(found)), (_("Cases decided"), len(decided)),
                   (_("Decided within the decision time (%)"),
                    round(in_time / len(decided) * 100, 1) if decided else None)]
    return Section(_("Conflict cases"), figures=key_figures,
                   tables=[opened, reasoned]), source


@report("registrations", label=_l("Registrations and conflict cases"),
        description=_l("Customer registrations filed in a period with their status at its "
                       "end, each partner's counts and conflicts caused per 100 claims, and "
                       "the conflict cases opened or decided in it."),
        domain="registrations", rule="reports.partner", asks=("partner", "range"))
def build(user, params, progress) -> ReportData:
    partners = _partners(user, params)
    ids = [p.id for p in partners]
    begin, end = starts(params.start), starts(params.end + timedelta(days=1))
    at = min(end, now())
    period = period_of(params)
    scope = partners[0].name if params.partner_id is not None else _(
        "Every partner you may see (%(count)d)", count=len(partners))
    title = _("Registrations and conflict cases of %(partner)s, %(period)s", partner=scope,
              period=period) if params.partner_id is not None else _(
        "Registrations and conflict cases of every partner you may see, %(period)s",
        period=period)
    progress(15, "registrations")
    found = _registrations(user, ids, begin, end, at)
    by_state, by_reason = _counted(user, ids, begin, end, at)
    claims = figures.registrations_by_partner(begin, end, ids)
    caused = figures.conflicts_caused_by_partner(begin, end, ids)
    progress(40, "cases")
    conflicts, case_source = _cases_section(user, ids, begin, end, at)
    if not found and not case_source:
        return ReportData(title, scope, period, now(), empty=_(
            "No registration was filed and no conflict case opened or decided in this "
            "period."))
    progress(60, "tables")
    filed, filed_source = _filed_section(partners, found)
    counts, count_source = _counts_section(partners, by_state, by_reason, claims, caused)
    return ReportData(title, scope, period, now(), sections=[counts, filed, conflicts],
                      source={"registrations": {
                          "start": params.start.isoformat(), "end": params.end.isoformat(),
                          "status_at": at.isoformat(), "partners": count_source,
                          "filed": filed_source, "cases": case_source}})
