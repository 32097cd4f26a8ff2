"""The principal's home (/health/): every partner it may see with its health for March
2026, sorted, filtered, paged, as CSV and as two charts.

The month, by hand: A's staff logs 9 days of 3 visits (2 effective), sells 60,000 fen
against A's 100,000 fen target (performance 60); B's staff logs 3 days of 3 visits (1
effective) and sells 10,000 fen against B's 100,000 (performance 10), so A is the
healthier. Partner C has nobody and so no row at all: it is listed with no data."""
import csv
import io
import re
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from portal.broadcasts.models import Broadcast, Receipt
from portal.core import clock
from portal.extensions import db
from portal.habits.models import Customer, Visit, VisitFlag
from portal.health.models import HealthMonth
from portal.org.models import Partner
from portal.registrations.models import Registration
from tests.conftest import login
from tests.healthing import MARCH, compute, habits, results, settle, target

HOME = "/health/"
CSV = "/health/overview.csv"


@pytest.fixture
def march(world, make):
    """March computed for A and B (February too, for the trend); C has no row. B is a
    tier A, tight partner, so the filters have something to tell apart."""
    a, b = world.a, world.b
    settle(a.owner, a.manager, a.staff, a.other_staff, b.owner, b.manager, b.staff,
           b.other_staff)
    habits(a.staff, 9, visits=3, effective=2)
    habits(b.staff, 3, visits=3, effective=1)
    results(a.staff, revenue_fen=60_000, orders=2)
    results(b.staff, revenue_fen=10_000, orders=1)
    target("partner", 100_000, partner=a.partner)
    target("partner", 100_000, partner=b.partner)
    db.session.execute(update(Partner).where(Partner.id == b.partner.id)
                       .values(tier="A", structure="tight"))
    db.session.commit()
    world.c = make.partner("代理商C", province="32")
    compute(date(2026, 2, 1))
    compute()
    return world


def row(partner, month=MARCH) -> HealthMonth:
    return db.session.execute(select(HealthMonth).where(
        HealthMonth.month == month, HealthMonth.subject == f"partner:{partner.id}")
    ).scalar_one()


def as_(client, user):
    """Log `user` in, whoever was logged in before."""
    client.post("/logout")
    assert login(client, user).status_code == 302


