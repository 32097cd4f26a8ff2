"""The effective-visit rule's pages: everyone reads the version in force in plain words
(in Chinese and English), an upcoming version with its date and what it changes, and
the history; only an admin publishes, a bad version is a field error that stores
nothing, and a published one is announced to every partner person."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.habits import rules
from portal.habits.models import VisitRule
from portal.notify.models import Notification
from tests.conftest import login
from tests.habiting import T0, freeze

RULE_ONE_EN = ("A visit counts as effective when: the decision maker was met; a next step "
               "is recorded with its date; when both locations are known, it is within "
               "300 m of the customer")
RULE_ONE_ZH = "满足以下条件的拜访算作有效拜访：见到了决策人；记录了下一步及其日期；双方位置都已知时，距离客户不超过 300 米"


def _publish(world, days=2, **settings):
    values = {"needs_decision_maker": True, "needs_next_step": True,
              "needs_next_step_date": True, "max_distance_m": 300, **settings}
    version = rules.publish(world.admin, effective_from=T0 + timedelta(days=days), **values)
    db.session.commit()
    return version


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(VisitRule))


def _form(**changes):
    data = {"effective_from": "2026-03-05T09:00", "needs_decision_maker": "y",
            "needs_next_step": "y", "max_distance_m": "500", "note": "夜间拜访放宽"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("who", ["staff", "manager", "owner", "cm", "auditor", "admin"])
def test_everyone_reads_the_rule_in_force_in_plain_chinese(client, world, who):
    freeze()
    user = getattr(world.a, who, None) or getattr(world, who)
    login(client, user)
    page = client.get("/habits/rules/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert RULE_ONE_ZH in body and "自启用起生效：第 1 版" in body


def test_the_rule_reads_in_english_too(client, world):
    freeze()
    login(client, world.a.staff)
    client.post("/lang/en", data={"next": "/habits/rules/"})
    body = client.get("/habits/rules/").get_data(as_text=True)
    assert RULE_ONE_EN in body and "In force from the start: version 1" in body
    assert 'href="/habits/rules/new"' not in body  # only an admin sees the button


def test_the_words_follow_the_versions_settings(client, world):
    freeze()
    _publish(world, needs_decision_maker=False, needs_next_step_date=False,
             max_distance_m=None)
    login(client, world.a.staff)
    client.post("/lang/en", data={"next": "/"})
    body = client.get("/habits/rules/2").get_data(as_text=True)
    assert "A visit counts as effective when: a next step is recorded</p>" in body
    assert "decision maker was met" not in body
    assert "The distance to the customer does not count under this version." in body


def test_an_upcoming_version_is_shown_with_its_date_and_changes(client, world):
    freeze()
    _publish(world, days=2, needs_next_step_date=False, max_distance_m=500)
    login(client, world.a.staff)
    client.post("/lang/en", data={"next": "/"})
    body = client.get("/habits/rules/").get_data(as_text=True)
    upcoming = body[body.index('id="upcoming-2"'):body.index('id="rule-in-force"')]
    assert "Version 2 takes effect on 2026-03-05 10:00" in upcoming
    assert "What changes compared with version 1:" in upcoming
    assert "<li>The next step no longer needs a date.</li>" in upcoming
    assert "<li>The distance limit changes from 300 m to 500 m.</li>" in upcoming
    assert "decision maker" not in upcoming.split("What changes")[1]  # unchanged parts
    # Version 1 stays in force until then; the history shows both with their dates.
    assert "In force from the start: version 1" in body
    history = body[body.index('id="rule-history"'):]
    assert history.index("Version 2") < history.index("Version 1")
    assert "2026-03-05 10:00" in history and "Not yet in force" in history


def test_a_version_in_force_is_no_longer_upcoming(client, world):
    freeze(T0 + timedelta(days=3))
    rules.publish(world.admin, effective_from=T0 + timedelta(days=3, hours=1),
                  needs_decision_maker=False, needs_next_step=False,
                  needs_next_step_date=False, max_distance_m=None)
    db.session.commit()
    freeze(T0 + timedelta(days=4))
    login(client, world.a.owner)
    client.post("/lang/en", data={"next": "/"})
    body = client.get("/habits/rules/").get_data(as_text=True)
    assert 'id="upcoming-' not in body
    assert "In force since 2026-03-06 11:00: version 2" in body
    assert "Every visit logged counts as effective." in body


def test_an_unknown_version_is_not_found(client, world):
    login(client, world.a.staff)
    assert client.get("/habits/rules/1").status_code == 200
    assert client.get("/habits/rules/2").status_code == 404


@pytest.mark.parametrize("who", ["cm", "owner", "manager", "staff", "auditor"])
def test_only_an_admin_publishes_a_version(client, world, who):
    freeze()
    user = getattr(world.a, who, None) or getattr(world, who)
    login(client, user)
    assert client.get("/habits/rules/new").status_code == 403
    assert client.post("/habits/rules/new", data=_form()).status_code == 403
    assert _versions() == 1


def test_the_admin_form_starts_tomorrow_at_midnight_with_the_latest_settings(client, world):
    freeze()
    _publish(world, days=1, max_distance_m=800)
    login(client, world.admin)
    body = client.get("/habits/rules/new").get_data(as_text=True)
    assert 'value="2026-03-04T00:00"' in body and 'value="800"' in body


def test_a_past_date_is_a_field_error_and_nothing_is_stored(client, world):
    freeze()
    login(client, world.admin)
    client.post("/lang/en", data={"next": "/"})
    response = client.post("/habits/rules/new", data=_form(effective_from="2026-03-03T09:00"))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert 'data-field="effective_from">A rule takes effect from now on, never in the past.' \
        in body
    assert _versions() == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


@pytest.mark.parametrize("changes, field", [
    ({"max_distance_m": "5"}, "max_distance_m"),
    ({"max_distance_m": "lots"}, "max_distance_m"),
    ({"needs_next_step": None, "needs_next_step_date": "y"}, "needs_next_step_date"),
    ({"effective_from": ""}, "effective_from"),
    ({"effective_from": "tomorrow"}, "effective_from"),
])
def test_a_bad_version_names_its_field(client, world, changes, field):
    freeze()
    login(client, world.admin)
    response = client.post("/habits/rules/new", data=_form(**changes))
    assert response.status_code == 400
    tag = re.search(rf'<(input|textarea)[^>]*id="{field}"[^>]*>', response.get_data(as_text=True))
    assert "is-invalid" in tag.group(0)
    assert _versions() == 1


def test_publishing_tells_every_partner_person_when_it_takes_effect(client, world):
    freeze()
    login(client, world.admin)
    client.post("/lang/en", data={"next": "/"})  # the notice is in the portal's language
    response = client.post("/habits/rules/new", data=_form())
    assert response.status_code == 302 and response.location.endswith("/habits/rules/")
    version = db.session.execute(select(VisitRule).where(VisitRule.version == 2)).scalar_one()
    assert (version.needs_decision_maker, version.needs_next_step,
            version.needs_next_step_date, version.max_distance_m, version.note) == \
        (True, True, False, 500, "夜间拜访放宽")
    assert version.effective_from == T0 + timedelta(days=2, hours=-1)  # 09:00 Shanghai
    notes = db.session.execute(select(Notification)).scalars().all()
    partner_people = {p.id for side in (world.a, world.b)
                      for p in (side.owner, side.manager, side.staff, side.other_staff)}
    assert {n.user_id for n in notes} == partner_people and len(notes) == 8
    note = notes[0]
    assert note.category == "habits" and note.link == "/habits/rules/2"
    assert note.title == "有效拜访规则将于 2026-03-05 09:00 调整"
    assert "记录了下一步；" in note.body and "不超过 500 米" in note.body
    assert client.get("/habits/rules/").status_code == 200  # and the admin stays in English
    assert "Version 2 takes effect on" in client.get("/habits/rules/").get_data(as_text=True)
