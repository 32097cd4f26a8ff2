"""The criteria catalogue's operations: versions drafted, edited, published ahead of the
month they first judge and frozen from then on (partners' comments on a version and the
principal's replies live in `criteria_comments`).

Every operation checks everything before it writes anything (a refused change leaves
no row touched) and raises `DomainError` on the field at fault; none commits. A change
to a version that is published but not yet in force must leave it publishable (weights
still adding up to 100, every anchor valid), and lands in the audit log as an
"amend_criteria" event on the version, which is what its "changed on" date reads."""
import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from portal.core import audit
from portal.core.audit import AuditLog
from portal.core.clock import now, today
from portal.core.errors import DomainError
from portal.extensions import db
from portal.org.models import TIERS
from portal.results.months import add_months, first_of
from portal.scoring import mapping
from portal.scoring.metrics import METRICS
from portal.scoring.models import DIRECTIONS, GROUPS, MAPPINGS, CriteriaSet, Criterion

CODE = re.compile(r"[a-z0-9_]{1,32}")
MAX_STEPS = 6
# Version 1's gates when nothing is copied: A needs 85 points and no criterion at zero.
DEFAULT_TIERS = [{"tier": "A", "min_total": 85.0, "min_each": 1.0},
                 {"tier": "B", "min_total": 70.0, "min_each": 0.0},
                 {"tier": "C", "min_total": 0.0, "min_each": 0.0}]
FROZEN = _l("This version already applies and is frozen.")
AMENDED = "amend_criteria"


# -- reading ---------------------------------------------------------------------------

def versions() -> list[CriteriaSet]:
    """Every version, the newest first."""
    return list(db.session.execute(
        select(CriteriaSet).order_by(CriteriaSet.version.desc())).scalars())


def published() -> list[CriteriaSet]:
    """The published versions in the order they apply."""
    return list(db.session.execute(
        select(CriteriaSet).where(CriteriaSet.state == "published")
        .order_by(CriteriaSet.effective_month, CriteriaSet.version)).scalars())


def set_for(month: date) -> CriteriaSet | None:
    """The published version that judges `month`: the latest to have begun by then."""
    return db.session.execute(
        select(CriteriaSet).where(CriteriaSet.state == "published",
                                  CriteriaSet.effective_month <= first_of(month))
        .order_by(CriteriaSet.effective_month.desc(), CriteriaSet.version.desc())
        .limit(1)).scalar()


def in_force(day: date) -> CriteriaSet | None:
    """The version judging the month of `day`."""
    return set_for(first_of(day))


def upcoming(day: date) -> list[CriteriaSet]:
    """Published versions whose first month has not begun, the soonest first."""
    return [s for s in published() if s.effective_month > first_of(day)]


def open_draft() -> CriteriaSet | None:
    return db.session.execute(select(CriteriaSet).where(CriteriaSet.state == "draft")
                              .order_by(CriteriaSet.version.desc()).limit(1)).scalar()


def is_frozen(cset: CriteriaSet, day: date | None = None) -> bool:
    """Published and its first month has begun: nothing about it changes any more."""
    day = day or today()
    return cset.state == "published" and cset.effective_month <= first_of(day)


def standing(cset: CriteriaSet, day: date) -> str:
    """"draft", "upcoming", "in_force" or "past" on `day`."""
    if cset.state == "draft":
        return "draft"
    if cset.effective_month > first_of(day):
        return "upcoming"
    current = in_force(day)
    return "in_force" if current is not None and current.id == cset.id else "past"


def until(cset: CriteriaSet) -> date | None:
    """The first month the next published version judges instead, if one is published."""
    later = [s.effective_month for s in published()
             if s.effective_month > cset.effective_month]
    return min(later) if later else None


def baseline(cset: CriteriaSet, day: date) -> CriteriaSet | None:
    """What `cset` is compared with: the version in force for a draft or an upcoming
    one, otherwise the version it replaced."""
    if standing(cset, day) in ("draft", "upcoming"):
        current = in_force(day)
        if current is not None and current.id != cset.id:
            return current
    earlier = [s for s in published() if s.effective_month < cset.effective_month]
    return earlier[-1] if earlier else None


def last_amended(cset: CriteriaSet):
    """When a published version was last changed after its publication, or None."""
    if cset.published_at is None:
        return None
    return db.session.scalar(select(func.max(AuditLog.at)).where(
        AuditLog.object_type == "CriteriaSet", AuditLog.object_id == str(cset.id),
        AuditLog.action == AMENDED))


# -- drafts and their criteria ---------------------------------------------------------

