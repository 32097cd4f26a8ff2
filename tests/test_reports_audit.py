"""The audit-log extract reads as the audit log page: the same rows as the page's CSV,
changes in words, passwords shown as changed and never their values; filters by who and
by object type; admin and auditors only; capped, and saying so."""
import csv
import io
from datetime import date

import pytest

from portal.core import audit as log
from portal.core.clock import today
from portal.core.errors import DomainError
from portal.extensions import db
from portal.reports import services
from portal.reports.sources import audit
from tests.conftest import login
from tests.reporting import folded, make


@pytest.fixture
def logged(app, world):
    """A's owner renames its team; the admin changes a person's password; an import is
    logged without an object."""
    owner = app.test_client()
    login(owner, world.a.owner)
    owner.post(f"/manage/teams/{world.a.team.id}/edit",
               data={"name": "先锋组", "leader_id": str(world.a.manager.id)})
    admin = app.test_client()
    login(admin, world.admin)
    admin.post(f"/manage/people/{world.a.staff.id}/password",
               data={"new_password": "Brand-new-42x"})
    log.record("import", object_type="Partner", after={"rows": 3})
    db.session.commit()
    return world


def _day():
    return {"start": today(), "end": today()}


def _page_csv(app, world, query) -> list[list[str]]:
    client = app.test_client()
    login(client, world.auditor)
    text = client.get(f"/manage/audit?{query}&format=csv").get_data(as_text=True)
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))[1:]


def _report_rows(made) -> list[list]:
    return next(t["rows"] for t in made.source["tables"] if t["title"] == "条目")


def test_the_extract_reads_as_the_audit_page(app, logged):
    made = make(logged.auditor, "audit", **_day(), what="Team")
    text = made.text
    for expected in ("名称: 一组a → 先锋组", "owner_a", "修改", "小组", made.report.code):
        assert folded(expected) in text, expected
    page = _page_csv(app, logged, "object_type=Team")
    shown = [["" if v is None else v for v in row] for row in _report_rows(made)]
    assert shown == [row[:7] for row in page]  # all but the IP


def test_passwords_read_as_changed_and_never_as_values(app, logged):
    made = make(logged.admin, "audit", **_day(), what="User")
    assert folded("密码: （已更改）") in made.text
    for body in (made.text, made.csv, str(made.source)):
        assert "pbkdf2" not in body and "Brand-new-42x" not in body


def test_filters_by_who_and_what_in_any_case_or_by_label(logged):
    made = make(logged.auditor, "audit", **_day(), who="OWNER_A")
    assert {row[1] for row in _report_rows(made)} == {
        f"{logged.a.owner.display_name} (owner_a)"}
    by_label = make(logged.auditor, "audit", **_day(), what="小组")
    assert {row[3] for row in _report_rows(by_label)} == {"小组"}
    nothing = make(logged.auditor, "audit", **_day(), what="no such thing")
    assert nothing.source["tables"] == [] and folded("没有符合") in nothing.text


@pytest.mark.parametrize("who", ["cm", "owner"])
def test_only_admin_and_auditors_may_ask(logged, who):
    user = logged.cm if who == "cm" else logged.a.owner
    with pytest.raises(DomainError) as refused:
        services.request_report(user, "audit", _day())
    assert refused.value.field == "kind"


def test_a_period_without_entries_says_so(logged):
    made = make(logged.auditor, "audit", start=date(2020, 1, 1), end=date(2020, 1, 31))
    assert made.source["tables"] == [] and folded("没有符合") in made.text


def test_a_long_extract_stops_at_its_cap_and_says_so(monkeypatch, logged):
    monkeypatch.setattr(audit, "LIMIT", 3)
    made = make(logged.auditor, "audit", **_day())
    assert len(_report_rows(made)) == 3 and made.source["source"]["capped"] is True
    assert folded("仅列出最新的 3 条") in made.text


def test_the_csv_holds_the_same_rows_with_no_data(logged):
    made = make(logged.auditor, "audit", **_day())
    lines = made.csv.splitlines()
    assert any("名称: 一组a → 先锋组" in line for line in lines)
    # The import names no object: blank on the page's CSV, "no data" here.
    assert any(line.startswith(today().isoformat()) and ",代理商,暂无数据,暂无数据," in line
               for line in lines)
