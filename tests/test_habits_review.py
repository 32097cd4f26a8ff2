"""The review queue of flagged visits: a team lead sees its team's flags (never another
team's or another partner's), an owner its partner's, staff none; clearing or confirming
changes the flag, the visit's mark and the day's roll-up (always equal to a
recomputation), is audited, and happens once; nobody decides a flag of their own visit."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.core.audit import AuditLog
from portal.extensions import db
from portal.habits import rollups
from portal.habits.models import HabitDay
from portal.habits.review_routes import open_flag_count
from tests.conftest import login
from tests.habiting import FAR, HERE, T0, customer, freeze, visit


def _flagged(person, name):
    """A visit of `person` 7 km from where its customer was first met: flagged far."""
    shop = customer(person, name)
    visit(person, shop, at=T0 - timedelta(hours=3), where=HERE, note="第一次")
    far = visit(person, shop, where=FAR, note=f"{name}的远程拜访")
    assert [f.reason for f in far.flags] == ["far_from_customer"]
    return far.flags[0]


@pytest.fixture
def flags(world):
    freeze()
    return {"staff": _flagged(world.a.staff, "一组鲜果店"),
            "other_staff": _flagged(world.a.other_staff, "二组粮油店"),
            "manager": _flagged(world.a.manager, "组长便利店"),
            "b": _flagged(world.b.staff, "乙方超市")}


def _queue(client, **args):
    response = client.get("/habits/review/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _flagged_count(person) -> int:
    return db.session.execute(select(HabitDay.flagged).where(
        HabitDay.user_id == person.id, HabitDay.day == T0.date())).scalar_one()


def test_a_manager_sees_its_teams_flags_only(client, world, flags):
    login(client, world.a.manager)
    body = _queue(client)
    assert f'id="flag-{flags["staff"].id}"' in body and "一组鲜果店的远程拜访" in body
    assert f'id="flag-{flags["manager"].id}"' in body  # its own, to read, not to decide
    for other in ("other_staff", "b"):
        assert f'id="flag-{flags[other].id}"' not in body
    assert "二组粮油店" not in body and "乙方超市" not in body


def test_a_manager_cannot_decide_another_teams_or_partners_flag(client, world, flags):
    login(client, world.a.manager)
    for other in ("other_staff", "b"):
        response = client.post(f"/habits/review/{flags[other].id}", data={"state": "cleared"})
        assert response.status_code == 404
        db.session.refresh(flags[other])
        assert flags[other].state == "open"


def test_an_owner_sees_every_team_of_its_partner_and_no_other(client, world, flags):
    login(client, world.a.owner)
    body = _queue(client)
    for mine in ("staff", "other_staff", "manager"):
        assert f'id="flag-{flags[mine].id}"' in body
    assert "乙方超市" not in body
    assert client.post(f"/habits/review/{flags['b'].id}",
                       data={"state": "cleared"}).status_code == 404


@pytest.mark.parametrize("who", ["staff", "cm", "admin", "auditor"])
def test_only_owners_and_team_leads_review(client, world, flags, who):
    login(client, getattr(world.a, who, None) or getattr(world, who))
    assert client.get("/habits/review/").status_code == 403
    assert client.post(f"/habits/review/{flags['staff'].id}",
                       data={"state": "cleared"}).status_code == 403
    db.session.refresh(flags["staff"])
    assert flags["staff"].state == "open"


def test_clearing_a_flag_unmarks_the_visit_and_the_roll_up_follows(client, world, flags):
    flag = flags["staff"]
    assert _flagged_count(world.a.staff) == 1
    login(client, world.a.manager)
    response = client.post(f"/habits/review/{flag.id}",
                           data={"state": "cleared", "note": "客户搬了新店"})
    assert response.status_code == 302 and response.location.endswith("/habits/review/?state=open")
    db.session.refresh(flag)
    assert (flag.state, flag.decided_by, flag.decision_note) == \
        ("cleared", world.a.manager.id, "客户搬了新店")
    assert not flag.visit.flagged and _flagged_count(world.a.staff) == 0
    assert rollups.differences() == []
    entry = db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "VisitFlag", AuditLog.object_id == str(flag.id),
        AuditLog.action == "update")).scalar_one()
    assert entry.actor_id == world.a.manager.id and entry.after["state"] == "cleared"
    # Gone from the open queue, shown among the cleared with who decided and why.
    assert f'id="flag-{flag.id}"' not in _queue(client)
    cleared = _queue(client, state="cleared")
    assert f'id="flag-{flag.id}"' in cleared and "客户搬了新店" in cleared


def test_confirming_a_flag_keeps_the_visit_flagged(client, world, flags):
    flag = flags["other_staff"]
    login(client, world.a.owner)
    assert client.post(f"/habits/review/{flag.id}",
                       data={"state": "confirmed"}).status_code == 302
    db.session.refresh(flag)
    assert flag.state == "confirmed" and flag.decided_by == world.a.owner.id
    assert flag.visit.flagged and _flagged_count(world.a.other_staff) == 1
    assert rollups.differences() == []
    assert db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "VisitFlag", AuditLog.object_id == str(flag.id),
        AuditLog.action == "update")).scalar_one().after["state"] == "confirmed"


def test_a_second_decision_is_refused(client, world, flags):
    flag = flags["staff"]
    login(client, world.a.manager)
    client.post("/lang/en", data={"next": "/"})
    client.post(f"/habits/review/{flag.id}", data={"state": "confirmed"})
    again = client.post(f"/habits/review/{flag.id}", data={"state": "cleared"})
    assert again.status_code == 409
    assert "This flag was already decided." in again.get_data(as_text=True)
    db.session.refresh(flag)
    assert flag.state == "confirmed" and flag.visit.flagged
    assert rollups.differences() == []


def test_a_decision_needs_clear_or_confirm(client, world, flags):
    login(client, world.a.manager)
    client.post("/lang/en", data={"next": "/"})
    response = client.post(f"/habits/review/{flags['staff'].id}", data={"state": "maybe"})
    assert response.status_code == 400
    assert "Choose clear or confirm." in response.get_data(as_text=True)
    db.session.refresh(flags["staff"])
    assert flags["staff"].state == "open" and flags["staff"].decided_by is None


def test_a_manager_never_decides_a_flag_of_its_own_visit(client, world, flags):
    flag = flags["manager"]
    login(client, world.a.manager)
    body = _queue(client)
    card = body[body.index(f'id="flag-{flag.id}"'):]
    card = card[:card.index("</li>")]
    assert "/habits/review/" not in card  # no decision form for its own visit
    assert client.post(f"/habits/review/{flag.id}",
                       data={"state": "cleared"}).status_code == 403
    db.session.refresh(flag)
    assert flag.state == "open"
    # The owner decides it.
    owner = client.application.test_client()
    login(owner, world.a.owner)
    assert owner.post(f"/habits/review/{flag.id}",
                       data={"state": "cleared"}).status_code == 302


def test_the_queue_filters_by_reason_and_says_what_the_flag_saw(client, world, flags):
    login(client, world.a.manager)
    client.post("/lang/en", data={"next": "/"})
    body = _queue(client, reason="far_from_customer")
    metres = round(flags["staff"].detail["metres"])
    assert f"{metres} m from the customer&#39;s location" in body
    assert f'id="flag-{flags["staff"].id}"' not in _queue(client, reason="reused_photo")
    # Unknown filters fall back to the open queue of every reason.
    assert f'id="flag-{flags["staff"].id}"' in _queue(client, state="nonsense", reason="x")


def test_the_open_flag_count_leaves_out_ones_own_visits(world, flags):
    assert open_flag_count(world.a.manager) == 1  # the staff's, not its own
    assert open_flag_count(world.a.owner) == 3
    assert open_flag_count(world.a.staff) == 0
    assert open_flag_count(world.b.owner) == 1
