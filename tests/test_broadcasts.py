"""Broadcast services: audience resolution, scheduling by the clock, supersede and
re-acknowledge, idempotent acknowledgement, comprehension checks, sanitising, and
publishing in a bounded number of statements."""
from datetime import timedelta

import pytest
from sqlalchemy import event, func, insert, select

from portal.auth.models import User
from portal.broadcasts import services
from portal.org.audience import audience_query, normalise_spec, preview
from portal.core.errors import DomainError
from portal.broadcasts.models import Broadcast, Receipt
from portal.core import clock
from portal.core.markdown import render_markdown
from portal.extensions import db
from portal.org.models import Territory
from tests.broadcasting import DRAFT, T0, freeze, later, publish


def _ids(spec):
    return {row.id for row in db.session.execute(audience_query(normalise_spec(spec)))}


def _people(side):
    return {side.owner.id, side.manager.id, side.staff.id, side.other_staff.id}


def test_empty_audience_reaches_every_active_partner_person(world):
    assert _ids({}) == _people(world.a) | _people(world.b)


def test_audience_by_province_and_by_city_through_territory(world, make):
    jiangsu = make.partner("江苏代理", province="32")
    js_staff = make.person("staff", jiangsu)
    ningbo = make.partner("宁波代理", province="44")
    nb_staff = make.person("staff", ningbo)
    db.session.add(Territory(partner_id=ningbo.id, region_code="330203"))
    db.session.commit()
    assert _ids({"provinces": ["32"]}) == {js_staff.id}
    # Based in Guangdong, but its territory lies in Zhejiang's Ningbo.
    assert _ids({"cities": ["3302"]}) == {nb_staff.id}
    assert nb_staff.id in _ids({"provinces": ["33"]})
    assert _ids({"cities": ["3301"]}) == _people(world.a) | _people(world.b)


def test_audience_by_tier_structure_named_partner_and_role(world, make):
    tight = make.partner("紧密代理", tier="A", structure="tight")
    boss = make.person("owner", tight)
    assert _ids({"tiers": ["A"]}) == {boss.id}
    assert _ids({"structures": ["tight"]}) == {boss.id}
    assert _ids({"partner_ids": [world.b.partner.id]}) == _people(world.b)
    assert _ids({"roles": ["owner"]}) == {world.a.owner.id, world.b.owner.id, boss.id}
    assert _ids({"partner_ids": [world.a.partner.id], "roles": ["manager", "staff"]}) == {
        world.a.manager.id, world.a.staff.id, world.a.other_staff.id}


def test_audience_leaves_out_inactive_people_and_partners(world):
    world.a.staff.active = False
    world.b.partner.status = "suspended"
    db.session.commit()
    assert _ids({}) == _people(world.a) - {world.a.staff.id}


def test_unknown_audience_values_are_refused(world):
    for spec in ({"provinces": ["99"]}, {"cities": ["33"]}, {"tiers": ["Z"]},
                 {"roles": ["admin"]}, {"partner_ids": [99999]}, {"colour": ["red"]},
                 {"partner_ids": ["x"]}):
        with pytest.raises(DomainError) as error:
            normalise_spec(spec)
        assert error.value.field == "audience"
    assert normalise_spec({"roles": ["staff", "owner", "staff"]})["roles"] == ["owner", "staff"]


def test_preview_counts_by_partner_and_role(world):
    counts = preview(normalise_spec({"roles": ["staff", "owner"]}))
    assert counts["total"] == 6
    rows = {(r["partner_name"], r["role"]): r["count"] for r in counts["rows"]}
    assert rows == {("代理商A", "owner"): 1, ("代理商A", "staff"): 2,
                    ("代理商B", "owner"): 1, ("代理商B", "staff"): 2}


def test_refused_broadcasts_store_nothing(world):
    freeze()
    bad = [({"title": "  "}, "title"), ({"category": "gossip"}, "category"),
           ({"audience": {"partner_ids": [world.a.partner.id], "roles": ["owner"],
                          "tiers": ["A"]}}, "audience"),
           ({"publish_at": T0 - timedelta(minutes=5)}, "publish_at"),
           ({"requires_ack": True, "ack_deadline": T0 - timedelta(hours=1)}, "ack_deadline"),
           ({"questions": [{"text": "?", "options": ["only one"], "correct": 0}]}, "questions"),
           ({"questions": [{"text": "?", "options": ["a", "b"], "correct": 2}]}, "questions"),
           ({"title": "a\x00b"}, "title")]
    for change, field in bad:
        fields = {"title": "新政策", "body_md": "正文", "category": "policy", "audience": {},
                  "publish_at": T0, **change}
        with pytest.raises(DomainError) as error:
            services.create_broadcast(world.cm, **fields)
        assert error.value.field == field, change
        db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Broadcast)).scalar() == 0
    assert db.session.execute(select(func.count()).select_from(Receipt)).scalar() == 0