def new_draft(actor, copy_of: CriteriaSet | None = None) -> CriteriaSet:
    """A new draft version (the highest version + 1), with the criteria and tiers of
    `copy_of` when given. One draft at a time: two would race to be next."""
    if open_draft() is not None:
        raise DomainError("draft", _l("A draft is already open: publish or discard it "
                                      "first."), 409)
    number = (db.session.scalar(select(func.max(CriteriaSet.version))) or 0) + 1
    cset = CriteriaSet(version=number, state="draft", created_by=actor.id,
                       effective_month=add_months(first_of(today()), 1),
                       tiers=[dict(g) for g in (copy_of.tiers if copy_of else DEFAULT_TIERS)],
                       note="")
    db.session.add(cset)
    for source in (copy_of.criteria if copy_of else []):
        cset.criteria.append(Criterion(
            position=source.position, code=source.code, name=source.name,
            description=source.description, group=source.group, metric=source.metric,
            direction=source.direction, mapping=source.mapping,
            anchors=dict(source.anchors or {}), weight=source.weight))
    db.session.flush()
    return cset


def discard_draft(actor, cset: CriteriaSet) -> None:
    """Delete a draft that is not wanted; a published version stays for good."""
    if cset.state != "draft":
        raise DomainError("set", _l("Only a draft can be discarded."), 409)
    db.session.delete(cset)
    db.session.flush()


def _open(cset: CriteriaSet) -> None:
    if is_frozen(cset):
        raise DomainError("set", FROZEN, 409)


def _text(values: dict, key: str, limit: int, required_message=None) -> str:
    text = (values.get(key) or "").strip()
    if required_message and not text:
        raise DomainError(key, required_message)
    if len(text) > limit:
        raise DomainError(key, _l("At most %(num)d characters.", num=limit))
    return text


def _weight(raw) -> int:
    try:
        weight = int(str(raw).strip())
    except (TypeError, ValueError):
        raise DomainError("weight", _l("Enter a whole number from 1 to 100.")) from None
    if not 1 <= weight <= 100:
        raise DomainError("weight", _l("Enter a whole number from 1 to 100."))
    return weight


def clean_criterion(cset: CriteriaSet, values: dict, criterion: Criterion | None = None) -> dict:
    """The criterion's columns from `values`, checked (`DomainError` on the field)."""
    code = (values.get("code") or "").strip()
    if not CODE.fullmatch(code):
        raise DomainError("code", _l("Use 1 to 32 lowercase letters, digits or _."))
    if any(c.code == code and c is not criterion for c in cset.criteria):
        raise DomainError("code", _l("Another criterion of this version has this code."))
    name = _text(values, "name", 120, _l("Give the criterion a name."))
    description = _text(values, "description", 2000)
    metric = METRICS.get(values.get("metric") or "")
    if metric is None:
        raise DomainError("metric", _l("Choose a metric from the list."))
    group = values.get("group") or metric.group
    if group not in GROUPS:
        raise DomainError("group", _l("Choose a group from the list."))
    direction = values.get("direction") or metric.direction
    if direction not in DIRECTIONS:
        raise DomainError("direction", _l("Choose higher or lower is better."))
    kind = values.get("mapping") or "linear"
    if kind not in MAPPINGS:
        raise DomainError("mapping", _l("Choose linear or thresholds."))
    anchors = values.get("anchors") or {}
    if kind == "thresholds" and len(anchors.get("steps") or []) > MAX_STEPS:
        raise DomainError("anchors", _l("At most %(num)d thresholds.", num=MAX_STEPS))
    anchors = mapping.check_anchors(direction, kind, anchors, metric.bounds)
    return {"code": code, "name": name, "description": description, "group": group,
            "metric": metric.code, "direction": direction, "mapping": kind,
            "anchors": anchors, "weight": _weight(values.get("weight"))}


def _check_published(cset: CriteriaSet, weights: list[int]) -> None:
    """A published version must stay publishable after a change."""
    if cset.state != "published":
        return
    if not weights:
        raise DomainError("criteria", _l("A published version needs at least one criterion."))
    mapping.check_weights(weights)


def _amended(cset: CriteriaSet, code: str, change: str) -> None:
    if cset.state == "published":
        audit.record(AMENDED, cset, after={"criterion": code, "change": change})


def save_criterion(actor, cset: CriteriaSet, values: dict,
                   criterion: Criterion | None = None) -> Criterion:
    """Add a criterion to `cset` (or change `criterion` of it)."""
    _open(cset)
    cleaned = clean_criterion(cset, values, criterion)
    _check_published(cset, [c.weight for c in cset.criteria if c is not criterion]
                     + [cleaned["weight"]])
    if criterion is None:
        criterion = Criterion(position=max((c.position for c in cset.criteria), default=0) + 1)
        cset.criteria.append(criterion)
    for key, value in cleaned.items():
        setattr(criterion, key, value)
    db.session.flush()
    _amended(cset, criterion.code, "save")
    return criterion


def delete_criterion(actor, cset: CriteriaSet, criterion: Criterion) -> None:
    """Take `criterion` out of `cset`."""
    _open(cset)
    _check_published(cset, [c.weight for c in cset.criteria if c is not criterion])
    code = criterion.code
    cset.criteria.remove(criterion)
    db.session.flush()
    _amended(cset, code, "delete")


