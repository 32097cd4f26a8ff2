"""The isolation walk's scorecards (tests only; merged into `portal.scoring.walk`): a
criteria version judging last month (made here when none does), each side's scorecard
of last month computed from a team-health row, an open appeal with a reason and an
evidence file that only its own side may read, and a demotion waiting for review."""
from datetime import datetime, timezone

from sqlalchemy import func, select

from portal.core.clock import today
from portal.extensions import db
from portal.health.models import HealthMonth
from portal.org.walk import tag
from portal.results.months import add_months, first_of
from portal.scoring import appeals, compute
from portal.scoring.models import CriteriaSet, Criterion, Scorecard, TierChange

TIERS = [{"tier": "A", "min_total": 85.0, "min_each": 1.0},
         {"tier": "B", "min_total": 70.0, "min_each": 0.0},
         {"tier": "C", "min_total": 0.0, "min_each": 0.0}]


def _criteria_set(month):
    """A published version judging `month` (written as rows: publishing refuses the past)."""
    found = compute.set_for(month)
    if found is not None:
        return found
    version = (db.session.scalar(select(func.max(CriteriaSet.version))) or 0) + 1
    cset = CriteriaSet(version=version, effective_month=month, state="published",
                       tiers=TIERS, published_at=datetime(2020, 1, 1, tzinfo=timezone.utc))
    cset.criteria = [
        Criterion(position=0, code="walk_exams", name="考试覆盖率", group="enablement",
                  metric="exam_coverage", direction="higher", mapping="linear",
                  anchors={"zero": 0, "full": 100}, weight=60),
        Criterion(position=1, code="walk_acks", name="政策确认率", group="enablement",
                  metric="acknowledgement_rate", direction="higher", mapping="linear",
                  anchors={"zero": 50, "full": 100}, weight=40)]
    db.session.add(cset)
    db.session.flush()
    return cset


def _health(partner, month) -> None:
    subject = f"partner:{partner.id}"
    if db.session.execute(select(HealthMonth.id).where(
            HealthMonth.month == month, HealthMonth.subject == subject)).first() is None:
        db.session.add(HealthMonth(month=month, subject=subject, level="partner",
                                   partner_id=partner.id, exam_assigned=10, exam_covered=7,
                                   acks_due=4, acks_on_time=3))
        db.session.flush()


def build_cards(world) -> None:
    month = add_months(first_of(today()), -1)
    cset = _criteria_set(month)
    sides = (world.a, world.b)
    for side in sides:
        _health(side.partner, month)
    compute.compute_month(month, partner_ids=[s.partner.id for s in sides], trigger="walk")
    criterion = cset.criteria[0]
    for side in sides:
        card = db.session.execute(select(Scorecard).where(
            Scorecard.partner_id == side.partner.id, Scorecard.month == month)).scalar_one()
        side.scorecard = card
        side.appeal = appeals.file_appeal(
            side.owner, card, criterion.id,
            {"reason": tag("申诉理由", side), "claimed_value": "90"},
            (tag("申诉证据", side) + ".txt", tag("证据内容", side).encode()))
        side.appeal_message = side.appeal.messages[0]
        side.tier_change = TierChange(partner_id=side.partner.id, month=month,
                                      scorecard_id=card.id, from_tier=side.partner.tier,
                                      to_tier="C", state="pending")
        db.session.add(side.tier_change)
    db.session.flush()


ARGS = {"appeal_id": "appeal", "message_id": "appeal_message", "change_id": "tier_change"}


def markers(side) -> list[str]:
    return [side.appeal.reason, side.appeal_message.file_name]
