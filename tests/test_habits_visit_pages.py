"""The visit page and the JSON calls its script makes (search, a new customer, the
rule's preview, saving with the device's id and time), its service worker, and the
salesperson's day: counts from the roll-ups, the streak, follow-ups due oldest first.

The clock stands at T0, Tuesday 2026-03-03 10:00 in Shanghai."""
import io
import json
from datetime import date, timedelta

import pytest
from PIL import Image
from sqlalchemy import func, select

from portal.core.files import path_of
from portal.extensions import db
from portal.habits import today
from portal.habits.models import Customer, FollowUp, HabitDay, Visit
from tests.conftest import login
from tests.habiting import HERE, NEAR, T0, TOWN_A, customer, freeze, visit

SAVE, PREVIEW, PAGE = "/habits/visits", "/habits/visits/preview", "/habits/visits/new"
SEARCH = "/habits/visits/customers"
MONDAY, TUESDAY = date(2026, 3, 2), date(2026, 3, 3)


def entry(target, **values) -> dict:
    """A visit as the page sends it: effective under rule 1 (decision maker met, a next
    step with a date), logged at T0 by the phone's clock."""
    body = {"client_id": "0c6f4e1a-5d1b-4a8e-9a57-3f1f0c2b9d10", "customer_id": target.id,
            "visited_at": "2026-03-03T10:00:00+08:00", "decision_maker": True,
            "outcome": "interested", "next_step": "送样品", "next_step_on": "2026-03-06",
            "note": "老板在店里"}
    body.update(values)
    return body


def stored(person=None) -> int:
    query = select(func.count()).select_from(Visit)
    if person is not None:
        query = query.where(Visit.user_id == person.id)
    return db.session.scalar(query)


def config(page) -> dict:
    text = page.get_data(as_text=True)
    start = text.index('id="visit-config">') + len('id="visit-config">')
    return json.loads(text[start:text.index("</script>", start)])


# --- the page -------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["staff", "manager", "owner"])
def test_the_visit_page_opens_for_the_partners_people(client, world, role):
    freeze()
    person = getattr(world.a, role)
    shop = customer(person, "湖滨水果店")
    login(client, person)
    page = client.get(PAGE)
    assert page.status_code == 200
    data = config(page)
    assert [c["name"] for c in data["customers"]] == ["湖滨水果店"]
    assert data["rules"][0] == {"version": 1, "from": data["rules"][0]["from"],
                                "decision_maker": True, "next_step": True,
                                "next_step_date": True, "max_distance_m": 300}
    assert data["customers"][0]["id"] == shop.id and data["user"] == person.id
    body = page.get_data(as_text=True)
    assert 'capture="environment"' in body and 'accept="image/*"' in body
    assert "上城区" in body or TOWN_A in body  # the territory's towns for a new customer
    assert client.get("/habits/today").status_code == 200


@pytest.mark.parametrize("role", ["admin", "cm", "auditor"])
def test_principal_roles_log_no_visits(client, world, role):
    login(client, getattr(world, role))
    assert client.get(PAGE).status_code == 403
    assert client.get("/habits/today").status_code == 403
    assert client.post(SAVE, json={}).status_code == 403


def test_the_page_carries_recent_and_own_customers_not_a_colleagues(client, world):
    """Offline picking uses what the page carries: the ones the person visited (most
    recent first) and the ones it looks after, never a colleague's book (search finds
    those online, and a follow-up link brings its own customer)."""
    freeze()
    mine, colleagues = customer(world.a.staff, "自己的店"), customer(world.a.other_staff, "同事的店")
    visited = customer(world.a.other_staff, "拜访过的店", town="330102003")
    visit(world.a.staff, visited)
    login(client, world.a.staff)
    names = [c["name"] for c in config(client.get(PAGE))["customers"]]
    assert names == ["拜访过的店", "自己的店"]
    linked = config(client.get(f"{PAGE}?customer_id={colleagues.id}&kind=follow_up"))
    assert colleagues.id in [c["id"] for c in linked["customers"]]
    foreign = customer(world.b.staff, "别家的店")
    assert foreign.id not in [c["id"] for c in config(
        client.get(f"{PAGE}?customer_id={foreign.id}"))["customers"]]
    assert mine.id in [c["id"] for c in linked["customers"]]


