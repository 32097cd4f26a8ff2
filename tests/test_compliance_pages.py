"""The good-faith pages: a channel manager records a violation with evidence, the
partner's owner reads and answers it once, the channel manager withdraws it; dues are
entered, paid, listed by standing, exported and imported, each read by its partner."""
from datetime import date, datetime, timezone
from io import BytesIO

import pytest
from sqlalchemy import func, select

from portal.compliance import dues, violations
from portal.compliance.models import Due, Violation
from portal.core import clock
from portal.extensions import db
from tests.conftest import login

TODAY = date(2026, 3, 20)


@pytest.fixture(autouse=True)
def _clock(app):
    clock.set_now(datetime(2026, 3, 20, 2, 0, tzinfo=timezone.utc))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def recorded(world):
    found = violations.enter_violation(world.cm, {
        "partner_id": world.a.partner.id, "kind": "pricing", "occurred_on": date(2026, 3, 3),
        "description": "核实：低于指导价12%供货"}, [("价签.txt", "价签照片说明".encode())])
    db.session.commit()
    return found


def test_a_channel_manager_records_a_violation_with_evidence(client, world):
    login(client, world.cm)
    response = client.post("/compliance/violations/new", data={
        "partner_id": str(world.a.partner.id), "kind": "territory", "occurred_on": "2026-03-18",
        "description": "核实：跨区供货",
        "files": [(BytesIO(b"%PDF-1.4 evidence"), "进货单.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 302
    found = db.session.execute(select(Violation)).scalar_one()
    assert found.partner_id == world.a.partner.id and found.files[0].filename == "进货单.pdf"


def test_a_channel_manager_cannot_record_for_another_partner(client, world):
    login(client, world.cm)
    response = client.post("/compliance/violations/new", data={
        "partner_id": str(world.b.partner.id), "kind": "pricing", "occurred_on": "2026-03-18",
        "description": "核实"})
    assert response.status_code == 400 and count(Violation) == 0
    assert 'data-field="partner_id"' in response.get_data(as_text=True)


def test_a_disguised_file_refuses_the_whole_violation(client, world):
    login(client, world.cm)
    response = client.post("/compliance/violations/new", data={
        "partner_id": str(world.a.partner.id), "kind": "pricing", "occurred_on": "2026-03-18",
        "description": "核实", "files": [(BytesIO(b"<html><script>x</script>"), "证据.pdf")]},
        content_type="multipart/form-data")
    assert response.status_code == 400 and 'data-field="files"' in response.get_data(
        as_text=True)
    assert count(Violation) == 0


@pytest.mark.parametrize("who", ["owner", "manager"])
def test_the_partners_owner_and_team_leads_read_it_with_its_evidence(client, world, recorded,
                                                                      who):
    login(client, getattr(world.a, who))
    page = client.get(f"/compliance/violations/{recorded.id}").get_data(as_text=True)
    assert recorded.description in page and "价签.txt" in page
    assert ('id="answer-form"' in page) == (who == "owner")
    download = client.get(f"/compliance/files/{recorded.files[0].id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")


def test_nobody_outside_the_partner_sees_it(client, world, recorded):
    for user, status in ((world.b.owner, 404), (world.a.staff, 403)):
        login(client, user)
        assert client.get(f"/compliance/violations/{recorded.id}").status_code == status
        assert client.get(f"/compliance/files/{recorded.files[0].id}").status_code == status
        client.post("/logout")
    login(client, world.b.owner)
    assert recorded.description not in client.get("/compliance/violations/").get_data(
        as_text=True)


def test_the_owner_answers_once_with_a_file(client, world, recorded):
    login(client, world.a.manager)
    assert client.post(f"/compliance/violations/{recorded.id}/answer",
                       data={"answer": "主管代答"}).status_code == 403
    client.post("/logout")
    login(client, world.a.owner)
    assert client.post(f"/compliance/violations/{recorded.id}/answer",
                       data={"answer": ""}).status_code == 400
    response = client.post(f"/compliance/violations/{recorded.id}/answer", data={
        "answer": "已追回差价", "answer_file": (BytesIO("整改说明".encode()), "整改.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    again = client.post(f"/compliance/violations/{recorded.id}/answer",
                        data={"answer": "再答一次"})
    assert again.status_code in (403, 409)
    db.session.refresh(recorded)
    assert recorded.answer == "已追回差价"
    assert [f.side for f in recorded.files] == ["evidence", "answer"]


def test_the_channel_manager_withdraws_with_a_reason_and_the_auditor_cannot(client, world,
                                                                          recorded):
    login(client, world.auditor)
    assert client.post(f"/compliance/violations/{recorded.id}/withdraw",
                       data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(client, world.a.owner)
    assert client.post(f"/compliance/violations/{recorded.id}/withdraw",
                       data={"reason": "x"}).status_code == 403
    client.post("/logout")
    login(client, world.cm)
    page = client.get(f"/compliance/violations/{recorded.id}").get_data(as_text=True)
    assert 'data-confirm=' in page and 'id="withdraw-form"' in page
    assert client.post(f"/compliance/violations/{recorded.id}/withdraw",
                       data={"reason": ""}).status_code == 400
    assert client.post(f"/compliance/violations/{recorded.id}/withdraw",
                       data={"reason": "复核不成立"}).status_code == 302
    db.session.refresh(recorded)
    assert recorded.state == "withdrawn" and recorded.withdrawn_reason == "复核不成立"


def due(world, reference, due_on, amount="1000", paid="", paid_on=None, key="a"):
    found = dues.add_due(world.admin, {"partner_id": getattr(world, key).partner.id,
                                       "reference": reference, "amount": amount,
                                       "due_on": due_on, "paid": paid, "paid_on": paid_on})
    db.session.commit()
    return found


def test_dues_are_entered_and_paid_by_the_channel_manager_only(client, world):
    login(client, world.cm)
    response = client.post("/compliance/dues/new", data={
        "partner_id": str(world.a.partner.id), "reference": "HK202603", "amount": "12,000.50",
        "due_on": "2026-03-10"})
    assert response.status_code == 302
    found = db.session.execute(select(Due)).scalar_one()
    assert found.amount_fen == 1_200_050
    bad = client.post(f"/compliance/dues/{found.id}/payment",
                      data={"paid": "20000", "paid_on": "2026-03-09"})
    assert bad.status_code == 400 and 'data-field="paid"' in bad.get_data(as_text=True)
    assert client.post(f"/compliance/dues/{found.id}/payment", data={
        "paid": "12000.50", "paid_on": "2026-03-09"}).status_code == 302
    db.session.refresh(found)
    assert dues.standing(found, TODAY) == "paid_on_time"
    client.post("/logout")
    login(client, world.a.owner)
    assert "HK202603" in client.get(f"/compliance/dues/{found.id}").get_data(as_text=True)
    assert client.post(f"/compliance/dues/{found.id}/payment", data={
        "paid": "1", "paid_on": "2026-03-09"}).status_code == 403
    assert client.get("/compliance/dues/new").status_code == 403


def test_the_dues_list_filters_by_standing_and_exports_what_is_seen(client, world):
    due(world, "ONTIME-1", date(2026, 3, 5), paid="1000", paid_on=date(2026, 3, 5))
    due(world, "LATE-1", date(2026, 3, 5), paid="1000", paid_on=date(2026, 3, 8))
    due(world, "OVERDUE-1", date(2026, 3, 5))
    due(world, "B-DUE-1", date(2026, 3, 5), key="b")
    login(client, world.a.owner)
    listed = client.get("/compliance/dues/?standing=overdue").get_data(as_text=True)
    assert "OVERDUE-1" in listed and "LATE-1" not in listed and "B-DUE-1" not in listed
    assert "LATE-1" in client.get("/compliance/dues/?standing=paid_late").get_data(
        as_text=True)
    text = client.get("/compliance/dues/export.csv?standing=paid_on_time").get_data(
        as_text=True)
    assert text.startswith("\ufeff") and "ONTIME-1" in text and "LATE-1" not in text
    client.post("/logout")
    login(client, world.b.owner)
    assert client.get("/compliance/dues/").get_data(as_text=True).count("data-due=") == 1


def _import(client, text: str, encoding="utf-8-sig"):
    return client.post("/compliance/dues/import", data={
        "file": (BytesIO(text.encode(encoding)), "dues.csv")}, content_type="multipart/form-data")


def test_importing_dues_is_idempotent_on_the_reference(client, world):
    name = world.a.partner.name
    first = (f"代理商,单号,金额,到期日,已付金额,付款日期\r\n{name},HK-01,1000,2026-03-05,,\r\n"
             f"{world.a.partner.uscc},HK-02,2000,2026-03-10,2000,2026-03-09\r\n")
    login(client, world.cm)
    assert _import(client, first, "gbk").status_code == 302
    assert count(Due) == 2
    assert _import(client, first).status_code == 302  # the same file again: no change
    assert count(Due) == 2
    paid = first.replace("HK-01,1000,2026-03-05,,", "HK-01,1000,2026-03-05,1000,2026-03-07")
    assert _import(client, paid).status_code == 302
    updated = db.session.execute(select(Due).where(Due.reference == "HK-01")).scalar_one()
    assert updated.paid_fen == 100_000 and updated.paid_on == date(2026, 3, 7)
    changed = first.replace("HK-02,2000", "HK-02,2500")
    response = _import(client, changed)
    assert response.status_code == 400 and "<td>3</td><td><code>单号</code></td>" in \
        response.get_data(as_text=True)


def test_one_bad_due_row_imports_nothing(client, world):
    text = (f"partner,reference,amount,due_on\r\n{world.a.partner.name},HK-01,1000,2026-03-05\r\n"
            f"{world.b.partner.name},HK-02,1000,2026-03-05\r\n")
    login(client, world.cm)
    response = _import(client, text)
    assert response.status_code == 400 and count(Due) == 0
    assert "<td>3</td><td><code>partner</code></td>" in response.get_data(as_text=True)


def test_the_owners_home_shows_what_waits_for_an_answer(client, world, recorded):
    due(world, "LATE-9", date(2026, 3, 5))
    login(client, world.a.owner)
    home = client.get("/").get_data(as_text=True)
    assert 'id="home-violations"' in home and 'id="home-dues-overdue"' in home
    client.post("/logout")
    login(client, world.b.owner)
    assert 'id="home-compliance"' not in client.get("/").get_data(as_text=True)


def test_the_lists_narrow_to_a_month(client, world, recorded):
    due(world, "MARCH-1", date(2026, 3, 5))
    due(world, "APRIL-1", date(2026, 4, 5))
    login(client, world.a.owner)
    march = client.get("/compliance/dues/?month=2026-03").get_data(as_text=True)
    assert "MARCH-1" in march and "APRIL-1" not in march
    assert recorded.description not in client.get(
        "/compliance/violations/?month=2026-02").get_data(as_text=True)
    assert "data-violation" in client.get("/compliance/violations/?month=2026-03").get_data(
        as_text=True)
