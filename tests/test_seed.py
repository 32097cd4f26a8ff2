"""The demo and benchmark data commands."""
import csv

import pytest
from sqlalchemy import func, select

from portal.auth.models import ROLES, User
from portal.core.audit import AuditLog
from portal.extensions import db
from portal.org.models import Partner, Team, Territory
from portal.org.uscc import uscc_error
from tests.conftest import DEMO_PASSWORD, login


@pytest.fixture
def out(app, tmp_path):
    app.config["DEMO_OUTPUT_DIR"] = str(tmp_path)
    return tmp_path


@pytest.fixture
def demo(out):
    """The demo seeded with DEMO_PASSWORD, its account list in `out` (built once per run
    in the "demo" template database, copied for each test)."""


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar()


def read_accounts(folder):
    with (folder / "demo-accounts.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_demo_has_twelve_partners_in_three_provinces_and_every_role(demo):
    partners = db.session.execute(select(Partner)).scalars().all()
    assert len(partners) == 12
    assert {p.province_code for p in partners} == {"33", "32", "44"}
    assert all(uscc_error(p.uscc) is None for p in partners)
    assert {p.status for p in partners} == {"active", "suspended"}
    assert all(p.channel_manager.role == "channel_manager"
               and p.channel_manager.username.startswith("cm_") for p in partners)
    roles = dict(db.session.execute(select(User.role, func.count()).group_by(User.role)).all())
    assert set(roles) == set(ROLES)
    assert 250 <= sum(roles.values()) <= 380
    assert 0 < count(User, User.active.is_(False)) < 20


def test_every_demo_partner_has_an_owner_and_led_teams(demo):
    for partner in db.session.execute(select(Partner)).scalars():
        assert count(User, User.partner_id == partner.id, User.role == "owner") == 1
        assert 2 <= len(partner.teams) <= 4
        for team in partner.teams:
            assert team.leader.role == "manager" and team.leader.team_id == team.id
            assert 5 <= count(User, User.team_id == team.id, User.role == "staff") <= 12


def test_demo_territories_never_give_one_region_exclusively_to_two_partners(demo):
    holders = {}
    for territory in db.session.execute(select(Territory)).scalars():
        holders.setdefault(territory.region_code, []).append(territory.exclusive)
    assert all(flags == [False] * len(flags) for flags in holders.values()
               if len(flags) > 1)
    assert any(len(flags) > 1 for flags in holders.values())  # some are shared
    towns = [code for code in holders if len(code) == 9]
    assert len({code[:6] for code in towns}) >= 2


def test_demo_csv_lists_every_account_once(demo, out):
    rows = read_accounts(out)
    assert rows[0] == ["username", "role", "partner", "team"]
    assert len(rows) - 1 == count(User)
    assert len({row[0] for row in rows[1:]}) == len(rows) - 1
    assert ["admin", "admin", "", ""] in rows
    assert not (out / "demo-password").exists()


def test_demo_account_logs_in_with_the_given_password(demo, client):
    assert login(client, "p01_owner", DEMO_PASSWORD).status_code == 302
    assert "杭州西湖优选商贸有限公司" in client.get("/", follow_redirects=True).get_data(
        as_text=True)


def test_second_demo_run_refuses_and_changes_nothing(demo, runner, out):
    before = (count(User), count(Partner), read_accounts(out))
    result = runner.invoke(args=["seed-demo", "--password", "other-pass-1"])
    assert result.exit_code != 0
    assert "--force" in result.output
    assert (count(User), count(Partner), read_accounts(out)) == before


def test_if_empty_leaves_existing_demo_quietly(demo, runner):
    users = count(User)
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0
    assert "already exists" in result.output
    assert "p01_owner" in result.output  # the accounts are shown again
    assert count(User) == users


def test_force_reseeds_the_same_demo(demo, runner, out):
    first = read_accounts(out)
    result = runner.invoke(args=["seed-demo", "--force", "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    assert read_accounts(out) == first
    assert count(Partner) == 12 and count(User) == len(first) - 1


def test_generated_password_is_saved_privately_and_shown_again(runner, out, client):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    password_file = out / "demo-password"
    password = password_file.read_text().strip()
    assert password_file.stat().st_mode & 0o777 == 0o600
    shown = runner.invoke(args=["demo-accounts"])
    assert shown.exit_code == 0 and password in shown.output
    assert "p01_staff_001" in shown.output
    assert login(client, "auditor", password).status_code == 302


def test_demo_accounts_without_demo_says_so(runner, out):
    result = runner.invoke(args=["demo-accounts"])
    assert result.exit_code == 0
    assert "No demo data" in result.output


def test_seed_scale_adds_exactly_the_requested_partners_and_staff(runner, make):
    make.partner("已有代理商")
    result = runner.invoke(args=["seed-scale", "--partners", "5", "--staff", "200",
                                 "--batch", "37"])
    assert result.exit_code == 0, result.output
    scale = Partner.name.like("压测代理商%")
    assert count(Partner, scale) == 5
    assert count(User, User.role == "staff") == 200
    assert count(User, User.role == "owner") == 5
    assert all(uscc_error(code) is None for code in
               db.session.execute(select(Partner.uscc).where(scale)).scalars())
    teams = db.session.execute(select(Team)).scalars().all()
    assert len(teams) >= 5 and all(team.leader.role == "manager" for team in teams)
    logged = db.session.execute(select(AuditLog).where(AuditLog.action == "seed_scale")
                                ).scalar_one()
    assert logged.after["partners"] == 5 and logged.after["staff"] == 200


def test_seed_scale_runs_do_not_collide(runner):
    for _ in range(2):
        result = runner.invoke(args=["seed-scale", "--partners", "3", "--staff", "10"])
        assert result.exit_code == 0, result.output
    assert count(Partner) == 6 and count(User, User.role == "staff") == 20


def test_demo_staff_find_unread_notifications_in_their_inbox(demo, client):
    from portal.notify.models import Notification, Webhook
    login(client, "p01_staff_001", DEMO_PASSWORD)
    page = client.get("/notifications").get_data(as_text=True)
    assert "2026 年第四季度渠道政策更新" in page and 'id="notify-unread"' in page
    assert count(Notification, Notification.read_at.is_not(None)) > 0
    assert count(Webhook) == 4