def save_weights(actor, cset: CriteriaSet, weights: dict) -> None:
    """Set every criterion's weight at once ({criterion id: weight}): the way to
    rebalance a published version, whose weights must keep adding up to 100."""
    _open(cset)
    by_id = {c.id: c for c in cset.criteria}
    cleaned = {}
    for key, raw in weights.items():
        if key not in by_id:
            raise DomainError("weight", _l("Unknown criterion."))
        try:
            cleaned[key] = _weight(raw)
        except DomainError as error:
            raise DomainError(f"weight_{key}", error.message) from None
    if set(cleaned) != set(by_id):
        raise DomainError("weight", _l("Give every criterion a weight."))
    _check_published(cset, list(cleaned.values()))
    for key, weight in cleaned.items():
        by_id[key].weight = weight
    db.session.flush()
    _amended(cset, "", "weights")


def save_tiers(actor, cset: CriteriaSet, tiers: list[dict]) -> None:
    """The version's tiers and their gates, best first."""
    _open(cset)
    cleaned = mapping.check_tiers(tiers, TIERS)
    if not cleaned:
        raise DomainError("tiers", _l("Give the gates of at least one tier."))
    cset.tiers = cleaned
    db.session.flush()


def save_note(actor, cset: CriteriaSet, note: str) -> None:
    """What the version changes and why, in the principal's words."""
    _open(cset)
    cset.note = _text({"note": note}, "note", 4000)
    db.session.flush()


# -- publishing ------------------------------------------------------------------------

def check_set(cset: CriteriaSet) -> None:
    """Everything a version needs to be published (`DomainError` on the field)."""
    if not cset.criteria:
        raise DomainError("criteria", _l("Add at least one criterion before publishing."))
    mapping.check_weights([c.weight for c in cset.criteria])
    for criterion in cset.criteria:
        metric = METRICS.get(criterion.metric)
        if metric is None:
            raise DomainError("criteria", _l("Criterion %(code)s reads a metric that does "
                                             "not exist.", code=criterion.code))
        try:
            mapping.check_anchors(criterion.direction, criterion.mapping,
                                  criterion.anchors or {}, metric.bounds)
        except DomainError as error:
            raise DomainError("criteria", _l("Criterion %(code)s: %(why)s",
                                             code=criterion.code, why=error.message)) from None
    if not cset.tiers:
        raise DomainError("tiers", _l("Give the gates of at least one tier."))
    mapping.check_tiers(cset.tiers, TIERS)


def publish(actor, cset: CriteriaSet, effective_month: date | None) -> CriteriaSet:
    """Publish the draft `cset` to judge every month from `effective_month` (the first
    day of a month that has not begun, after every other published version's)."""
    if cset.state != "draft":
        raise DomainError("set", _l("This version is already published."), 409)
    if not isinstance(effective_month, date) or effective_month.day != 1:
        raise DomainError("effective_month", _l("Choose the first day of a month."))
    if effective_month <= first_of(today()):
        raise DomainError("effective_month", _l(
            "A version is published before it applies: choose a month that has not begun."))
    later = [s for s in published() if s.effective_month >= effective_month]
    if later:
        raise DomainError("effective_month", _l(
            "Version %(num)d already applies from %(month)s: a new version must start "
            "later.", num=later[-1].version, month=later[-1].effective_month.isoformat()))
    check_set(cset)
    cset.effective_month = effective_month
    cset.state = "published"
    cset.published_by = actor.id
    cset.published_at = now()
    db.session.flush()
    return cset


# -- what changed ----------------------------------------------------------------------

def changes(before: CriteriaSet | None, after: CriteriaSet) -> list[dict]:
    """What `after` changes compared with `before`: one row per criterion added,
    removed or changed ({"kind", "code", "name", "fields", "old", "new"}), and tiers."""
    if before is None:
        return []
    old = {c.code: c for c in before.criteria}
    new = {c.code: c for c in after.criteria}
    found = []
    for code, criterion in new.items():
        if code not in old:
            found.append({"kind": "added", "code": code, "name": criterion.name,
                          "new": criterion, "old": None, "fields": []})
            continue
        fields = [f for f in ("name", "metric", "group", "direction", "mapping", "anchors",
                              "weight")
                  if getattr(old[code], f) != getattr(criterion, f)]
        if fields:
            found.append({"kind": "changed", "code": code, "name": criterion.name,
                          "new": criterion, "old": old[code], "fields": fields})
    for code, criterion in old.items():
        if code not in new:
            found.append({"kind": "removed", "code": code, "name": criterion.name,
                          "new": None, "old": criterion, "fields": []})
    if list(before.tiers or []) != list(after.tiers or []):
        found.append({"kind": "tiers", "code": "", "name": "", "new": after.tiers,
                      "old": before.tiers, "fields": ["tiers"]})
    return found
