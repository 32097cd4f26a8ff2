"""Importing orders and payments from CSV: UTF-8 (with BOM) or GBK, Chinese or English
headers, customers by exact name or credit code, salespeople by username, payments
against an order by its entry id or on account; one bad row and nothing is imported,
with its line and column named; the same file imported twice stores nothing new; the
owner alone imports, and the import is in the audit log."""
import io
import random

import pytest
from sqlalchemy import func, select

from portal.core.audit import AuditLog
from portal.extensions import db
from portal.habits.models import Customer
from portal.org.uscc import make_uscc
from portal.results import rollups
from portal.results.models import Order, Payment
from tests.conftest import login
from tests.habiting import customer, freeze
from tests.test_habits_import import _problems  # the import macro's problems, as read
from tests.resulting import fen, order

ORDERS, PAYMENTS = "/results/orders/import", "/results/payments/import"
CODE = make_uscc(random.Random(5), "330102")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _upload(client, url, text: str, encoding: str = "utf-8-sig"):
    return client.post(url, data={"file": (io.BytesIO(text.encode(encoding)), "rows.csv")},
                       content_type="multipart/form-data")


@pytest.fixture
def shops(client, world):
    """A's owner logged in; A's staff looks after 西湖鲜果店 (with a credit code) and
    湖滨超市 (existing already)."""
    freeze()
    login(client, world.a.owner)
    return {"fruit": customer(world.a.staff, "西湖鲜果店", uscc=CODE),
            "market": customer(world.a.staff, "湖滨超市", klass="existing")}


ORDER_FILE = ("客户,日期,金额,产品线,销售员,单号,备注\r\n"
              f"{CODE},2026-03-01,\"1,200.50\",饮料,staff_a,,首单\r\n"
              "湖滨超市,2026/3/2,300,粮油,STAFF_A,CRM-000123,\r\n"
              "湖滨超市,2026/3/2,300,粮油,staff_a,,\r\n")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk"])
def test_good_rows_with_chinese_headers_become_orders(client, world, shops, encoding):
    answer = _upload(client, ORDERS, ORDER_FILE, encoding)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/results/orders/")
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    assert [(o.customer_id, o.ordered_on.isoformat(), o.amount_fen, o.product_line)
            for o in orders] == [
        (shops["fruit"].id, "2026-03-01", fen("1200.50"), "饮料"),
        (shops["market"].id, "2026-03-02", fen(300), "粮油"),
        (shops["market"].id, "2026-03-02", fen(300), "粮油")]
    assert {o.salesperson_id for o in orders} == {world.a.staff.id}
    assert {o.recorded_by for o in orders} == {world.a.owner.id}
    assert orders[1].client_id == "CRM-000123" and orders[0].note == "首单"
    # The fruit shop's first order develops it; the market was existing already.
    assert [o.developed for o in orders] == [True, False, False]
    assert db.session.get(Customer, shops["fruit"].id).klass == "existing"
    assert rollups.differences() == []
    logged = db.session.scalars(select(AuditLog).where(AuditLog.action == "import_orders")).one()
    assert logged.after == {"count": 3, "already": 0}


def test_the_same_file_twice_stores_nothing_new(client, world, shops):
    assert _upload(client, ORDERS, ORDER_FILE).status_code == 302
    client.post("/lang/en", data={"next": "/"})
    again = _upload(client, ORDERS, ORDER_FILE)
    assert again.status_code == 302 and _count(Order) == 3
    page = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "0 rows imported, 3 already there." in page


def test_english_headers_work_too(client, world, shops):
    text = ("customer,date,amount,salesperson,entry id\n"
            "西湖鲜果店,20260302,88,staff_a,ERP-2026-0001\n")
    assert _upload(client, ORDERS, text, "utf-8").status_code == 302
    assert db.session.scalars(select(Order)).one().client_id == "ERP-2026-0001"