def page(client, user, query="") -> str:
    as_(client, user)
    response = client.get(HOME + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def listed(html: str) -> list[int]:
    """The partner ids of the table, in order."""
    return [int(i) for i in re.findall(r'<tr id="partner-(\d+)"', html)]


def cell(html: str, partner, column: str) -> str:
    """The text of one cell of a partner's line, tags left out."""
    line = html.split(f'<tr id="partner-{partner.id}">')[1].split("</tr>")[0]
    found = line.split(f'data-col="{column}">')[1].split("</td>")[0]
    return " ".join(re.sub(r"<[^>]+>", " ", found).split())


def csv_rows(client, query="") -> list[list[str]]:
    response = client.get(CSV + query)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_table_lists_every_partner_with_its_scores(client, march):
    html = page(client, march.admin)
    assert set(listed(html)) == {march.a.partner.id, march.b.partner.id, march.c.id}
    a = row(march.a.partner)
    assert cell(html, march.a.partner, "performance") == "60"
    assert cell(html, march.a.partner, "overall").startswith(f"{a.overall:.0f}")
    assert cell(html, march.a.partner, "revenue") == "60%"
    assert cell(html, march.b.partner, "revenue") == "10%"
    assert cell(html, march.a.partner, "headcount") == str(a.headcount)
    assert cell(html, march.a.partner, "effective") == f"{a.effective / a.sales_days:.2f}"
    assert f'href="/health/partners/{march.a.partner.id}?month=2026-03"' in html


def test_a_partner_without_a_row_shows_no_data_never_zero(client, march):
    html = page(client, march.admin)
    for column in ("overall", "performance", "process", "growth", "headcount", "revenue",
                   "effective", "coverage", "acks"):
        assert cell(html, march.c, column) == "暂无数据"
    # A has no exams and no broadcasts to acknowledge in March: no data, not 0 %.
    assert cell(html, march.a.partner, "coverage") == "暂无数据"
    assert cell(html, march.a.partner, "acks") == "暂无数据"


def test_the_trend_shows_the_points_moved_since_last_month(client, march):
    html = page(client, march.admin)
    now_, before = row(march.a.partner).overall, row(march.a.partner, date(2026, 2, 1)).overall
    moved = round(now_ - before, 1)
    arrow = "▲" if moved > 0 else "▼"
    shown = cell(html, march.a.partner, "overall").replace(" ", "")
    assert f"{arrow}{abs(moved):.1f}" in shown


def test_channel_manager_sees_only_its_partners(client, march):
    html = page(client, march.cm)
    assert listed(html) == [march.a.partner.id]
    assert march.b.partner.name not in html and march.c.name not in html
    assert 'name="manager"' not in html  # the manager filter is for readers of everyone
    provinces = html.split('id="chart-provinces-table"')[1].split("</table>")[0]
    assert "浙江省</th><td>1</td>" in provinces and "江苏省" not in provinces
    names = [r[0] for r in csv_rows(client)[1:]]
    assert names == [march.a.partner.name]


def test_sorting_by_health_puts_the_better_partner_first_and_no_data_last(client, march):
    a, b, c = march.a.partner.id, march.b.partner.id, march.c.id
    assert row(march.a.partner).overall > row(march.b.partner).overall
    assert listed(page(client, march.admin)) == [a, b, c]  # health, best first
    assert listed(page(client, march.admin, "?sort=overall&dir=asc")) == [b, a, c]
    assert listed(page(client, march.admin, "?sort=revenue&dir=asc")) == [b, a, c]
    assert listed(page(client, march.admin, "?sort=headcount&dir=desc"))[-1] == c
    by_name = sorted([march.a.partner, march.b.partner, march.c], key=lambda p: p.name_key)
    assert listed(page(client, march.admin, "?sort=name")) == [p.id for p in by_name]


def test_filters_narrow_the_list(client, march):
    a, b, c = march.a.partner, march.b.partner, march.c
    assert listed(page(client, march.admin, "?tier=A")) == [b.id]
    assert listed(page(client, march.admin, "?structure=tight")) == [b.id]
    assert listed(page(client, march.admin, f"?q={a.uscc}")) == [a.id]
    assert listed(page(client, march.admin, "?q=代理商C")) == [c.id]
    assert listed(page(client, march.admin, "?province=32")) == [c.id]
    assert set(listed(page(client, march.admin, "?city=3301"))) == {a.id, b.id}
    assert listed(page(client, march.admin, f"?manager={march.cm.id}")) == [a.id]
    assert 'id="no-partners"' in page(client, march.admin, "?q=nobody-like-this")


def test_bad_filter_values_are_ignored(client, march):
    everyone = {march.a.partner.id, march.b.partner.id, march.c.id}
    for query in ("?tier=Z", "?structure=x", "?province=abc", "?city=33'", "?sort=evil",
                  "?dir=sideways", "?month=2026-13", "?month=1999-01", "?manager=abc",
                  "?page=-3", "?manager=99999999999999"):
        assert set(listed(page(client, march.admin, query))) == everyone, query
    # "%" and "_" are searched for as themselves, not as wildcards.
    assert listed(page(client, march.admin, "?q=%25_")) == []


def test_the_month_picker_offers_the_computed_months(client, march):
    html = page(client, march.admin)
    assert 'value="2026-03" selected' in html and 'value="2026-02"' in html
    february = page(client, march.admin, "?month=2026-02")
    assert cell(february, march.a.partner, "performance") == "暂无数据"  # no target then


def test_csv_lists_the_filtered_sorted_partners_with_a_header(client, march):
    as_(client, march.admin)
    rows = csv_rows(client)
    assert rows[0][:3] == ["代理商", "统一社会信用代码", "省"] and "无数据" not in rows[0]
    assert [r[0] for r in rows[1:]] == [march.a.partner.name, march.b.partner.name,
                                        march.c.name]
    a = dict(zip(rows[0], rows[1]))
    assert a["统一社会信用代码"] == march.a.partner.uscc
    assert float(a["业绩出众"]) == pytest.approx(60.0)
    february = row(march.a.partner, date(2026, 2, 1)).overall
    assert float(a["上月健康度"]) == pytest.approx(february, abs=0.05)
    assert rows[3][5] == "暂无数据"  # C's health
    assert [r[0] for r in csv_rows(client, "?tier=A")[1:]] == [march.b.partner.name]


def test_both_charts_come_with_their_numbers(client, march):
    html = page(client, march.admin)
    for chart in ("chart-bands", "chart-provinces"):
        figure = html.split(f'id="{chart}"')[1].split("</figure>")[0]
        assert 'src="data:image/svg+xml;base64,' in figure
        assert f'<div class="visually-hidden"><table id="{chart}-table">' in figure
    bands = html.split('id="chart-bands-table"')[1].split("</table>")[0]
    assert re.search(r"暂无数据</th><td>1</td>", bands)  # C
    counts = [int(n) for n in re.findall(r"<td>(\d+)</td>", bands)]
    assert counts[:5].count(0) == 3 and sum(counts) == 3
    provinces = html.split('id="chart-provinces-table"')[1].split("</table>")[0]
    assert "浙江省</th><td>2</td><td>2</td>" in provinces
    assert "江苏省</th><td>1</td><td>0</td><td>暂无数据</td>" in provinces


def test_red_flags_show_what_needs_looking_at_now(client, march):
    a, b = march.a, march.b
    at = datetime(2026, 4, 9, 2, 0, tzinfo=timezone.utc)
    broadcast = Broadcast(title="保护期政策", body_md="x", body_html="<p>x</p>",
                          category="policy", audience={}, requires_ack=True,
                          ack_deadline=at, created_by=march.admin.id,
                          publish_at=datetime(2026, 4, 1, tzinfo=timezone.utc))
    db.session.add(broadcast)
    db.session.flush()
    db.session.add_all([Receipt(broadcast_id=broadcast.id, user_id=person.id,
                                partner_id=person.partner_id, role=person.role,
                                acked_at=acked)
                        for person, acked in ((a.staff, None), (a.other_staff, None),
                                              (b.staff, at))])
    customer = Customer(partner_id=b.partner.id, name="客户甲", name_norm="客户甲",
                        owner_id=b.staff.id)
    db.session.add(customer)
    db.session.flush()
    visit = Visit(client_id="v1", partner_id=b.partner.id, user_id=b.staff.id,
                  customer_id=customer.id, visited_at=at, day=date(2026, 4, 9),
                  kind="first", outcome="met")
    db.session.add(visit)
    db.session.flush()
    db.session.add(VisitFlag(visit_id=visit.id, partner_id=b.partner.id, reason="distance"))
    db.session.commit()
    html = page(client, march.admin)
    # Nobody logged a visit in April's first ten days; C has no salespeople to log.
    assert "本周无拜访记录" in cell(html, a.partner, "flags")
    assert "本周无拜访记录" in cell(html, b.partner, "flags")
    assert cell(html, march.c, "flags") == ""
    assert "逾期未确认：2" in cell(html, a.partner, "flags")  # two of A's people
    assert "逾期未确认" not in cell(html, b.partner, "flags")  # B's staff acknowledged
    assert "异常拜访：1" in cell(html, b.partner, "flags")
    assert "异常拜访" not in cell(html, a.partner, "flags")


def test_protection_ending_this_week_is_a_red_flag_and_a_csv_column(client, march):
    """A live registration whose protection ends within seven days flags its partner;
    one ending later, one expired or one refused does not."""
    at = datetime(2026, 4, 9, 2, 0, tzinfo=timezone.utc)
    clock.set_now(at)
    day = timedelta(days=1)

    def registration(partner, status, expires_at):
        return Registration(partner_id=partner.id, name="客户", name_norm="客户", rule_id=1,
                            status=status, protected_from=at - 30 * day,
                            expires_at=expires_at)
    db.session.add_all([registration(march.a.partner, "protected", at + 2 * day),
                        registration(march.a.partner, "protected", at + 6 * day),
                        registration(march.a.partner, "protected", at - day),
                        registration(march.b.partner, "protected", at + 20 * day),
                        registration(march.b.partner, "refused", at + 2 * day)])
    db.session.commit()
    html = page(client, march.admin)
    assert "保护期本周到期：2" in cell(html, march.a.partner, "flags")
    assert "保护期" not in cell(html, march.b.partner, "flags")
    rows = list(csv.reader(io.StringIO(client.get(CSV).get_data(as_text=True).lstrip("\ufeff"))))
    column = rows[0].index("本周到期的报备")
    by_name = {line[0]: line[column] for line in rows[1:]}
    assert by_name[march.a.partner.name] == "2" and by_name[march.b.partner.name] == "0"


def test_partner_people_may_not_open_the_overview(client, march):
    for person in (march.a.owner, march.a.manager, march.a.staff):
        as_(client, person)
        assert client.get(HOME).status_code == 403
        assert client.get(CSV).status_code == 403


def test_auditor_reads_every_partner(client, march):
    assert len(listed(page(client, march.auditor))) == 3


def test_the_principals_home_is_the_overview(client, world):
    for user in (world.admin, world.cm, world.auditor):
        as_(client, user)
        assert client.get("/").headers["Location"].endswith(HOME)


def test_before_any_month_is_computed_the_page_says_so(client, world):
    html = page(client, world.admin)
    assert 'id="no-health"' in html and "flask --app app health compute" in html
    html = page(client, world.cm)
    assert 'id="no-health"' in html and "flask --app app health compute" not in html


def statements(client, url) -> int:
    """How many SQL statements one request runs."""
    from sqlalchemy import event
    count = [0]

    def counted(*_args):
        count[0] += 1
    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    return count[0]


def test_pages_of_fifty_cost_the_same_queries_for_many_partners_as_for_few(client, march,
                                                                          make):
    as_(client, march.admin)
    few = statements(client, HOME), statements(client, CSV)
    for n in range(50):
        make.person("staff", make.partner(f"更多代理商{n}"))
    compute()
    as_(client, march.admin)
    assert (statements(client, HOME), statements(client, CSV)) == few
    first, second = listed(page(client, march.admin)), listed(page(client, march.admin,
                                                                   "?page=2"))
    assert len(first) == 50 and len(second) == 3 and not set(first) & set(second)
    # The newcomers joined after March: no data, after the scored partners, by name.
    assert first[:3] == [march.a.partner.id, march.b.partner.id, march.c.id]
    assert len(csv_rows(client)) == 1 + 53