def test_search_finds_any_customer_of_the_partner_and_none_of_another(client, world):
    freeze()
    customer(world.a.other_staff, "杭州鲜果（西湖店）有限公司")
    customer(world.b.staff, "杭州鲜果滨江店")
    login(client, world.a.staff)
    found = client.get(SEARCH, query_string={"q": "鲜果"}).get_json()["customers"]
    assert [c["name"] for c in found] == ["杭州鲜果（西湖店）有限公司"]
    squashed = client.get(SEARCH, query_string={"q": "鲜果西湖"}).get_json()["customers"]
    assert len(squashed) == 1 and squashed[0]["visited"] is False
    assert client.get(SEARCH, query_string={"q": "100%_"}).get_json()["customers"] == []


def test_a_new_customer_in_two_fields_offers_its_look_alikes_first(client, world):
    freeze()
    login(client, world.a.staff)
    made = client.post(SEARCH, json={"name": "湖滨鲜果店", "town_code": TOWN_A})
    assert made.status_code == 201
    first = made.get_json()["customer"]
    assert db.session.get(Customer, first["id"]).owner_id == world.a.staff.id
    again = client.post(SEARCH, json={"name": "湖滨 鲜果店", "town_code": TOWN_A})
    assert again.status_code == 409 and again.get_json()["field"] == "name"
    assert [m["id"] for m in again.get_json()["matches"]] == [first["id"]]
    confirmed = client.post(SEARCH, json={"name": "湖滨 鲜果店", "town_code": TOWN_A,
                                          "confirm_duplicate": True})
    assert confirmed.status_code == 201
    outside = client.post(SEARCH, json={"name": "城外的店", "town_code": "330106002"})
    assert outside.status_code == 400 and outside.get_json()["field"] == "town_code"
    no_town = client.post(SEARCH, json={"name": "没有镇的店"})
    assert no_town.status_code == 400 and no_town.get_json()["field"] == "town_code"


# --- saving ---------------------------------------------------------------------------------
def test_a_visit_is_saved_once_whatever_the_retries(client, world):
    freeze()
    shop = customer(world.a.staff)
    login(client, world.a.staff)
    first = client.post(SAVE, json=entry(shop))
    assert first.status_code == 201
    body = first.get_json()
    assert body["created"] is True and body["effective"] is True and body["flagged"] is False
    assert body["kind"] == "first" and {p["part"] for p in body["parts"]} == {
        "decision_maker", "next_step", "next_step_date", "distance"}
    again = client.post(SAVE, json=entry(shop))
    assert again.status_code == 200
    assert again.get_json()["id"] == body["id"] and again.get_json()["created"] is False
    assert stored(world.a.staff) == 1
    saved = db.session.get(Visit, body["id"])
    assert saved.visited_at == T0 and saved.next_step_on == date(2026, 3, 6)
    day = db.session.execute(select(HabitDay).where(HabitDay.user_id == world.a.staff.id,
                                                    HabitDay.day == TUESDAY)).scalar_one()
    assert (day.visits, day.effective, day.first_visits) == (1, 1, 1)


def test_the_same_client_id_with_other_content_is_a_conflict(client, world):
    freeze()
    shop = customer(world.a.staff)
    login(client, world.a.staff)
    assert client.post(SAVE, json=entry(shop)).status_code == 201
    changed = client.post(SAVE, json=entry(shop, note="另一次拜访"))
    assert changed.status_code == 409
    assert changed.get_json()["field"] == "client_id" and changed.get_json()["message"]
    assert stored() == 1


@pytest.mark.parametrize("values, field, status", [
    ({"visited_at": "2026-03-03T10:30:00+08:00"}, "visited_at", 400),  # the future
    ({"visited_at": "2026-02-20T10:00:00+08:00"}, "visited_at", 400),  # too old
    ({"visited_at": "2026-03-03T10:00:00"}, "visited_at", 400),  # no offset
    ({"visited_at": "yesterday"}, "visited_at", 400),
    ({"next_step_on": "2026-03-01"}, "next_step_on", 400),
    ({"next_step_on": "06/03/2026"}, "next_step_on", 400),
    ({"outcome": "great"}, "outcome", 400),
    ({"note": 5}, "note", 400),
    ({"client_id": "x"}, "client_id", 400),
    ({"latitude": 30.2, "longitude": 120.1}, "accuracy_m", 400),
    ({"customer_id": True}, "customer_id", 400),
], ids=["future", "too-old", "no-offset", "not-a-time", "step-before-visit", "not-a-day",
        "outcome", "note-not-text", "client-id", "no-accuracy", "customer-not-a-number"])