def test_a_bad_row_imports_nothing_and_names_its_lines_and_columns(client, world, shops):
    customer(world.a.other_staff, "西湖鲜果店", town="330102003")  # a second of that name
    text = ("客户,日期,金额,产品线,销售员,单号\n"
            "湖滨超市,2026-03-01,100,饮料,staff_a,\n"
            "西湖鲜果店,2026-03-01,100,饮料,staff_a,\n"          # which one?
            "湖滨超市,2026-03-09,-5,饮料,nobody,\n"              # future, negative, unknown
            "丙店,3月1日,100,饮料,staff_a,短\n")                 # not in the book, bad id
    answer = _upload(client, ORDERS, text)
    assert answer.status_code == 400 and _count(Order) == 0
    assert _problems(answer) == [("3", "客户"), ("4", "销售员"), ("4", "日期"),
                                 ("4", "金额"), ("5", "客户"), ("5", "日期"), ("5", "单号")]
    assert 'id="import-report"' in answer.get_data(as_text=True)


def test_a_file_without_the_required_columns_is_refused(client, world, shops):
    answer = _upload(client, ORDERS, "客户,金额,颜色\n湖滨超市,100,红\n")
    assert answer.status_code == 400 and _count(Order) == 0
    assert set(_problems(answer)) == {("1", "颜色"), ("1", "日期"), ("1", "销售员")}


def test_an_entry_id_used_for_another_order_is_refused_on_its_line(client, world, shops):
    order(world.a.staff, shops["market"], "50", client_id="CRM-000999")
    text = "客户,日期,金额,销售员,单号\n湖滨超市,2026-03-02,60,staff_a,CRM-000999\n"
    answer = _upload(client, ORDERS, text)
    assert answer.status_code == 400 and _count(Order) == 1
    assert _problems(answer) == [("2", "单号")]


def test_payments_go_against_an_order_by_its_entry_id_or_on_account(client, world, shops):
    big = order(world.a.staff, shops["market"], "1000", client_id="CRM-000123",
                on=shops["market"].created_at.date())
    text = ("客户,日期,金额,订单单号,销售员,单号,备注\n"
            ",2026-03-03,600,CRM-000123,staff_a,,第一笔\n"
            "西湖鲜果店,2026-03-03,250,,staff_a,,预付款\n")
    answer = _upload(client, PAYMENTS, text, "gbk")
    assert answer.status_code == 302 and answer.headers["Location"].endswith(
        "/results/payments/")
    against, loose = db.session.scalars(select(Payment).order_by(Payment.id)).all()
    assert (against.order_id, against.customer_id, against.amount_fen) == (
        big.id, shops["market"].id, fen(600))
    assert (loose.order_id, loose.customer_id, loose.note) == (None, shops["fruit"].id,
                                                               "预付款")
    db.session.refresh(big)
    assert big.paid_fen == fen(600)
    assert rollups.differences() == []


def test_payments_that_together_exceed_the_open_amount_import_nothing(client, world, shops):
    order(world.a.staff, shops["market"], "1000", client_id="CRM-000123")
    text = ("日期,金额,订单单号,销售员\n"
            "2026-03-03,600,CRM-000123,staff_a\n"
            "2026-03-03,600,CRM-000123,staff_a\n"
            "2026-03-03,10,CRM-404,staff_a\n")
    answer = _upload(client, PAYMENTS, text)
    assert answer.status_code == 400 and _count(Payment) == 0
    assert _problems(answer) == [("4", "订单单号")]
    answer = _upload(client, PAYMENTS, text.rsplit("\n", 2)[0] + "\n")
    assert answer.status_code == 400 and _count(Payment) == 0
    assert _problems(answer) == [("3", "金额")]  # refused when stored, after the first


def test_only_the_owner_imports_and_gets_the_templates(app, world):
    for person in (world.a.staff, world.a.manager, world.cm, world.admin):
        client = app.test_client()
        login(client, person)
        assert client.get(ORDERS).status_code == 403
        assert client.get(PAYMENTS + "/template.csv").status_code == 403
    client = app.test_client()
    login(client, world.a.owner)
    template = client.get(ORDERS + "/template.csv")
    assert template.data.startswith("\ufeff客户,日期,金额".encode())
    assert client.get(PAYMENTS + "/template.csv").data.decode("utf-8-sig").startswith(
        "客户,日期,金额,订单单号")
