"""Logging in and out, sessions that end on the server, throttling, cookies."""
import os
import stat
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.auth.models import ApiToken, LoginSession
from portal.config import _instance_secret
from portal.core import clock
from portal.core.audit import AuditLog
from portal.extensions import db
from tests.conftest import PASSWORD, login


def _error_text(response):
    return response.get_data(as_text=True)


def test_login_lands_partner_owner_on_its_partner_page(client, world):
    response = login(client, world.a.owner)
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert world.a.partner.name in page
    assert world.b.partner.name not in page


def test_wrong_password_and_unknown_user_look_the_same(client, world):
    wrong = login(client, world.a.owner, "not-the-password")
    unknown = login(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    marker = "Wrong username or password."
    assert marker in _error_text(wrong) or "用户名或密码错误" in _error_text(wrong)
    assert _error_text(wrong).replace("nobody-here", "") .count("invalid-feedback") == \
        _error_text(unknown).count("invalid-feedback")


def test_inactive_account_cannot_log_in(client, world):
    world.a.staff.active = False
    db.session.commit()
    assert login(client, world.a.staff).status_code == 401


def test_session_cookie_copied_before_logout_is_refused_afterwards(app, world):
    client = app.test_client()
    login(client, world.a.owner)
    stolen = client.get_cookie("session").value
    assert client.get(f"/partners/{world.a.partner.id}").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get(f"/partners/{world.a.partner.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_password_change_logs_out_other_sessions_but_not_this_one(app, world):
    phone, laptop = app.test_client(), app.test_client()
    login(phone, world.a.staff)
    login(laptop, world.a.staff)
    response = laptop.post("/account/password", data={
        "current": PASSWORD, "new": "a-new-secret-9", "confirm": "a-new-secret-9"})
    assert response.status_code == 302
    assert laptop.get(f"/people/{world.a.staff.id}").status_code == 200
    assert phone.get(f"/people/{world.a.staff.id}").status_code == 302
    assert login(app.test_client(), world.a.staff, "a-new-secret-9").status_code == 302
    assert login(app.test_client(), world.a.staff, PASSWORD).status_code == 401


def test_password_change_rejects_wrong_current_and_short_new(client, world):
    login(client, world.a.staff)
    wrong = client.post("/account/password", data={
        "current": "nope-nope", "new": "a-new-secret-9", "confirm": "a-new-secret-9"})
    short = client.post("/account/password", data={
        "current": PASSWORD, "new": "short", "confirm": "short"})
    assert wrong.status_code == short.status_code == 400
    assert login(client.application.test_client(), world.a.staff).status_code == 302


def _from(app, address):
    """A browser at `address` (an office, a stranger's machine)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_wrong_passwords_grow_a_wait_for_that_address_only(app, world):
    """Five wrong passwords are free; then each try from that address waits longer,
    even with the right password. The owner at its office address logs in meanwhile."""
    clock.set_now(datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc))
    stranger = _from(app, "203.0.113.9")
    for _ in range(4):
        assert login(stranger, world.a.owner, "guess-guess").status_code == 401
    fifth = login(stranger, world.a.owner, "guess-guess")
    assert fifth.status_code == 401 and "30秒" in fifth.get_data(as_text=True).replace(" ", "")
    refused = login(stranger, world.a.owner)
    assert refused.status_code == 429 and 'id="login-form"' in refused.get_data(as_text=True)
    assert login(_from(app, "198.51.100.20"), world.a.owner).status_code == 302
    clock.advance(timedelta(seconds=31))
    assert login(stranger, world.a.owner, "guess-guess").status_code == 401  # 60 s now
    clock.advance(timedelta(seconds=40))
    assert login(stranger, world.a.owner).status_code == 429
    clock.advance(timedelta(seconds=21))
    assert login(stranger, world.a.owner).status_code == 302


def test_failed_logins_and_waits_are_in_the_audit_log(app, world):
    stranger = _from(app, "203.0.113.9")
    for _ in range(5):
        login(stranger, world.a.staff, "guess-guess")
    actions = db.session.execute(select(AuditLog.action, AuditLog.object_id).where(
        AuditLog.action.in_(["login_failed", "login_locked"]))).all()
    assert actions.count(("login_failed", str(world.a.staff.id))) == 5
    assert ("login_locked", str(world.a.staff.id)) in actions


def test_an_owner_or_the_admin_unlocks_a_waiting_account(app, client, world):
    stranger = _from(app, "203.0.113.9")
    for _ in range(5):
        login(stranger, world.a.staff, "guess-guess")
    login(client, world.b.owner)  # another partner's owner may not
    assert client.post(f"/manage/people/{world.a.staff.id}/unlock").status_code == 404
    client.post("/logout")
    login(client, world.a.owner)
    page = client.get(f"/manage/people/{world.a.staff.id}/edit").get_data(as_text=True)
    assert 'id="login-wait"' in page
    assert client.post(f"/manage/people/{world.a.staff.id}/unlock").status_code == 302
    assert login(stranger, world.a.staff).status_code == 302
    assert db.session.execute(select(AuditLog).filter_by(action="login_unlock")).first()


@pytest.mark.config(LOGIN_LIMIT_PER_IP="4 per minute")
def test_an_address_has_its_own_limit_and_says_so_on_the_form(client, world):
    for n in range(4):
        assert login(client, f"someone{n}", "guess-guess").status_code == 401
    refused = login(client, world.a.owner)
    assert refused.status_code == 429
    assert 'id="login-form"' in refused.get_data(as_text=True)
    assert "请稍候" in refused.get_data(as_text=True) or "稍后" in refused.get_data(as_text=True)


def test_successful_logins_do_not_count_towards_the_throttle(app, world):
    for _ in range(8):
        client = app.test_client()
        assert login(client, world.a.owner).status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, world):
    response = login(client, world.a.owner)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


@pytest.mark.config(SESSION_COOKIE_SECURE=True)
def test_session_cookie_is_secure_when_configured(client, world):
    assert "Secure" in login(client, world.a.owner).headers["Set-Cookie"]


def test_login_ignores_next_pointing_to_another_site(client, world):
    response = client.post("/login?next=https://evil.example/x", data={
        "username": world.a.owner.username, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_login_follows_next_within_the_portal(client, world):
    target = f"/partners/{world.a.partner.id}"
    response = client.post(f"/login?next={target}", data={
        "username": world.a.owner.username, "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.config(WTF_CSRF_ENABLED=True)
def test_login_form_without_csrf_token_is_refused(client, world):
    assert login(client, world.a.owner).status_code == 400


def test_pages_need_a_login(client, world):
    response = client.get(f"/partners/{world.a.partner.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_login_and_logout_are_audited_with_address(client, world):
    login(client, world.a.owner)
    client.post("/logout")
    rows = db.session.execute(select(AuditLog).where(AuditLog.actor_id == world.a.owner.id)
                              .order_by(AuditLog.id)).scalars().all()
    assert [r.action for r in rows][-2:] == ["login", "logout"]
    assert rows[-1].ip == "127.0.0.1"


def test_server_keeps_only_digests_of_session_keys(client, world):
    login(client, world.a.owner)
    cookie = client.get_cookie("session").value
    digests = db.session.execute(select(LoginSession.key_digest)).scalars().all()
    assert digests and all(d not in cookie for d in digests)


def test_secret_key_is_generated_once_into_instance(tmp_path):
    first = _instance_secret(tmp_path)
    second = _instance_secret(tmp_path)
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode) == 0o600


def test_cli_creates_user_and_a_token_stored_hashed(runner, world):
    result = runner.invoke(args=["create-user", "newstaff", "--role", "staff", "--partner",
                                 world.a.partner.name, "--team", world.a.team.name,
                                 "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-token", "newstaff"])
    token = result.output.strip()
    assert result.exit_code == 0 and token.startswith("ptk_")
    stored = db.session.execute(select(ApiToken.token_digest)).scalars().all()
    assert token not in stored and len(stored) == 1
    cli_rows = db.session.execute(select(func.count()).select_from(AuditLog).where(
        AuditLog.actor_label == "cli:create-user")).scalar()
    assert cli_rows >= 1


def test_cli_create_user_rejects_partner_role_without_partner(runner, app):
    from portal.auth.models import User
    result = runner.invoke(args=["create-user", "lonely", "--role", "staff",
                                 "--password", "long-enough-1"])
    assert result.exit_code != 0 and result.output.strip()
    assert db.session.execute(select(User).where(User.username == "lonely")).first() is None


def test_people_of_a_terminated_partner_can_no_longer_log_in(app, world):
    client = app.test_client()
    login(client, world.a.staff)
    world.a.partner.status = "terminated"
    db.session.commit()
    assert client.get(f"/people/{world.a.staff.id}").status_code == 302
    assert login(app.test_client(), world.a.staff).status_code == 401
    assert login(app.test_client(), world.b.staff).status_code == 302


def test_a_login_expires_on_the_server_after_its_maximum_age(app, world):
    from datetime import datetime, timedelta, timezone

    from portal.core import clock
    start = datetime(2026, 11, 24, 1, 0, tzinfo=timezone.utc)
    clock.set_now(start)
    client = app.test_client()
    login(client, world.a.owner)
    clock.set_now(start + timedelta(hours=11, minutes=59))
    assert client.get(f"/partners/{world.a.partner.id}").status_code == 200
    clock.set_now(start + timedelta(hours=12, minutes=1))
    assert client.get(f"/partners/{world.a.partner.id}").status_code == 302


@pytest.mark.parametrize("new, message", [
    ("12345678", "太容易被猜到"), ("woaini1314", "太容易被猜到"), ("Passw0rd!", "太容易被猜到"),
    ("owner_a", "At least"), ("OWNER_A-1", None), (PASSWORD, "不能与当前密码相同"),
])
def test_weak_passwords_are_refused_with_a_reason(client, world, new, message):
    login(client, world.a.owner)
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": new, "confirm": new})
    page = response.get_data(as_text=True)
    if message is None:  # the username with a little added is still too close to it
        assert response.status_code == 400 and 'data-field="new"' in page
        return
    assert response.status_code == 400
    assert message in page or message == "At least" and 'data-field="new"' in page


def test_a_long_passphrase_is_judged_by_its_start_and_accepted(app, client, world):
    login(client, world.a.owner)
    long = "river-lantern-copper-meadow " * 5  # 140 characters, past zxcvbn's 72
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": long, "confirm": long})
    assert response.status_code == 302
    assert login(app.test_client(), world.a.owner, long).status_code == 302


def test_an_admin_reset_and_the_import_refuse_weak_passwords_too(client, world):
    login(client, world.admin)
    reset = client.post(f"/manage/people/{world.a.staff.id}/password",
                        data={"new_password": "abcd1234"})
    assert reset.status_code == 400 and "太容易被猜到" in reset.get_data(as_text=True)
    named = client.post(f"/manage/people/{world.a.staff.id}/password",
                        data={"new_password": world.a.staff.username})
    assert named.status_code == 400
