"""The order and payment pages: who sees which orders (staff their own, a team lead its
team's, an owner the partner's, a channel manager its partners', nobody another
partner's), filters with totals summed over the filtered set, recording an order once
however often the form is sent, bad input refused on its field with nothing stored,
payments never above what is open, and the CSV exports."""
import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.results.models import Order, Payment
from tests.conftest import login
from tests.habiting import customer, freeze
from tests.resulting import fen, order, payment

ORDERS, PAYMENTS = "/results/orders/", "/results/payments/"


def _as(app, user):
    """A client logged in as `user` (a login does not replace another one)."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def english(client):
    client.post("/lang/en", data={"next": "/"})


def _listed(body: str, what: str = "order") -> set[int]:
    return {int(n) for n in re.findall(rf'data-{what}="(\d+)"', body)}


def _count(model=Order) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _totals(body: str) -> dict[str, str]:
    return dict(re.findall(r'data-total="(\w+)">([^<]*)<', body))


def _field_error(body: str, name: str) -> str:
    found = re.search(rf'data-field="{name}">([^<]*)<', body)
    return found.group(1) if found else ""


@pytest.fixture
def book(world):
    """Orders of partner A's staff (its team), of the other team's staff, and of B."""
    freeze()
    mine = customer(world.a.staff, "甲店")
    colleague = customer(world.a.other_staff, "乙店")
    theirs = customer(world.b.staff, "丙店")
    return {"mine": order(world.a.staff, mine, "1200", product_line="饮料"),
            "colleague": order(world.a.other_staff, colleague, "800", product_line="粮油"),
            "theirs": order(world.b.staff, theirs, "500")}


@pytest.mark.parametrize("who, seen", [
    ("staff", {"mine"}), ("manager", {"mine"}), ("owner", {"mine", "colleague"}),
    ("cm", {"mine", "colleague"}), ("admin", {"mine", "colleague", "theirs"}),
    ("auditor", {"mine", "colleague", "theirs"}), ("owner_b", {"theirs"}),
])
def test_each_role_lists_exactly_the_orders_it_may_see(app, world, book, who, seen):
    user = {"cm": world.cm, "admin": world.admin, "auditor": world.auditor,
            "owner_b": world.b.owner}.get(who) or getattr(world.a, who)
    client = _as(app, user)
    page = client.get(ORDERS)
    assert page.status_code == 200
    assert _listed(page.get_data(as_text=True)) == {book[k].id for k in seen}
    export = client.get(ORDERS + "export.csv").get_data(as_text=True)
    assert {name for name in ("甲店", "乙店", "丙店") if name in export} == {
        book[k].customer.name for k in seen}


@pytest.mark.parametrize("who, whose", [
    ("staff", "colleague"), ("staff", "theirs"), ("manager", "colleague"),
    ("owner", "theirs"), ("cm", "theirs")])
def test_an_order_outside_the_viewers_scope_is_not_found(app, world, book, who, whose):
    client = _as(app, world.cm if who == "cm" else getattr(world.a, who))
    assert client.get(f"{ORDERS}{book[whose].id}").status_code == 404
    assert client.get(f"{ORDERS}2000000000").status_code == 404


def test_an_order_shows_its_payments_and_offers_one_while_open(app, world, book):
    mine = book["mine"]
    payment(world.a.staff, "200", of=mine, note="首付")
    staff = _as(app, world.a.staff)
    page = staff.get(f"{ORDERS}{mine.id}").get_data(as_text=True)
    assert "首付" in page and "¥200.00" in page and "¥1,000.00" in page
    assert f'href="/results/payments/new?order_id={mine.id}"' in page
    assert f'href="/habits/customers/{mine.customer_id}"' in page
    # The channel manager reads it but records nothing; a paid order offers no payment.
    page = _as(app, world.cm).get(f"{ORDERS}{mine.id}").get_data(as_text=True)
    assert "首付" in page and 'id="order-pay"' not in page
    payment(world.a.staff, "1000", of=mine)
    assert 'id="order-pay"' not in staff.get(f"{ORDERS}{mine.id}").get_data(as_text=True)


def test_filters_narrow_the_list_and_the_totals_add_up_the_filtered_orders(app, world):
    freeze()
    staff, manager = world.a.staff, world.a.manager
    shop, other = customer(staff, "西湖鲜果店"), customer(manager, "湖滨超市")
    today = clock.today()
    early = order(staff, shop, "100.50", on=today - timedelta(days=10), product_line="饮料")
    late = order(staff, other, "2000", on=today - timedelta(days=1), product_line="粮油")
    lead = order(manager, other, "300", on=today, product_line="饮料")
    payment(staff, "1500", of=late)
    client = _as(app, world.a.owner)

    def listed(query):
        body = client.get(ORDERS + "?" + query).get_data(as_text=True)
        return _listed(body), _totals(body)
    ids, totals = listed("")
    assert ids == {early.id, late.id, lead.id}
    assert totals == {"count": "3", "revenue": "¥2,400.50", "paid": "¥1,500.00",
                      "open": "¥900.50"}
    ids, totals = listed(f"start={(today - timedelta(days=2)).isoformat()}")
    assert ids == {late.id, lead.id} and totals["revenue"] == "¥2,300.00"
    assert listed(f"end={(today - timedelta(days=5)).isoformat()}")[0] == {early.id}
    assert listed(f"salesperson_id={manager.id}")[0] == {lead.id}
    assert listed("product_line=饮料")[1] == {"count": "2", "revenue": "¥400.50",
                                              "paid": "¥0.00", "open": "¥400.50"}
    assert listed("q=湖滨")[0] == {late.id, lead.id}
    assert listed("start=not-a-day&salesperson_id=x")[0] == {early.id, late.id, lead.id}
    empty = client.get(ORDERS + "?q=没有这家").get_data(as_text=True)
    assert 'id="orders-empty"' in empty and 'id="order-totals"' not in empty


def test_a_principal_filters_by_the_partners_it_may_see(app, world, book):
    client = _as(app, world.cm)
    page = client.get(ORDERS).get_data(as_text=True)
    assert 'name="partner_id"' in page and world.b.partner.name not in page
    assert _listed(client.get(f"{ORDERS}?partner_id={world.b.partner.id}").get_data(
        as_text=True)) == {book["mine"].id, book["colleague"].id}
    admin = _as(app, world.admin)
    assert _listed(admin.get(f"{ORDERS}?partner_id={world.b.partner.id}").get_data(
        as_text=True)) == {book["theirs"].id}
    assert 'name="partner_id"' not in _as(app, world.a.owner).get(ORDERS).get_data(
        as_text=True)


def test_an_empty_list_invites_the_first_order(app, world):
    page = _as(app, world.a.staff).get(ORDERS).get_data(as_text=True)
    assert 'id="orders-empty"' in page and 'href="/results/orders/new"' in page
    page = _as(app, world.auditor).get(ORDERS).get_data(as_text=True)
    assert 'id="orders-empty"' in page and 'href="/results/orders/new"' not in page


# --- recording an order -----------------------------------------------------------------
def _order_form(client, query=""):
    page = client.get("/results/orders/new" + query)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    return body, re.search(r'name="client_id" type="hidden" value="([0-9a-f]{32})"',
                           body).group(1)


def test_the_new_order_form_stores_one_order_however_often_it_is_sent(app, world):
    freeze()
    shop = customer(world.a.staff, "西湖鲜果店")
    client = _as(app, world.a.staff)
    english(client)
    body, client_id = _order_form(client, f"?customer_id={shop.id}")
    assert f'<option selected value="{shop.id}">' in body
    assert 'name="salesperson_id"' not in body  # staff record their own
    form = {"client_id": client_id, "customer_id": shop.id, "ordered_on": "2026-03-02",
            "amount": "1,280.50", "product_line": "饮料", "note": "首单"}
    first = client.post("/results/orders/new", data=form)
    assert "Order saved." in client.get(first.headers["Location"]).get_data(as_text=True)
    again = client.post("/results/orders/new", data=form)
    stored = db.session.scalars(select(Order)).one()
    assert first.headers["Location"] == again.headers["Location"] == f"{ORDERS}{stored.id}"
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "This order was already saved." in page and "首单" in page
    assert (stored.amount_fen, stored.salesperson_id, stored.developed) == (
        fen("1280.50"), world.a.staff.id, True)
    # A fresh form is a fresh entry.
    _body, other_id = _order_form(client)
    assert other_id != client_id


@pytest.mark.parametrize("change, field, words", [
    ({"amount": "-5"}, "amount", "above 0"),
    ({"amount": "12.345"}, "amount", "two"),
    ({"ordered_on": "2026-03-04"}, "ordered_on", "future"),
    ({"ordered_on": "2026-02-30"}, "ordered_on", "date"),
    ({"customer_id": "theirs"}, "customer_id", "customer of your partner"),
    ({"customer_id": "99999999999999999999"}, "customer_id", "customer of your partner"),
    ({"note": "x" * 501}, "note", "500"),
])
def test_bad_input_is_refused_on_its_field_and_stores_nothing(app, world, change, field,
                                                               words):
    freeze()
    shop, theirs = customer(world.a.staff, "西湖鲜果店"), customer(world.b.staff, "丙店")
    client = _as(app, world.a.staff)
    english(client)
    _body, client_id = _order_form(client)
    form = {"client_id": client_id, "customer_id": shop.id, "ordered_on": "2026-03-03",
            "amount": "100", **change}
    if form["customer_id"] == "theirs":
        form["customer_id"] = theirs.id
    answer = client.post("/results/orders/new", data=form)
    assert answer.status_code == 400 and _count() == 0
    body = answer.get_data(as_text=True)
    assert words in _field_error(body, field), body[body.find("invalid-feedback"):][:300]
    assert client_id in body  # the same entry when sent again corrected


def test_a_lead_records_for_the_people_it_leads_and_defaults_to_the_customers_own(
        app, world):
    freeze()
    shop = customer(world.a.staff, "西湖鲜果店")
    client = _as(app, world.a.manager)
    body, client_id = _order_form(client, f"?customer_id={shop.id}")
    people = re.search(r'<select[^>]*name="salesperson_id".*?</select>', body, re.S).group(0)
    assert f'<option selected value="{world.a.staff.id}">' in people
    assert f'value="{world.a.other_staff.id}"' not in people  # another team's
    refused = client.post("/results/orders/new", data={
        "client_id": client_id, "customer_id": shop.id, "amount": "10",
        "salesperson_id": world.a.other_staff.id})
    assert refused.status_code == 403 and _field_error(refused.get_data(as_text=True),
                                                       "salesperson_id")
    client.post("/results/orders/new", data={
        "client_id": client_id, "customer_id": shop.id, "amount": "10",
        "salesperson_id": world.a.staff.id})
    stored = db.session.scalars(select(Order)).one()
    assert (stored.salesperson_id, stored.recorded_by) == (world.a.staff.id,
                                                           world.a.manager.id)


def test_the_customer_select_lists_ones_own_and_finds_a_colleagues_by_search(app, world):
    freeze()
    customer(world.a.staff, "甲店")
    customer(world.a.other_staff, "乙店")
    customer(world.b.staff, "丙店")
    client = _as(app, world.a.staff)
    body, _id = _order_form(client)
    assert "甲店" in body and "乙店" not in body and "丙店" not in body
    body, _id = _order_form(client, "?q=乙")
    assert "乙店" in body and "甲店" not in body
    assert "丙店" not in _order_form(client, "?q=丙")[0]


# --- payments -------------------------------------------------------------------------
def test_a_payment_above_the_open_amount_is_refused_and_one_within_it_stored(app, world):
    freeze()
    shop = customer(world.a.staff, "西湖鲜果店")
    big = order(world.a.staff, shop, "1000")
    client = _as(app, world.a.staff)
    english(client)
    page = client.get(f"/results/payments/new?order_id={big.id}").get_data(as_text=True)
    assert f'<option selected value="{big.id}">' in page and "西湖鲜果店" in page
    client_id = re.search(r'name="client_id" type="hidden" value="(\w+)"', page).group(1)
    form = {"client_id": client_id, "customer_id": shop.id, "order_id": big.id,
            "amount": "1000.01", "received_on": "2026-03-03"}
    refused = client.post("/results/payments/new", data=form)
    assert refused.status_code == 400 and _count(Payment) == 0
    assert "¥1,000.00" in _field_error(refused.get_data(as_text=True), "amount")
    saved = client.post("/results/payments/new", data={**form, "amount": "600"})
    assert saved.headers["Location"] == f"{ORDERS}{big.id}"
    db.session.refresh(big)
    assert big.paid_fen == fen(600)


def test_a_payment_on_account_goes_against_no_order(app, world):
    freeze()
    shop = customer(world.a.staff, "西湖鲜果店")
    client = _as(app, world.a.staff)
    picker = client.get("/results/payments/new").get_data(as_text=True)
    assert 'id="payment-customer"' in picker and "西湖鲜果店" in picker
    page = client.get(f"/results/payments/new?customer_id={shop.id}").get_data(as_text=True)
    client_id = re.search(r'name="client_id" type="hidden" value="(\w+)"', page).group(1)
    answer = client.post("/results/payments/new", data={
        "client_id": client_id, "customer_id": shop.id, "order_id": "", "amount": "500"})
    assert answer.headers["Location"].endswith(PAYMENTS)
    stored = db.session.scalars(select(Payment)).one()
    assert (stored.order_id, stored.customer_id, stored.amount_fen) == (None, shop.id,
                                                                        fen(500))
    body = client.get(PAYMENTS + "?kind=account").get_data(as_text=True)
    assert _listed(body, "payment") == {stored.id}
    assert _totals(body) == {"count": "1", "total": "¥500.00", "on_account": "¥500.00"}
    assert _listed(client.get(PAYMENTS + "?kind=order").get_data(as_text=True),
                   "payment") == set()


def test_each_role_lists_the_payments_it_may_see(app, world, book):
    mine = payment(world.a.staff, "100", of=book["mine"])
    colleague = payment(world.a.other_staff, "200", of=book["colleague"])
    theirs = payment(world.b.staff, "300", of=book["theirs"])
    for user, seen in ((world.a.staff, {mine.id}), (world.a.owner, {mine.id, colleague.id}),
                       (world.admin, {mine.id, colleague.id, theirs.id})):
        body = _as(app, user).get(PAYMENTS).get_data(as_text=True)
        assert _listed(body, "payment") == seen


# --- exports ----------------------------------------------------------------------------
def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_order_export_holds_the_filtered_orders_with_guarded_cells(app, world, book):
    payment(world.a.staff, "200", of=book["mine"])
    order(world.a.staff, book["mine"].customer, "50", note="=HYPERLINK(\"x\")",
          product_line="粮油")
    client = _as(app, world.a.owner)
    english(client)
    rows = _csv(client.get(ORDERS + "export.csv?product_line=饮料"))
    assert rows[0][:3] == ["Order date", "Customer", "Unified social credit code"]
    assert "Partner" not in rows[0]
    assert len(rows) == 2
    line = dict(zip(rows[0], rows[1]))
    assert (line["Customer"], line["Amount (yuan)"], line["Paid (yuan)"],
            line["Open (yuan)"], line["New customer developed"]) == (
        "甲店", "1200.00", "200.00", "1000.00", "yes")
    rows = _csv(client.get(ORDERS + "export.csv?product_line=粮油&salesperson_id="
                           f"{world.a.staff.id}"))
    assert dict(zip(rows[0], rows[1]))["Note"] == "'=HYPERLINK(\"x\")"
    admin = _as(app, world.admin)
    english(admin)
    rows = _csv(admin.get(ORDERS + "export.csv"))
    assert rows[0][-1] == "Partner" and {r[-1] for r in rows[1:]} == {
        world.a.partner.name, world.b.partner.name}


def test_the_payment_export_names_the_order_it_pays(app, world, book):
    against = payment(world.a.staff, "200", of=book["mine"])
    payment(world.a.staff, "80", shop=book["mine"].customer)
    client = _as(app, world.a.staff)
    english(client)
    rows = _csv(client.get(PAYMENTS + "export.csv"))
    lines = {r[rows[0].index("Amount (yuan)")]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert lines["200.00"]["Order's entry id"] == book["mine"].client_id
    assert lines["200.00"]["Entry id"] == against.client_id
    assert lines["80.00"]["Order's entry id"] == ""
