"""The effective-visit rule (有效拜访) as published data: versions with an effective
date, the one in force at a moment, a new version (never earlier than now, so it is
shown before it judges anyone), and the verdict of one visit part by part.

A verdict is a list of parts, each {"part", "ok", ...}: decision maker met, a next step,
a date for it, and the distance to the customer when the rule sets a limit and both
locations are known (otherwise the part says why it was not applied). The visit counts as
effective when every applied part holds."""
from datetime import datetime

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.core import versions as versions_kit
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db
from portal.habits.models import VisitRule

MAX_DISTANCE_LIMIT_M = 50_000


def _starts() -> list[tuple[datetime, int]]:
    """(effective from, id) of every version, latest first: read once per request (or
    CLI command) and kept in `g`, since a batch judges many visits and versions are few;
    `publish` drops it."""
    if "visit_rule_starts" not in g:
        g.visit_rule_starts = db.session.execute(
            select(VisitRule.effective_from, VisitRule.id)
            .order_by(VisitRule.effective_from.desc(), VisitRule.id.desc())).all()
    return g.visit_rule_starts


def in_force(at: datetime) -> VisitRule | None:
    """The version judging a visit made at `at`: the latest one effective by then."""
    for _attempt in range(2):
        found = next((ident for start, ident in _starts() if start <= at), None)
        rule = db.session.get(VisitRule, found) if found is not None else None
        if found is None or rule is not None:
            return rule
        g.pop("visit_rule_starts", None)  # a version rolled back since: read them again
    return None


def versions() -> list[VisitRule]:
    return versions_kit.versions(VisitRule)


def upcoming(at: datetime | None = None) -> VisitRule | None:
    """A published version not yet in force (the one people should read now)."""
    return db.session.execute(select(VisitRule).where(VisitRule.effective_from > (at or now()))
                              .order_by(VisitRule.effective_from).limit(1)).scalar_one_or_none()


def publish(actor, *, effective_from: datetime, needs_decision_maker: bool,
            needs_next_step: bool, needs_next_step_date: bool, max_distance_m: int | None,
            note: str = "") -> VisitRule:
    """A new version, effective from `effective_from` (not in the past, and after every
    version already published, so no visit is ever judged again)."""
    versions_kit.check_effective_from(VisitRule, effective_from)
    if max_distance_m is not None and not 10 <= max_distance_m <= MAX_DISTANCE_LIMIT_M:
        raise DomainError("max_distance_m", _l("Between 10 and 50,000 metres, or empty for "
                                               "no distance part."))
    if needs_next_step_date and not needs_next_step:
        raise DomainError("needs_next_step_date", _l("A date for the next step needs the "
                                                     "next step itself."))
    g.pop("visit_rule_starts", None)
    return versions_kit.add_version(
        VisitRule, actor, effective_from, needs_decision_maker=needs_decision_maker,
        needs_next_step=needs_next_step, needs_next_step_date=needs_next_step_date,
        max_distance_m=max_distance_m, note=(note or "").strip()[:2000])


def judge(rule: VisitRule | None, *, decision_maker: bool, next_step: str,
          next_step_on, distance_m: float | None) -> tuple[bool, list[dict]]:
    """(effective?, parts) of a visit under `rule`; no rule in force judges nothing
    effective and says so."""
    if rule is None:
        return False, [{"part": "rule", "ok": False, "why": "no_rule"}]
    parts = []
    if rule.needs_decision_maker:
        parts.append({"part": "decision_maker", "ok": bool(decision_maker)})
    if rule.needs_next_step:
        parts.append({"part": "next_step", "ok": bool((next_step or "").strip())})
    if rule.needs_next_step_date:
        parts.append({"part": "next_step_date", "ok": next_step_on is not None})
    if rule.max_distance_m is not None:
        if distance_m is None:
            parts.append({"part": "distance", "ok": None, "why": "no_location",
                          "limit": rule.max_distance_m})
        else:
            parts.append({"part": "distance", "ok": distance_m <= rule.max_distance_m,
                          "value": round(distance_m), "limit": rule.max_distance_m})
    return all(part["ok"] is not False for part in parts), parts