def test_a_draft_has_no_receipts_and_a_series(world):
    draft = publish(world.admin, at=DRAFT)
    assert draft.publish_at is None and draft.recipient_count == 0
    assert draft.series_id == draft.id and draft.version == 1
    assert db.session.execute(select(func.count()).select_from(Receipt)).scalar() == 0


def test_scheduled_broadcast_appears_at_its_time_without_any_job(world):
    freeze()
    scheduled = publish(world.admin, at=T0 + timedelta(hours=2))
    assert scheduled.recipient_count == 8
    assert db.session.execute(services.inbox_query(world.a.staff)).all() == []
    assert services.inbox_counts(world.a.staff) == (0, 0)
    later(hours=2)
    rows = db.session.execute(services.inbox_query(world.a.staff)).all()
    assert [b.id for b, _r in rows] == [scheduled.id]
    assert services.inbox_counts(world.a.staff) == (1, 0)


def test_inbox_filters_unread_and_unacknowledged(world):
    freeze()
    notice = publish(world.admin, category="notice", title="通知")
    policy = publish(world.admin, requires_ack=True, title="政策")
    assert services.inbox_counts(world.a.staff) == (2, 1)
    services.open_broadcast(world.a.staff, notice)
    db.session.commit()
    unread = db.session.execute(services.inbox_query(world.a.staff, unread=True)).all()
    unacked = db.session.execute(services.inbox_query(world.a.staff, unacked=True)).all()
    assert [b.id for b, _r in unread] == [policy.id]
    assert [b.id for b, _r in unacked] == [policy.id]
    assert services.inbox_counts(world.a.staff) == (1, 1)


def test_acknowledging_twice_keeps_the_first_time(world):
    freeze()
    policy = publish(world.admin, requires_ack=True)
    first = services.acknowledge(world.a.staff, policy).acked_at
    db.session.commit()
    later(hours=3)
    again = services.acknowledge(world.a.staff, policy)
    db.session.commit()
    assert again.acked_at == first == T0
    assert again.opened_at == T0  # acknowledging also counts as opening
    assert services.inbox_counts(world.a.staff) == (0, 0)


def test_opening_keeps_the_first_time(world):
    freeze()
    notice = publish(world.admin, category="notice")
    services.open_broadcast(world.b.staff, notice)
    later(minutes=10)
    assert services.open_broadcast(world.b.staff, notice).opened_at == T0


def test_only_recipients_acknowledge_and_only_once_visible(world):
    freeze()
    only_b = publish(world.admin, audience={"partner_ids": [world.b.partner.id]}, requires_ack=True)
    with pytest.raises(DomainError):
        services.acknowledge(world.a.staff, only_b)
    soon = publish(world.admin, at=T0 + timedelta(hours=1), requires_ack=True)
    with pytest.raises(DomainError):
        services.acknowledge(world.a.staff, soon)


def test_comprehension_check_gates_the_acknowledgement(world):
    freeze()
    policy = publish(world.admin, requires_ack=True, questions=[
        {"text": "保护期多少天?", "options": ["30", "90"], "correct": 1},
        {"text": "谁来报备?", "options": ["销售", "老板", "客户"], "correct": 0}])
    for wrong in ([1, 1], [1], None, [1, None], [0, 0]):
        with pytest.raises(DomainError) as error:
            services.acknowledge(world.a.staff, policy, wrong)
        assert error.value.field == "answers"
        missing = wrong is None or len(wrong) < 2 or None in wrong
        assert ("回答所有问题" in str(error.value.message)) == missing
        db.session.commit()
    receipt = services.receipt_for(world.a.staff, policy)
    assert receipt.acked_at is None and receipt.check_failures == 2  # only wrong answers
    assert services.acknowledge(world.a.staff, policy, [1, 0]).acked_at == T0