def test_a_bad_visit_is_refused_with_its_field_and_nothing_stored(client, world, values,
                                                                 field, status):
    freeze()
    shop = customer(world.a.staff)
    login(client, world.a.staff)
    days = db.session.execute(select(HabitDay.day, HabitDay.visits)).all()
    refused = client.post(SAVE, json=entry(shop, **values))
    assert refused.status_code == status
    assert refused.get_json()["field"] == field and field in refused.get_json()["details"]
    assert stored() == 0
    assert db.session.execute(select(HabitDay.day, HabitDay.visits)).all() == days


def test_another_partners_customer_or_someone_elses_visit_is_refused(client, world):
    freeze()
    theirs, shop = customer(world.b.staff), customer(world.a.staff)
    login(client, world.a.staff)
    foreign = client.post(SAVE, json=entry(theirs))
    assert foreign.status_code == 400 and foreign.get_json()["field"] == "customer_id"
    for_colleague = client.post(SAVE, json=entry(shop, salesperson_id=world.a.other_staff.id))
    assert for_colleague.status_code == 403
    assert for_colleague.get_json()["field"] == "salesperson_id"
    assert client.post(SAVE, data="[1, 2]", content_type="application/json").status_code == 400
    assert stored() == 0


def test_a_logged_out_script_gets_json_not_the_login_page(client, world):
    answer = client.post(SAVE, json={})
    assert answer.status_code == 401 and answer.get_json()["error"] == "logged_out"


def test_the_preview_says_which_parts_hold_and_stores_nothing(client, world):
    freeze()
    shop = customer(world.a.staff)
    shop.latitude, shop.longitude = HERE
    db.session.commit()
    login(client, world.a.staff)
    near = client.post(PREVIEW, json=entry(shop, client_id=None, latitude=NEAR[0],
                                           longitude=NEAR[1], accuracy_m=12))
    assert near.status_code == 200
    body = near.get_json()
    parts = {p["part"]: p for p in body["parts"]}
    assert body["effective"] is True and body["kind"] == "first" and body["rule"] == 1
    assert parts["distance"]["ok"] is True and parts["distance"]["limit"] == 300
    assert 140 < parts["distance"]["value"] < 170 and 140 < body["distance_m"] < 170
    bare = client.post(PREVIEW, json=entry(shop, decision_maker=False, next_step_on=None))
    parts = {p["part"]: p["ok"] for p in bare.get_json()["parts"]}
    assert bare.get_json()["effective"] is False
    assert parts == {"decision_maker": False, "next_step": True, "next_step_date": False,
                     "distance": None}
    assert client.post(PREVIEW, json={"outcome": "interested"}).get_json()["field"] == \
        "customer_id"
    assert stored() == 0


def _jpeg_with_gps() -> bytes:
    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x0110] = "PhoneModel X"  # the camera model
    exif[0x0132] = "2026:03:03 10:00:00"  # when it was taken
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (30.0, 14.0, 45.6)  # where
    Image.new("RGB", (64, 48), (30, 120, 200)).save(picture, "JPEG", exif=exif)
    data = picture.getvalue()
    assert b"PhoneModel" in data and Image.open(io.BytesIO(data)).getexif()
    return data


