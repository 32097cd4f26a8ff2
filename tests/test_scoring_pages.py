"""The scorecard pages: the month's list (filters, CSV, the empty state before any
criteria), one partner's scorecard explained line by line (no data, the gap in words,
the criteria version, rank among the tier), recomputing an open month (refused for a
frozen one), the what-if that moves a copy and stores nothing, tier reviews; and who may
see what: another partner's owner, a channel manager of other partners, staff.

The scored month (hand-computed): exam coverage 0–100 % weighs 60, acknowledgements
50–100 % weigh 40. A covers 6 of 8 people (75 % -> 75 points) and acknowledges 9 of 10
(90 % -> 80 points): 75 × .6 + 80 × .4 = 77, tier B (60); A needs 85, 8 points short,
which exam coverage alone closes at 75 + 8 / .6 = 88.33 %."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.health.models import HealthMonth
from portal.scoring.models import Scorecard, ScoreLine, ScoringRun, TierChange
from tests.conftest import login
from tests.scoring import MARCH, compute, criteria_set, criterion, enablement_set, health

CARD = "/scoring/partners/{}/scorecard?month=2026-03"


@pytest.fixture
def scored(world):
    """March scored for A (77 points) and B (no exams: acknowledgements alone)."""
    enablement_set()
    health(world.a.partner, exam_assigned=8, exam_covered=6, acks_due=10, acks_on_time=9)
    health(world.b.partner, exam_assigned=0, exam_covered=0, acks_due=4, acks_on_time=4)
    compute()
    return world


def card_of(partner, month=MARCH):
    db.session.expire_all()
    return db.session.execute(select(Scorecard).where(
        Scorecard.partner_id == partner.id, Scorecard.month == month)).scalar_one_or_none()


def page(client, user, url):
    client.post("/logout")
    login(client, user)
    return client.get(url)


def test_the_scorecard_explains_each_line_the_gap_and_the_version(client, scored):
    r = page(client, scored.a.owner, CARD.format(scored.a.partner.id))
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert 'id="card-total">77<' in body
    assert "6 人已参考 / 8 人应考" in body
    assert 'href="/scoring/criteria/' in body                    # the version that made it
    # The gap in words: 8 points short of A; exam coverage alone from 75 % to 88.33 %.
    assert "88.33%" in body and "75%" in body
    assert 'data-gate="A"' in body


def test_a_criterion_without_data_says_it_was_left_out(client, scored):
    body = page(client, scored.admin, CARD.format(scored.b.partner.id)).get_data(as_text=True)
    assert "no-data" in body
    assert 'id="card-total">100<' in body


def test_page_reads_in_english_too(client, scored):
    login(client, scored.a.owner)
    client.post("/lang/en", data={"next": "/"})
    body = client.get(CARD.format(scored.a.partner.id)).get_data(as_text=True)
    assert "points short of tier A" in body
    assert "Raising" in body


def test_owner_cannot_see_other_partner_scorecard(client, scored):
    assert page(client, scored.a.owner, CARD.format(scored.b.partner.id)).status_code == 404
    assert page(client, scored.a.owner,
                f"/scoring/partners/{scored.b.partner.id}/whatif").status_code == 404


def test_channel_manager_sees_only_its_partners(client, scored):
    assert page(client, scored.cm, CARD.format(scored.a.partner.id)).status_code == 200
    assert page(client, scored.cm, CARD.format(scored.b.partner.id)).status_code == 404
    body = client.get("/scoring/scorecards?month=2026-03").get_data(as_text=True)
    assert scored.a.partner.name in body and scored.b.partner.name not in body


@pytest.mark.parametrize("who", ["staff", "manager"])
def test_staff_and_team_leads_read_no_scorecard(client, scored, who):
    user = getattr(scored.a, who)
    assert page(client, user, CARD.format(scored.a.partner.id)).status_code == 403
    assert client.get("/scoring/scorecards").status_code == 403


def test_the_list_filters_sorts_and_exports(client, scored, make):
    r = page(client, scored.admin, "/scoring/scorecards?month=2026-03")
    body = r.get_data(as_text=True)
    assert body.index(scored.b.partner.name) < body.index(scored.a.partner.name)  # 100, 77
    body = client.get("/scoring/scorecards?month=2026-03&q=代理商A").get_data(as_text=True)
    assert scored.a.partner.name in body and scored.b.partner.name not in body
    body = client.get("/scoring/scorecards?month=2026-03&earned=A").get_data(as_text=True)
    assert scored.b.partner.name in body and scored.a.partner.name not in body
    csv = client.get("/scoring/scorecards.csv?month=2026-03")
    assert csv.status_code == 200 and csv.data.startswith("\ufeff".encode())
    assert "代理商A" in csv.get_data(as_text=True) and "77" in csv.get_data(as_text=True)


def test_the_list_opens_on_the_latest_month_and_owners_go_to_their_own(client, scored):
    body = page(client, scored.auditor, "/scoring/scorecards").get_data(as_text=True)
    assert scored.a.partner.name in body
    r = page(client, scored.a.owner, "/scoring/scorecards")
    assert r.status_code == 302
    assert r.headers["Location"].endswith(f"/scoring/partners/{scored.a.partner.id}/scorecard")


def test_an_owner_s_links_lead_to_its_own_card_and_only_readers_of_many_search(
        client, scored):
    def links_and_search(user):
        text = page(client, user, "/scoring/appeals").get_data(as_text=True)
        nav = text[text.index('id="scoring-links"'):]
        return nav[:nav.index("</nav>")], 'name="q"' in text

    own = f'href="/scoring/partners/{scored.a.partner.id}/scorecard"'
    links, search = links_and_search(scored.a.owner)
    assert own in links and 'href="/scoring/scorecards"' not in links and not search
    links, search = links_and_search(scored.cm)
    assert 'href="/scoring/scorecards"' in links and own not in links and search


def test_the_owner_s_home_shows_its_latest_card_and_team_leads_the_version_ahead(
        client, scored):
    def part(user, marker):
        text = page(client, user, "/").get_data(as_text=True)
        if marker not in text:
            return None
        found = text[text.index(marker):]
        return " ".join(found[:found.index("</p>")].split())

    mine = part(scored.a.owner, 'id="home-scorecard"')
    assert "77 分" in mine and f"/scoring/partners/{scored.a.partner.id}/scorecard" in mine
    assert f"/scoring/partners/{scored.b.partner.id}/" not in mine
    assert part(scored.a.manager, 'id="home-scorecard"') is None   # team leads: no card
    assert part(scored.a.manager, 'id="home-criteria-ahead"') is None
    ahead = criteria_set(criterion("acks", "acknowledgement_rate", 100, 50, 100),
                         month=date(2026, 5, 1))
    for user in (scored.a.owner, scored.a.manager):
        notice = part(user, 'id="home-criteria-ahead"')
        assert f"/scoring/criteria/{ahead.id}#comments" in notice and "还有 21 天" in notice
    assert part(scored.a.staff, 'id="home-scoring-title"') is None  # staff are not scored


def test_before_any_criteria_the_list_says_so(client, world):
    body = page(client, world.admin, "/scoring/scorecards").get_data(as_text=True)
    assert 'id="scorecards-empty"' in body and 'href="/scoring/criteria/"' in body


def test_recompute_recomputes_an_open_month(client, scored):
    row = db.session.execute(select(HealthMonth).where(
        HealthMonth.partner_id == scored.a.partner.id)).scalar_one()
    row.exam_covered = 8
    db.session.commit()
    clock.set_now(datetime(2026, 3, 25, 2, tzinfo=timezone.utc))
    r = page(client, scored.cm, CARD.format(scored.a.partner.id))
    assert 'id="recompute-form"' in r.get_data(as_text=True)
    r = client.post(f"/scoring/partners/{scored.a.partner.id}/recompute",
                    data={"month": "2026-03"})
    assert r.status_code == 302
    assert card_of(scored.a.partner).total == 92                  # 100 × .6 + 80 × .4
    run = db.session.execute(select(ScoringRun).order_by(ScoringRun.id.desc())).scalars().first()
    assert run.trigger == "button" and run.started_by == scored.cm.id


def test_recompute_is_refused_for_a_frozen_month(client, scored):
    compute(close=True)
    before = card_of(scored.a.partner).computed_at
    login(client, scored.admin)
    r = client.post(f"/scoring/partners/{scored.a.partner.id}/recompute",
                    data={"month": "2026-03"})
    assert r.status_code == 409 and 'id="card-problem"' in r.get_data(as_text=True)
    assert card_of(scored.a.partner).computed_at == before


@pytest.mark.parametrize("who", ["owner", "auditor"])
def test_only_the_principal_recomputes(client, scored, who):
    user = scored.a.owner if who == "owner" else scored.auditor
    runs = db.session.scalar(select(func.count()).select_from(ScoringRun))
    login(client, user)
    r = client.post(f"/scoring/partners/{scored.a.partner.id}/recompute",
                    data={"month": "2026-03"})
    assert r.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ScoringRun)) == runs


def test_a_channel_manager_cannot_recompute_another_partner(client, scored):
    login(client, scored.cm)
    r = client.post(f"/scoring/partners/{scored.b.partner.id}/recompute",
                    data={"month": "2026-03"})
    assert r.status_code == 404


def whatif(client, partner, **values):
    query = "&".join(f"c_{k}={v}" for k, v in values.items())
    return client.get(f"/scoring/partners/{partner.id}/whatif?month=2026-03&run=1&{query}")


def test_what_if_moves_a_copy_of_the_score_and_stores_nothing(client, scored):
    lines = db.session.scalar(select(func.count()).select_from(ScoreLine))
    login(client, scored.a.owner)
    r = whatif(client, scored.a.partner, exams="100", acks="90")
    body = r.get_data(as_text=True)
    assert r.status_code == 200
    assert 'id="whatif-current-total">77<' in body and 'id="whatif-total">92<' in body
    assert 'id="whatif-tier">A<' in body
    assert card_of(scored.a.partner).total == 77
    assert db.session.scalar(select(func.count()).select_from(ScoreLine)) == lines


def test_what_if_blank_is_no_data(client, scored):
    login(client, scored.a.owner)
    body = whatif(client, scored.a.partner, exams="", acks="90").get_data(as_text=True)
    assert 'id="whatif-total">80<' in body


@pytest.mark.parametrize("raw, message", [("abc", "Enter a number"), ("120", "between"),
                                          ("-1", "between")])
def test_what_if_checks_each_value_on_its_field(client, scored, raw, message):
    login(client, scored.a.owner)
    client.post("/lang/en", data={"next": "/"})
    r = whatif(client, scored.a.partner, exams=raw, acks="90")
    assert r.status_code == 400
    body = r.get_data(as_text=True)
    assert 'data-field="c_exams"' in body and message in body
    assert 'id="whatif-result"' not in body


def test_what_if_opens_for_the_auditor_but_not_for_staff(client, scored):
    assert page(client, scored.auditor,
                f"/scoring/partners/{scored.a.partner.id}/whatif?month=2026-03").status_code == 200
    assert page(client, scored.a.staff,
                f"/scoring/partners/{scored.a.partner.id}/whatif").status_code == 403


@pytest.fixture
def demotion(scored):
    """A was tier A when March closed and earned B: the demotion waits for a person."""
    scored.a.partner.tier = "A"
    db.session.commit()
    compute(close=True)
    change = db.session.execute(select(TierChange).where(
        TierChange.partner_id == scored.a.partner.id)).scalar_one()
    assert (change.state, change.to_tier) == ("pending", "B")
    return change


def test_a_demotion_waits_for_a_review_with_a_reason(client, scored, demotion):
    body = page(client, scored.cm, "/scoring/tiers").get_data(as_text=True)
    assert scored.a.partner.name in body and "review-form" in body
    r = client.post(f"/scoring/tiers/{demotion.id}/review", data={"decision": "kept"})
    assert r.status_code == 400
    db.session.expire_all()
    assert demotion.state == "pending" and scored.a.partner.tier == "A"
    r = client.post(f"/scoring/tiers/{demotion.id}/review",
                    data={"decision": "confirmed", "reason": "连续两月未达标"})
    assert r.status_code == 302
    db.session.expire_all()
    assert demotion.state == "confirmed" and scored.a.partner.tier == "B"
    again = client.post(f"/scoring/tiers/{demotion.id}/review",
                        data={"decision": "kept", "reason": "再改"})
    assert again.status_code == 409
    db.session.expire_all()
    assert demotion.state == "confirmed" and scored.a.partner.tier == "B"


def test_tier_reviews_are_the_partners_channel_manager_s(client, scored, demotion, make):
    other_cm = make.person("channel_manager")
    body = page(client, other_cm, "/scoring/tiers").get_data(as_text=True)
    assert scored.a.partner.name not in body
    r = client.post(f"/scoring/tiers/{demotion.id}/review",
                    data={"decision": "kept", "reason": "x"})
    assert r.status_code == 404
    for reader in (scored.auditor, scored.a.owner):
        body = page(client, reader, "/scoring/tiers").get_data(as_text=True)
        assert scored.a.partner.name in body and "review-form" not in body
        r = client.post(f"/scoring/tiers/{demotion.id}/review",
                        data={"decision": "kept", "reason": "x"})
        assert r.status_code == 403
    db.session.expire_all()
    assert demotion.state == "pending"


def test_the_csv_holds_only_the_scorecards_in_reach(client, scored):
    csv = page(client, scored.cm, "/scoring/scorecards.csv?month=2026-03").get_data(as_text=True)
    assert scored.a.partner.name in csv and scored.b.partner.name not in csv
    assert page(client, scored.a.staff, "/scoring/scorecards.csv").status_code == 403


def test_staff_read_no_tier_changes(client, scored):
    assert page(client, scored.a.staff, "/scoring/tiers").status_code == 403
    assert page(client, scored.a.manager, "/scoring/appeals").status_code == 403


def test_recomputing_a_month_that_has_not_begun_is_refused(client, scored):
    runs = db.session.scalar(select(func.count()).select_from(ScoringRun))
    login(client, scored.admin)
    r = client.post(f"/scoring/partners/{scored.a.partner.id}/recompute",
                    data={"month": "2026-06"})
    assert r.status_code == 400 and 'id="card-problem"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScoringRun)) == runs
