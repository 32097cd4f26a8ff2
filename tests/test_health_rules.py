"""The team-health rule's page: everyone reads every version with its weights, the one
judging this month and an upcoming one to read before it applies; only the admin
publishes (a bad version is a field message and a 400 that stores nothing, a month that
has begun is refused), a published one is audited and announced to the owners and team
leads it judges, and the admin recomputes this month after confirming it."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.core.audit import AuditLog
from portal.extensions import db
from portal.health import rules
from portal.health.measures import DEFAULT_WEIGHTS, MEASURES
from portal.health.models import HealthMonth, HealthRule, HealthRun
from portal.notify.models import Notification
from tests.conftest import login
from tests.healthing import AFTER, compute, settle

MAY = date(2026, 5, 1)


def _form(**changes) -> dict:
    """A valid version judging May 2026: the defaults with revenue weighing 50."""
    data = {"effective_month": "2026-05", "note": "回款更重要"}
    data.update({f"part_{p}": str(w) for p, w in DEFAULT_WEIGHTS["parts"].items()})
    data.update({f"measure_{c}": str(w) for c, w in DEFAULT_WEIGHTS["measures"].items()})
    data.update({f"norm_{c}": str(n) for c, n in DEFAULT_WEIGHTS["norms"].items()})
    data["measure_payments"] = "50"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def _versions() -> int:
    return db.session.scalar(select(func.count()).select_from(HealthRule))


def _english(client, user):
    login(client, user)
    client.post("/lang/en", data={"next": "/"})


def _publish(world, month=MAY, **measures):
    weights = rules.weights_of(rules.in_force(month))
    weights = {**weights, "measures": {**weights["measures"], **measures}}
    version = rules.publish(world.admin, effective_month=month, weights=weights,
                            today=clock.today(), note="")
    db.session.commit()
    return version


@pytest.fixture(autouse=True)
def april():
    clock.set_now(AFTER)  # 2026-04-10: April has begun, May has not


@pytest.mark.parametrize("who", ["staff", "manager", "owner", "cm", "auditor", "admin"])
def test_everyone_reads_the_rule_in_force_with_its_weights(client, world, who):
    login(client, getattr(world.a, who, None) or getattr(world, who))
    page = client.get("/health/rules")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "2026年4月由第 1 版评判" in body
    in_force = body[body.index('id="weights-in-force"'):]
    assert re.search(r'data-measure="revenue">.*?<td class="text-end">40</td>', in_force,
                     re.S)
    assert "业绩出众" in in_force
    # Only the admin sees the forms.
    assert ('id="new-rule"' in body) == (who == "admin")
    assert ('id="compute-now"' in body) == (who == "admin")


def test_the_page_reads_in_english_with_labels_hints_and_norms(client, world):
    _english(client, world.a.staff)
    body = client.get("/health/rules").get_data(as_text=True)
    assert "Apr 2026 is judged by version 1 (from the start)" in body
    assert "Effective visits per person-day" in body
    assert "working days ÷ the norm" in body
    row = re.search(r'data-measure="effective_per_day">.*?</tr>', body, re.S).group(0)
    assert '<td class="text-end">30</td>' in row and '<td class="text-end">2</td>' in row


def test_an_upcoming_version_is_highlighted_with_what_it_changes(client, world):
    _publish(world, payments=50, ramp=0)
    _english(client, world.a.owner)
    body = client.get("/health/rules").get_data(as_text=True)
    upcoming = body[body.index('id="upcoming-2"'):body.index('id="rule-in-force"')]
    assert ("Version 2 judges the months from May 2026: read it before it applies"
            in upcoming)
    assert "What changes compared with version 1:" in upcoming
    assert "<li>Payments collected against target: weight 25 → 50</li>" in upcoming
    assert "<li>New hires selling: weight 5 → 0</li>" in upcoming
    assert "Revenue against target:" not in upcoming  # unchanged
    # Version 1 still judges April; the history lists the newest first.
    assert "Apr 2026 is judged by version 1" in body
    history = body[body.index('id="rule-history"'):]
    assert history.index('id="version-2"') < history.index('id="version-1"')
    assert "Judges the months from the start to Apr 2026" in history
    assert "Not yet in force" in history


def test_a_version_judging_this_month_is_no_longer_upcoming(client, world):
    _publish(world, payments=50)
    clock.set_now(AFTER.replace(month=5))
    _english(client, world.a.owner)
    body = client.get("/health/rules").get_data(as_text=True)
    assert 'id="upcoming-' not in body
    assert "May 2026 is judged by version 2 (from May 2026)" in body


def test_the_admin_form_is_prefilled_with_next_month_and_the_version_in_force(
        client, world):
    login(client, world.admin)
    assert 'value="2026-05"' in client.get("/health/rules").get_data(as_text=True)
    _publish(world, payments=50)
    body = client.get("/health/rules").get_data(as_text=True)
    form = body[body.index('id="new-rule"'):]
    assert 'value="2026-06"' in form  # May has a version: the month after it
    assert re.search(r'id="measure_payments"[^>]*value="25"', form)  # April's version


def test_publishing_stores_audits_and_tells_the_owners_and_team_leads(client, world):
    _english(client, world.admin)  # the notice is in the portal's language all the same
    response = client.post("/health/rules/new", data=_form())
    assert response.status_code == 302 and response.location.endswith("/health/rules")
    page = client.get("/health/rules").get_data(as_text=True)
    assert "Version 2 is published; it judges the months from May 2026." in page
    assert 'id="upcoming-2"' in page
    version = db.session.execute(select(HealthRule).where(HealthRule.version == 2)
                                 ).scalar_one()
    assert version.effective_month == MAY and version.note == "回款更重要"
    assert version.weights["measures"]["payments"] == 50
    assert version.weights["assessment"] == rules.weights_of(None)["assessment"]
    assert version.created_by == world.admin.id
    entry = db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "HealthRule", AuditLog.object_id == str(version.id))
    ).scalar_one()
    assert entry.action == "create" and entry.actor_id == world.admin.id
    log = client.get("/manage/audit?object_type=HealthRule").get_data(as_text=True)
    assert "Team-health rule" in log
    notes = db.session.execute(select(Notification)).scalars().all()
    leads = {side.owner.id for side in (world.a, world.b)} | {
        side.manager.id for side in (world.a, world.b)}
    assert {n.user_id for n in notes} == leads and len(notes) == 4
    assert notes[0].title == "团队健康度规则自 2026年5月 起调整"
    assert "回款目标达成：权重 25 → 50" in notes[0].body and "回款更重要" in notes[0].body
    assert notes[0].link == "/health/rules" and notes[0].mandatory


@pytest.mark.parametrize("changes, field", [
    ({"measure_revenue": "101"}, "measure_revenue"),
    ({"measure_revenue": "lots"}, "measure_revenue"),
    ({"part_growth": ""}, "part_growth"),
    ({"norm_effective_per_day": "0"}, "norm_effective_per_day"),
    ({"norm_exam_frequency": "nan"}, "norm_exam_frequency"),
    ({"effective_month": "next"}, "effective_month"),
    # A part with a weight and none of its measures weighted.
    ({f"measure_{m.code}": "0" for m in MEASURES if m.part == "process"}, "part_process"),
])
def test_a_bad_version_names_its_field_and_stores_nothing(client, world, changes, field):
    login(client, world.admin)
    response = client.post("/health/rules/new", data=_form(**changes))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    tag = re.search(rf'<(input|textarea)[^>]*id="{field}"[^>]*>', body)
    assert "is-invalid" in tag.group(0)
    assert f'data-field="{field}"' in body
    assert _versions() == 1
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_weight_out_of_range_is_explained_in_the_users_language(client, world):
    _english(client, world.admin)
    body = client.post("/health/rules/new", data=_form(measure_revenue="101")
                       ).get_data(as_text=True)
    assert 'data-field="measure_revenue">A whole number from 0 to 100.' in body


@pytest.mark.parametrize("month, message", [
    ("2026-04", "A rule judges months that have not begun: choose next month or later."),
    ("2026-03", "A rule judges months that have not begun: choose next month or later."),
])
def test_a_month_that_has_begun_is_refused(client, world, month, message):
    _english(client, world.admin)
    response = client.post("/health/rules/new", data=_form(effective_month=month))
    assert response.status_code == 400
    assert f'data-field="effective_month">{message}' in response.get_data(as_text=True)
    assert _versions() == 1


def test_a_month_another_version_judges_is_refused(client, world):
    _publish(world, month=date(2026, 6, 1), payments=50)
    login(client, world.admin)
    response = client.post("/health/rules/new", data=_form(effective_month="2026-05"))
    assert response.status_code == 400
    assert _versions() == 2


@pytest.mark.parametrize("who", ["cm", "owner", "manager", "staff", "auditor"])
def test_only_the_admin_publishes_and_recomputes(client, world, who):
    login(client, getattr(world.a, who, None) or getattr(world, who))
    assert client.post("/health/rules/new", data=_form()).status_code == 403
    assert client.post("/health/compute", data={"confirm": "y"}).status_code == 403
    assert _versions() == 1
    assert db.session.scalar(select(func.count()).select_from(HealthRun)) == 0


def test_recomputing_asks_for_confirmation_first(client, world):
    login(client, world.admin)
    response = client.post("/health/compute", data={})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "is-invalid" in re.search(r'<input[^>]*id="confirm"[^>]*>', body).group(0)
    assert db.session.scalar(select(func.count()).select_from(HealthRun)) == 0


def test_recomputing_this_month_flashes_rows_and_seconds_and_shows_the_run(client, world):
    settle(world.a.staff, world.a.other_staff, world.a.manager, world.a.owner)
    compute()  # March, computed by the "job" of the test
    _english(client, world.admin)
    response = client.post("/health/compute", data={"confirm": "y"})
    assert response.status_code == 302
    run = db.session.execute(select(HealthRun).order_by(HealthRun.id.desc())).scalars().first()
    assert (run.month, run.trigger, run.through) == (date(2026, 4, 1), "page",
                                                     date(2026, 4, 10))
    april_rows = db.session.scalar(select(func.count()).select_from(HealthMonth).where(
        HealthMonth.month == date(2026, 4, 1)))
    assert run.rows == april_rows > 0
    body = client.get("/health/rules").get_data(as_text=True)
    assert f"Apr 2026 recomputed: {run.rows} rows in" in body
    runs = body[body.index('id="health-runs"'):body.index('id="compute-now"')]
    april = re.search(r'data-month="2026-04">.*?</tr>', runs, re.S).group(0)
    assert "2026-04-10" in april and f'<td class="text-end">{run.rows}</td>' in april
    march = re.search(r'data-month="2026-03">.*?</tr>', runs, re.S).group(0)
    assert "2026-03-31" in march
    assert "Not computed" in re.search(r'data-month="2026-02">.*?</tr>', runs, re.S).group(0)
