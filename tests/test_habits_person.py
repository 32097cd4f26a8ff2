"""The habits part of a person's record: the last 30 days from the roll-ups, for the
person and for those who read its figures only."""
from datetime import timedelta

from portal.core import clock
from portal.habits import person as habits_person
from tests.conftest import login
from tests.habiting import T0, customer, freeze, later, visit


def test_the_record_sums_the_last_30_days_with_rates_or_no_data(client, world):
    freeze(T0 - timedelta(days=40))
    old = customer(world.a.staff, "旧店")
    visit(world.a.staff, old)  # outside the 30 days
    freeze()
    shop = customer(world.a.staff)
    visit(world.a.staff, shop, next_step_on=T0.date())  # due today: its window is open
    visit(world.a.staff, shop, at=later(hours=1), decision_maker=False)
    login(client, world.a.manager)
    page = client.get(f"/people/{world.a.staff.id}").get_data(as_text=True)
    panel = page.split('id="person-habits"')[1].split("</section>")[0]
    assert 'id="habits-visits">2<' in panel and "1 · 50%" in panel
    assert 'id="habits-follow-ups">—<' in panel  # no follow-up window has closed yet
    figures = habits_person.last_days(world.a.staff, clock.today())
    assert figures["days_logged"] == 1 and figures["follow_up_rate"] is None


def test_only_the_person_and_readers_of_its_figures_get_the_panel(world):
    freeze()
    at = clock.now()
    assert habits_person.panels(world.a.staff, world.a.staff, at)  # its own
    assert habits_person.panels(world.a.owner, world.a.staff, at)
    assert not habits_person.panels(world.a.other_staff, world.a.staff, at)
    assert not habits_person.panels(world.b.owner, world.a.staff, at)
    assert not habits_person.panels(world.admin, world.admin, at)  # no partner: no habits


def test_the_home_page_shows_todays_visits_and_the_follow_ups_due(client, world):
    freeze(T0 - timedelta(days=2))
    late, due_today = customer(world.a.staff, "甲店"), customer(world.a.staff, "乙店")
    visit(world.a.staff, late, next_step_on=T0.date() - timedelta(days=1))
    visit(world.a.staff, due_today, next_step_on=T0.date())
    freeze()
    visit(world.a.staff, customer(world.a.staff, "丙店"))
    login(client, world.a.staff)
    page = client.get("/").get_data(as_text=True)
    panel = page.split('id="home-habits"')[1].split("</section>")[0]
    assert "1 次拜访，1 次有效" in panel and "待跟进：2" in panel
    assert panel.index("甲店") < panel.index("乙店")  # the overdue one first
    assert 'href="/habits/visits/new"' in panel
