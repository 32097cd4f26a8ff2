"""The criteria catalogue's rules: versions numbered and copied, published only ahead of
the month they first judge and in order, checked in full (weights add up to 100,
anchors in the good direction, thresholds rising), frozen once they apply; a refused
change names its field and leaves every row as it was. Comments stay inside their
partner's thread.

Worked example for `set_for`: version 1 applies from 2026-01, version 2 (published in
December 2026) from 2027-01; so December 2026 is judged by version 1, January and every
later month by version 2, and December 2025 by none."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.access import visible
from portal.core.audit import AuditLog
from portal.core.errors import DomainError
from portal.extensions import db
from portal.scoring import criteria, criteria_comments
from portal.scoring.models import CriteriaComment, CriteriaSet, Criterion

NOW = datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
NEXT = date(2027, 1, 1)


@pytest.fixture(autouse=True)
def _clock(app):
    clock.set_now(NOW)


def linear(code="exam_coverage", metric="exam_coverage", weight=100, zero=40, full=90, **kw):
    return {"code": code, "name": kw.pop("name", f"准则{code}"), "metric": metric,
            "mapping": "linear", "anchors": {"zero": zero, "full": full}, "weight": weight,
            **kw}


def draft(admin, *rows, copy_of=None):
    cset = criteria.new_draft(admin, copy_of)
    for row in rows:
        criteria.save_criterion(admin, cset, row)
    db.session.commit()
    return cset


def published_set(admin, month=NEXT, *rows):
    cset = draft(admin, *(rows or (linear(),)))
    criteria.publish(admin, cset, month)
    db.session.commit()
    return cset


def in_force_set(admin, month=date(2026, 1, 1)):
    """A version applying since `month`: published back then."""
    with clock.frozen(datetime(month.year - (month.month == 1), (month.month - 2) % 12 + 1,
                               15, tzinfo=timezone.utc)):
        return published_set(admin, month)


def rows_of(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def refused(call, field: str, status: int = 400) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    db.session.rollback()
    assert caught.value.field == field, (caught.value.field, str(caught.value.message))
    assert caught.value.status == status
    return caught.value


# -- versions ---------------------------------------------------------------------------

def test_a_new_draft_is_the_next_version_and_copies_criteria_and_tiers(world):
    first = in_force_set(world.admin)
    first_tiers = list(first.tiers)
    copy = draft(world.admin, copy_of=first)
    assert copy.version == first.version + 1 and copy.state == "draft"
    assert [(c.code, c.weight, c.anchors) for c in copy.criteria] == [
        (c.code, c.weight, c.anchors) for c in first.criteria]
    assert copy.tiers == first_tiers
    assert {c.set_id for c in copy.criteria} == {copy.id}


def test_only_one_draft_is_open_at_a_time(world):
    draft(world.admin)
    refused(lambda: criteria.new_draft(world.admin), "draft", 409)
    assert rows_of(CriteriaSet) == 1


def test_each_month_is_judged_by_the_latest_version_begun_by_then(world):
    first = in_force_set(world.admin)
    second = published_set(world.admin, NEXT)
    assert criteria.set_for(date(2025, 12, 1)) is None
    assert criteria.set_for(date(2026, 12, 1)).id == first.id
    assert criteria.set_for(date(2026, 12, 31)).id == first.id
    assert criteria.set_for(NEXT).id == second.id
    assert criteria.set_for(date(2027, 6, 1)).id == second.id
    assert criteria.in_force(date(2026, 12, 7)).id == first.id
    assert [s.id for s in criteria.upcoming(date(2026, 12, 7))] == [second.id]
    assert criteria.standing(first, date(2026, 12, 7)) == "in_force"
    assert criteria.standing(second, date(2026, 12, 7)) == "upcoming"
    assert criteria.standing(first, date(2027, 1, 1)) == "past"


def test_a_draft_is_not_judging_any_month(world):
    draft(world.admin, linear())
    assert criteria.set_for(date(2030, 1, 1)) is None


def test_a_version_is_frozen_from_its_first_month(world):
    cset = published_set(world.admin)
    assert not criteria.is_frozen(cset, date(2026, 12, 31))
    assert criteria.is_frozen(cset, date(2027, 1, 1))
    assert not criteria.is_frozen(draft(world.admin), date(2040, 1, 1))


# -- publishing -------------------------------------------------------------------------

def test_publishing_a_complete_draft_ahead_of_its_month(world):
    cset = draft(world.admin, linear(weight=60), linear("csat", "csat", 40, 3, 4.5))
    criteria.publish(world.admin, cset, NEXT)
    db.session.commit()
    assert (cset.state, cset.effective_month, cset.published_by) == ("published", NEXT,
                                                                     world.admin.id)
    assert cset.published_at == NOW


@pytest.mark.parametrize("month", [date(2026, 12, 1), date(2026, 11, 1), date(2020, 1, 1)],
                         ids=["this-month", "last-month", "long-ago"])
def test_a_version_must_start_in_a_month_that_has_not_begun(world, month):
    cset = draft(world.admin, linear())
    error = refused(lambda: criteria.publish(world.admin, cset, month), "effective_month")
    assert "尚未开始的月份" in str(error.message)  # a month that has not begun
    assert db.session.get(CriteriaSet, cset.id).state == "draft"


def test_a_version_starts_on_a_months_first_day(world):
    cset = draft(world.admin, linear())
    refused(lambda: criteria.publish(world.admin, cset, date(2027, 1, 15)), "effective_month")
    refused(lambda: criteria.publish(world.admin, cset, None), "effective_month")


@pytest.mark.parametrize("month", [date(2027, 3, 1), date(2027, 2, 1)],
                         ids=["same-month", "earlier"])
def test_versions_stay_in_order(world, month):
    published_set(world.admin, date(2027, 3, 1))
    cset = draft(world.admin, linear())
    error = refused(lambda: criteria.publish(world.admin, cset, month), "effective_month")
    assert "新版本必须更晚开始" in str(error.message)  # must start later
    assert db.session.get(CriteriaSet, cset.id).state == "draft"


def test_weights_must_add_up_to_100_to_publish(world):
    cset = draft(world.admin, linear(weight=60), linear("csat", "csat", 30, 3, 4.5))
    error = refused(lambda: criteria.publish(world.admin, cset, NEXT), "weight")
    assert "90" in str(error.message)
    assert db.session.get(CriteriaSet, cset.id).state == "draft"


def test_a_version_needs_a_criterion_to_publish(world):
    cset = draft(world.admin)
    refused(lambda: criteria.publish(world.admin, cset, NEXT), "criteria")


def test_bad_tiers_refuse_publishing(world):
    cset = draft(world.admin, linear())
    cset.tiers = [{"tier": "B", "min_total": 70}, {"tier": "A", "min_total": 85}]
    db.session.commit()
    refused(lambda: criteria.publish(world.admin, cset, NEXT), "tiers")
    assert db.session.get(CriteriaSet, cset.id).state == "draft"


def test_a_published_version_is_not_published_again(world):
    cset = published_set(world.admin)
    refused(lambda: criteria.publish(world.admin, cset, date(2027, 5, 1)), "set", 409)
    assert db.session.get(CriteriaSet, cset.id).effective_month == NEXT


# -- criteria ---------------------------------------------------------------------------

@pytest.mark.parametrize("row", [
    linear(zero=90, full=40),                                  # higher is better, reversed
    linear(zero=40, full=40),                                  # no span
    linear("conflicts", "conflicts_per_100", zero=0, full=5),  # lower is better, reversed
    linear("response", "first_response_hours", direction="lower", zero=2, full=24),
    {**linear(), "mapping": "thresholds", "anchors": {"steps": [[80, 50], [60, 100]]}},
    {**linear(), "mapping": "thresholds", "anchors": {"steps": [[60, 100], [80, 50]]}},
    {**linear("conflicts", "conflicts_per_100"), "mapping": "thresholds",
     "anchors": {"steps": [[1, 50], [5, 100]]}},                # lower: must fall
    {**linear(), "mapping": "thresholds", "anchors": {"steps": [[60, 50], [60, 80]]}},
    {**linear(), "mapping": "thresholds", "anchors": {"steps": [[60, 150]]}},
    {**linear(), "mapping": "thresholds", "anchors": {"steps": []}},
    {**linear(), "mapping": "thresholds",
     "anchors": {"steps": [[n * 10, n * 10] for n in range(1, 8)]}},  # 7 steps
    linear(zero="abc"),
    linear(full=None),
], ids=["linear-higher-reversed", "linear-equal", "linear-lower-reversed",
        "linear-lower-forced", "thresholds-falling-points", "thresholds-higher-reversed",
        "thresholds-lower-reversed", "thresholds-repeated-value", "points-over-100",
        "no-steps", "seven-steps", "not-a-number", "missing"])
def test_anchors_in_the_wrong_order_are_refused_and_nothing_is_saved(world, row):
    cset = draft(world.admin)
    error = refused(lambda: criteria.save_criterion(world.admin, cset, row), "anchors")
    assert str(error.message)
    assert rows_of(Criterion) == 0


def test_anchors_in_the_good_direction_are_kept(world):
    cset = draft(world.admin, linear("conflicts", "conflicts_per_100", 50, zero=5, full=0),
                 {**linear(weight=50), "mapping": "thresholds",
                  "anchors": {"steps": [[50, 40], [70, 80], [90, 100]]}})
    by_code = {c.code: c for c in cset.criteria}
    assert by_code["conflicts"].direction == "lower"   # the metric's own direction
    assert by_code["conflicts"].group == "fairness"    # and group
    assert by_code["exam_coverage"].anchors == {"steps": [[50.0, 40.0], [70.0, 80.0],
                                                          [90.0, 100.0]]}


@pytest.mark.parametrize("change, field", [
    ({"metric": "visits_per_hour"}, "metric"), ({"metric": ""}, "metric"),
    ({"code": "Exam Coverage"}, "code"), ({"code": ""}, "code"), ({"name": " "}, "name"),
    ({"weight": 0}, "weight"), ({"weight": 101}, "weight"), ({"weight": "half"}, "weight"),
    ({"group": "luck"}, "group"), ({"direction": "sideways"}, "direction"),
    ({"mapping": "curve"}, "mapping"),
], ids=["unknown-metric", "no-metric", "bad-code", "no-code", "no-name", "weight-0",
        "weight-101", "weight-text", "group", "direction", "mapping"])
def test_a_bad_criterion_is_refused_on_its_field(world, change, field):
    cset = draft(world.admin)
    refused(lambda: criteria.save_criterion(world.admin, cset, {**linear(), **change}), field)
    assert rows_of(Criterion) == 0


def test_a_code_is_unique_in_its_version(world):
    cset = draft(world.admin, linear(weight=50))
    refused(lambda: criteria.save_criterion(world.admin, cset, linear(weight=50)), "code")
    assert rows_of(Criterion) == 1
    # The same code in another version is another criterion.
    criteria.save_weights(world.admin, cset, {cset.criteria[0].id: 100})
    criteria.publish(world.admin, cset, NEXT)
    db.session.commit()
    assert draft(world.admin, copy_of=cset).criteria[0].code == "exam_coverage"


def test_a_frozen_version_refuses_every_change(world):
    cset = in_force_set(world.admin)
    criterion = cset.criteria[0]
    before = (rows_of(Criterion), criterion.weight, list(cset.tiers))
    for call in (lambda: criteria.save_criterion(world.admin, cset, linear("new", weight=10)),
                 lambda: criteria.save_criterion(world.admin, cset, linear(full=80), criterion),
                 lambda: criteria.delete_criterion(world.admin, cset, criterion),
                 lambda: criteria.save_weights(world.admin, cset, {criterion.id: 100}),
                 lambda: criteria.save_tiers(world.admin, cset, [{"tier": "A", "min_total": 1}]),
                 lambda: criteria.save_note(world.admin, cset, "改一下")):
        error = refused(call, "set", 409)
        assert str(error.message) == "此版本已生效并冻结。"  # applies and is frozen
    cset = db.session.get(CriteriaSet, cset.id)
    assert (rows_of(Criterion), cset.criteria[0].weight, list(cset.tiers)) == before


def test_an_upcoming_version_may_change_but_stays_publishable(world):
    cset = published_set(world.admin)
    criterion = cset.criteria[0]
    # Its one criterion carries all the weight: lowering it alone, removing it, or
    # adding another on top would leave weights that do not add up to 100.
    refused(lambda: criteria.save_criterion(world.admin, cset, linear(weight=60), criterion),
            "weight")
    refused(lambda: criteria.delete_criterion(world.admin, cset, criterion), "criteria")
    refused(lambda: criteria.save_criterion(world.admin, cset, linear("csat", "csat", 40, 3, 5)),
            "weight")
    assert criteria.last_amended(cset) is None
    # Changing the anchors, or rebalancing all weights at once, is fine — and logged.
    criteria.save_criterion(world.admin, cset, linear(full=80), criterion)
    db.session.commit()
    assert criteria.last_amended(cset) == NOW
    assert db.session.get(Criterion, criterion.id).anchors == {"zero": 40.0, "full": 80.0}
    assert db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action == criteria.AMENDED)) == 1


def test_weights_are_rebalanced_together(world):
    cset = draft(world.admin, linear(weight=70), linear("csat", "csat", 30, 3, 4.5))
    criteria.publish(world.admin, cset, NEXT)
    db.session.commit()
    ids = [c.id for c in cset.criteria]
    refused(lambda: criteria.save_weights(world.admin, cset, {ids[0]: 50, ids[1]: 30}), "weight")
    refused(lambda: criteria.save_weights(world.admin, cset, {ids[0]: "x", ids[1]: 30}),
            f"weight_{ids[0]}")
    criteria.save_weights(world.admin, cset, {ids[0]: 50, ids[1]: 50})
    db.session.commit()
    assert [c.weight for c in db.session.get(CriteriaSet, cset.id).criteria] == [50, 50]


def test_tiers_are_checked(world):
    cset = draft(world.admin)
    refused(lambda: criteria.save_tiers(world.admin, cset, [
        {"tier": "A", "min_total": 60}, {"tier": "B", "min_total": 70}]), "tiers")
    refused(lambda: criteria.save_tiers(world.admin, cset, [
        {"tier": "A", "min_total": "many"}]), "tiers")
    refused(lambda: criteria.save_tiers(world.admin, cset, []), "tiers")
    assert db.session.get(CriteriaSet, cset.id).tiers == criteria.DEFAULT_TIERS


def test_a_draft_is_discarded_but_a_published_version_stays(world):
    cset = draft(world.admin, linear())
    criteria.discard_draft(world.admin, cset)
    db.session.commit()
    assert rows_of(CriteriaSet) == 0 and rows_of(Criterion) == 0
    kept = published_set(world.admin)
    refused(lambda: criteria.discard_draft(world.admin, kept), "set", 409)


# -- what changes -----------------------------------------------------------------------

def test_changes_list_criteria_added_removed_and_reweighted(world):
    first = in_force_set(world.admin)
    second = draft(world.admin, copy_of=first)
    criteria.save_criterion(world.admin, second, linear(weight=60, zero=50),
                            second.criteria[0])
    criteria.save_criterion(world.admin, second, linear("csat", "csat", 40, 3, 4.5))
    db.session.commit()
    found = {(c["kind"], c["code"]): c["fields"] for c in criteria.changes(first, second)}
    assert found == {("changed", "exam_coverage"): ["anchors", "weight"],
                     ("added", "csat"): []}
    assert criteria.baseline(second, date(2026, 12, 7)).id == first.id
    back = {(c["kind"], c["code"]) for c in criteria.changes(second, first)}
    assert ("removed", "csat") in back


# -- comments ---------------------------------------------------------------------------

def _seen(user, cset) -> set[str]:
    return set(db.session.execute(select(CriteriaComment.body).where(
        CriteriaComment.set_id == cset.id, visible(user, CriteriaComment))).scalars())


def test_a_partner_never_sees_another_partners_comments(world):
    cset = published_set(world.admin)
    criteria_comments.add_comment(world.a.owner, cset, "A的意见")
    b = criteria_comments.add_comment(world.b.manager, cset, "B的意见", "exam_coverage")
    criteria_comments.reply(world.admin, b, "回复B")
    criteria_comments.add_comment(world.admin, cset, "给所有代理商的说明")
    db.session.commit()
    assert b.partner_id == world.b.partner.id
    assert _seen(world.a.owner, cset) == {"A的意见", "给所有代理商的说明"}
    assert _seen(world.a.manager, cset) == {"A的意见", "给所有代理商的说明"}
    assert _seen(world.b.owner, cset) == {"B的意见", "回复B", "给所有代理商的说明"}
    assert _seen(world.cm, cset) == {"A的意见", "给所有代理商的说明"}  # assigned A only
    assert _seen(world.auditor, cset) == {"A的意见", "B的意见", "回复B", "给所有代理商的说明"}
    assert _seen(world.a.staff, cset) == set()


def test_a_channel_manager_comments_for_one_of_its_partners(world):
    cset = published_set(world.admin)
    refused(lambda: criteria_comments.add_comment(world.cm, cset, "意见", partner_id=world.b.partner.id),
            "partner_id")
    comment = criteria_comments.add_comment(world.cm, cset, "意见", partner_id=world.a.partner.id)
    assert comment.partner_id == world.a.partner.id


def test_comments_open_only_while_a_published_version_has_not_begun(world):
    upcoming = published_set(world.admin)
    comment = criteria_comments.add_comment(world.a.owner, upcoming, "意见")
    db.session.commit()
    refused(lambda: criteria_comments.add_comment(world.a.owner, draft(world.admin), "意见"), "body", 409)
    with clock.frozen(datetime(2027, 1, 1, 1, tzinfo=timezone.utc)):
        refused(lambda: criteria_comments.add_comment(world.a.owner, upcoming, "晚了"), "body", 409)
        refused(lambda: criteria_comments.reply(world.admin, comment, "晚了"), "body", 409)
    refused(lambda: criteria_comments.add_comment(world.a.owner, upcoming, "  "), "body")
    refused(lambda: criteria_comments.add_comment(world.a.owner, upcoming, "x", "nope"), "criterion_code")
    assert rows_of(CriteriaComment) == 1
