"""Helpers of the scoring tests: a published criteria set made directly from rows, and a
partner's month of team-health counts (what the enablement and results metrics read)."""
from datetime import date, datetime, timezone

from portal.core import clock
from portal.extensions import db
from portal.health.models import HealthMonth
from portal.scoring.compute import compute_month
from portal.scoring.models import CriteriaSet, Criterion

MARCH = date(2026, 3, 1)
AFTER = datetime(2026, 4, 10, 2, 0, tzinfo=timezone.utc)     # March is over
DURING = datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc)    # March under way
TIERS = [{"tier": "A", "min_total": 85, "min_each": 1},
         {"tier": "B", "min_total": 60, "min_each": 0},
         {"tier": "C", "min_total": 0, "min_each": 0}]


def criterion(code, metric, weight, zero, full, *, group="enablement", direction=None,
              mapping="linear", steps=None):
    direction = direction or ("higher" if full >= zero else "lower")
    anchors = {"steps": steps} if mapping == "thresholds" else {"zero": zero, "full": full}
    return Criterion(code=code, name=code, group=group, metric=metric, direction=direction,
                     mapping=mapping, anchors=anchors, weight=weight)


def criteria_set(*criteria, month=date(2026, 1, 1), tiers=TIERS, version=None):
    cset = CriteriaSet(version=version or (db.session.query(CriteriaSet).count() + 1),
                       effective_month=month, state="published", tiers=tiers,
                       published_at=datetime(2025, 12, 1, tzinfo=timezone.utc))
    for position, item in enumerate(criteria):
        item.position = position
        cset.criteria.append(item)
    db.session.add(cset)
    db.session.commit()
    return cset


def enablement_set(**kw):
    """Exam coverage 0–100 % (weight 60) and acknowledgements 50–100 % (weight 40)."""
    return criteria_set(criterion("exams", "exam_coverage", 60, 0, 100),
                        criterion("acks", "acknowledgement_rate", 40, 50, 100), **kw)


def health(partner, month=MARCH, **counts):
    """The partner's team-health row of `month` with these raw counts."""
    row = HealthMonth(month=month, subject=f"partner:{partner.id}", level="partner",
                      partner_id=partner.id, **counts)
    db.session.add(row)
    db.session.commit()
    return row


def compute(month=MARCH, at=AFTER, **kw):
    clock.set_now(at)
    run = compute_month(month, at=at, trigger="test", **kw)
    db.session.commit()
    return run