def test_a_photo_sent_with_the_visit_is_stored_without_its_metadata(client, world):
    freeze()
    shop = customer(world.a.staff)
    login(client, world.a.staff)
    form = {key: str(value).lower() if isinstance(value, bool) else str(value)
            for key, value in entry(shop, salesperson_id=world.a.staff.id).items()}
    sent = client.post(SAVE, data={**form, "photo": (io.BytesIO(_jpeg_with_gps()), "shop.jpg")},
                       content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert sent.status_code == 201 and sent.get_json()["effective"] is True
    kept = path_of("visits", db.session.get(Visit, sent.get_json()["id"]).photo).read_bytes()
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG" and not image.getexif() and b"PhoneModel" not in kept
    assert b"Exif" not in kept


@pytest.mark.config(VISIT_PHOTO_MAX_BYTES=1000)
def test_a_photo_over_the_limit_is_refused_and_nothing_stored(client, world):
    freeze()
    shop = customer(world.a.staff)
    login(client, world.a.staff)
    form = {key: str(value) for key, value in entry(shop).items()}
    big = client.post(SAVE, data={**form, "photo": (io.BytesIO(b"\xff\xd8\xff" + b"0" * 5000),
                                                    "big.jpg")},
                      content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert big.status_code == 413 and big.get_json()["field"] == "photo"
    assert stored() == 0


def test_the_service_worker_may_cover_the_visit_pages(client, world):
    login(client, world.a.staff)
    script = client.get("/habits/visit-sw.js")
    assert script.status_code == 200
    assert script.headers["Service-Worker-Allowed"] == "/habits/"
    assert script.mimetype == "application/javascript"
    text = script.get_data(as_text=True)
    assets = json.loads(text.split("var VISIT_ASSETS = ", 1)[1].split(";\n", 1)[0])
    assert "/static/habits/visit.js" in assets
    assert any(a.startswith("/bootstrap/static/") and ".css" in a for a in assets)
    assert all(client.get(a).status_code == 200 for a in assets)
    assert 'var VISIT_PAGE = "/habits/visits/new"' in text


# --- the day --------------------------------------------------------------------------------
def _rows(person, days, visits=1):
    for day in days:
        db.session.add(HabitDay(user_id=person.id, day=day, partner_id=person.partner_id,
                                team_id=person.team_id, visits=visits))
    db.session.commit()


def test_the_streak_counts_business_days_with_a_visit_and_skips_sundays(world):
    """Fri 27 Feb, Sat 28 Feb, (Sunday 1 Mar skipped), Mon 2 Mar: three days; on Tuesday
    3 Mar before the first visit the streak still stands at three, with one it is four.
    A gap on Thursday 26 Feb ends it; a day row with no visits does not count."""
    staff, other = world.a.staff, world.a.other_staff
    _rows(staff, [date(2026, 2, 25), date(2026, 2, 27), date(2026, 2, 28), MONDAY])
    _rows(staff, [date(2026, 2, 26)], visits=0)
    assert today.streak(staff, TUESDAY) == 3
    _rows(staff, [TUESDAY])
    assert today.streak(staff, TUESDAY) == 4
    _rows(other, [date(2026, 2, 27), MONDAY])  # Saturday missing: Monday alone
    assert today.streak(other, TUESDAY) == 1
    assert today.streak(other, date(2026, 3, 4)) == 0  # Tuesday missing and over
    assert today.streak(world.a.manager, TUESDAY) == 0


def test_on_a_sunday_the_streak_runs_to_saturday(world):
    staff = world.a.staff
    _rows(staff, [date(2026, 3, 6), date(2026, 3, 7)])
    assert today.streak(staff, date(2026, 3, 8)) == 2
    assert today.streak(world.a.other_staff, date(2026, 3, 8)) == 0


def test_today_shows_the_counts_and_the_follow_ups_due_oldest_first(client, world):
    freeze(T0 - timedelta(days=6))
    staff = world.a.staff
    older, newer = customer(staff, "六天前的店"), customer(staff, "五天前的店", town="330102003")
    visit(staff, older, next_step_on=(T0 - timedelta(days=3)).date())
    freeze(T0 - timedelta(days=5))
    visit(staff, newer, next_step_on=(T0 - timedelta(days=4)).date())
    freeze()
    shop, other = customer(staff, "今天的店"), customer(staff, "没见到老板的店", town="330102003")
    visit(staff, shop, next_step_on=TUESDAY)  # its follow-up is due today
    visit(staff, other, decision_maker=False)  # not effective; due in three days
    due = today.due_follow_ups(staff, TUESDAY)
    assert [f.customer.name for f in due] == ["五天前的店", "六天前的店", "今天的店"]
    counts = today.counts(staff, TUESDAY)
    assert (counts.visits, counts.effective, counts.first_visits) == (2, 1, 2)
    assert (counts.follow_ups_due, counts.follow_ups_in_time) == (1, 0)
    assert today.streak(staff, TUESDAY) == 1  # Wednesday and Thursday had visits, not Monday
    login(client, staff)
    page = client.get("/habits/today").get_data(as_text=True)
    assert page.index("五天前的店") < page.index("六天前的店") < page.index("今天的店")
    assert f'/habits/visits/new?customer_id={newer.id}&amp;kind=follow_up' in page
    assert 'id="today-visits">2<' in page and 'id="today-effective">1<' in page


def test_a_follow_up_done_drops_off_the_list(client, world):
    freeze(T0 - timedelta(days=2))
    shop = customer(world.a.staff)
    visit(world.a.staff, shop, next_step_on=MONDAY)
    freeze()
    login(client, world.a.staff)
    assert "西湖鲜果店" in client.get("/habits/today").get_data(as_text=True)
    assert client.post(SAVE, json=entry(shop, kind="follow_up")).status_code == 201
    follow_up = db.session.execute(select(FollowUp)).scalar_one()
    assert follow_up.done_on == TUESDAY
    page = client.get("/habits/today").get_data(as_text=True)
    assert "due-item" not in page