def test_superseding_asks_everyone_to_acknowledge_again(world):
    freeze()
    old = publish(world.admin, requires_ack=True, title="价格政策 v1")
    services.acknowledge(world.a.staff, old)
    db.session.commit()
    later(days=1)
    new = services.supersede(old, world.admin, title="价格政策 v2", body_md="新价格")
    db.session.commit()
    assert (new.version, new.series_id, new.supersedes_id) == (2, old.series_id, old.id)
    assert old.superseded_by_id == new.id
    assert new.publish_at == clock.now() and new.recipient_count == 8
    rows = db.session.execute(services.inbox_query(world.a.staff)).all()
    assert [b.id for b, _r in rows] == [new.id]  # the old version left the inbox
    assert services.inbox_counts(world.a.staff) == (1, 1)
    assert services.acked_version(world.a.staff, new) == 1
    assert services.current_version(old).id == new.id
    with pytest.raises(DomainError):
        services.acknowledge(world.a.manager, old)  # only the current version counts
    with pytest.raises(DomainError):
        services.supersede(old, world.cm, title="again")


def test_a_new_version_keeps_the_attachments_unless_told_otherwise(world):
    freeze()
    pdf = ("规则.pdf", b"%PDF-1.4 rules")
    old = publish(world.admin, attachments=[pdf, ("附表.txt", "纯文本".encode())])
    kept = services.supersede(old, world.cm)
    db.session.commit()
    assert [a.filename for a in kept.attachments] == ["规则.pdf", "附表.txt"]
    assert kept.attachments[0].stored_name == old.attachments[0].stored_name
    fewer = services.supersede(kept, world.cm, keep_attachments=[kept.attachments[1].id])
    db.session.commit()
    assert [a.filename for a in fewer.attachments] == ["附表.txt"]


def test_a_scheduled_new_version_replaces_the_old_only_when_it_appears(world):
    freeze()
    old = publish(world.admin, requires_ack=True)
    new = services.supersede(old, world.cm, publish_at=T0 + timedelta(hours=1))
    db.session.commit()
    assert [b.id for b, _r in db.session.execute(services.inbox_query(world.a.staff))] == [old.id]
    later(hours=1)
    assert [b.id for b, _r in db.session.execute(services.inbox_query(world.a.staff))] == [new.id]


def test_editing_a_scheduled_broadcast_rewrites_its_receipts(world):
    freeze()
    scheduled = publish(world.admin, at=T0 + timedelta(days=1))
    services.update_broadcast(scheduled, title="只给A", audience={
        "partner_ids": [world.a.partner.id]}, publish_at=T0 + timedelta(days=1))
    db.session.commit()
    holders = set(db.session.execute(select(Receipt.user_id).where(
        Receipt.broadcast_id == scheduled.id)).scalars())
    assert holders == _people(world.a) and scheduled.recipient_count == 4
    later(days=1)
    with pytest.raises(DomainError):
        services.update_broadcast(scheduled, title="太晚了")


@pytest.mark.parametrize("markdown, forbidden", [
    ("<script>alert(1)</script>正文", ["<script", "alert(1)"]),
    ('<img src="x" onerror="alert(1)">', ["onerror"]),
    ("[点我](javascript:alert(1))", ["javascript:"]),
    ('<a href="#" onclick="steal()">x</a>', ["onclick"]),
    ("<iframe src='https://evil.example'></iframe>", ["<iframe"]),
    ("<style>body{display:none}</style>", ["<style"]),
])
def test_markdown_is_sanitised(markdown, forbidden):
    html = render_markdown(markdown)
    for bad in forbidden:
        assert bad not in html


def test_markdown_keeps_formatting_and_safe_links():
    html = render_markdown("**重点**\n\n- 一\n- 二\n\n[手册](https://example.cn/a)")
    assert "<strong>重点</strong>" in html and "<li>一</li>" in html
    assert 'href="https://example.cn/a"' in html and 'rel="noopener noreferrer"' in html


def test_publishing_500_people_takes_a_bounded_number_of_statements(world):
    freeze()
    rows = [{"username": f"bulk{i}", "display_name": f"员工{i}", "password_hash": "x",
             "role": "staff", "partner_id": world.a.partner.id, "team_id": world.a.team.id,
             "active": True, "created_at": T0} for i in range(500)]
    db.session.execute(insert(User), rows)
    db.session.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(db.engine, "before_cursor_execute", count)
    try:
        draft = publish(world.admin, at=DRAFT, audience={"partner_ids": [world.a.partner.id]})
        statements.clear()
        assert services.publish(draft, T0) == 504
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert 2 <= len(statements) < 10, statements
    assert db.session.execute(select(func.count()).select_from(Receipt)).scalar() == 504
