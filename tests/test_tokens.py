"""API tokens end with the access they stand for: a password change, a reset or a
deactivation revokes them; a person lists and revokes its own (admins anyone's), on a
page and from the command line."""
import re

from sqlalchemy import select

from portal.auth.models import ApiToken
from portal.core.audit import AuditLog
from portal.extensions import db
from portal.org import accounts, people
from tests.conftest import PASSWORD, login
from tests.test_api import bearer

ME = "/api/v1/me"


def _works(client, headers) -> bool:
    return client.get(ME, headers=headers).status_code == 200


def test_a_password_change_revokes_every_token(client, world):
    headers = bearer(world.a.staff)
    assert _works(client, headers)
    login(client, world.a.staff)
    response = client.post("/account/password", data={
        "current": PASSWORD, "new": "Another-horse-77", "confirm": "Another-horse-77"})
    assert response.status_code == 302
    assert not _works(client, headers)
    assert client.get(ME, headers=headers).status_code == 401


def test_a_reset_and_a_deactivation_revoke_tokens_and_reactivating_does_not_revive(
        client, world):
    reset, deactivated = bearer(world.a.staff), bearer(world.a.manager)
    accounts.reset_password(world.a.staff, "Reset-horse-8812")
    people.deactivate_person(world.a.manager)
    db.session.commit()
    accounts.reactivate_person(world.a.manager)
    db.session.commit()
    assert not _works(client, reset) and not _works(client, deactivated)
    revoked = db.session.execute(select(AuditLog).where(
        AuditLog.object_type == "ApiToken", AuditLog.action == "update")).scalars().all()
    assert len(revoked) == 2


def test_a_person_lists_creates_and_revokes_its_own_tokens(client, world):
    headers = bearer(world.a.staff, "报表机器人")
    login(client, world.a.staff)
    page = client.get("/account/tokens").get_data(as_text=True)
    assert "报表机器人" in page and 'id="tokens"' in page
    made = client.post("/account/tokens", data={"name": "群机器人"})
    assert made.status_code == 201
    plain = re.search(r"ptk_[A-Za-z0-9_-]+", made.get_data(as_text=True)).group(0)
    assert _works(client, {"Authorization": f"Bearer {plain}"})
    assert client.post("/account/tokens", data={"name": "  "}).status_code == 400
    token = db.session.execute(select(ApiToken).filter_by(name="报表机器人")).scalar_one()
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert not _works(client, headers)
    assert _works(client, {"Authorization": f"Bearer {plain}"})


def test_nobody_else_sees_or_revokes_a_persons_token_but_an_admin(client, world):
    headers = bearer(world.a.staff, "私人令牌")
    token = db.session.execute(select(ApiToken).filter_by(name="私人令牌")).scalar_one()
    for other in (world.a.owner, world.cm, world.auditor):
        login(client, other)
        assert "私人令牌" not in client.get("/account/tokens").get_data(as_text=True)
        assert client.get(f"/account/tokens?user={world.a.staff.id}").status_code in (403, 404)
        assert client.post(f"/account/tokens/{token.id}/revoke").status_code in (403, 404)
        client.post("/logout")
    assert _works(client, headers)
    login(client, world.admin)
    page = client.get(f"/account/tokens?user={world.a.staff.id}").get_data(as_text=True)
    assert "私人令牌" in page and 'id="token-form"' not in page
    assert client.post(f"/account/tokens?user={world.a.staff.id}",
                       data={"name": "冒名"}).status_code == 403
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    assert not _works(client, headers)


def test_tokens_are_listed_and_revoked_from_the_command_line(runner, client, world):
    headers = bearer(world.a.staff, "脚本")
    listed = runner.invoke(args=["tokens", "list", world.a.staff.username])
    assert listed.exit_code == 0 and "脚本" in listed.output and "1 token(s)" in listed.output
    token = db.session.execute(select(ApiToken).filter_by(name="脚本")).scalar_one()
    assert runner.invoke(args=["tokens", "revoke", "999999"]).exit_code != 0
    done = runner.invoke(args=["tokens", "revoke", str(token.id)])
    assert done.exit_code == 0 and "1 token(s) revoked" in done.output
    db.session.expire_all()
    assert not _works(client, headers)
    bearer(world.a.staff, "第二个")
    everything = runner.invoke(args=["tokens", "revoke", "--user", world.a.staff.username])
    assert "1 token(s) revoked" in everything.output
    assert "0 token(s)" in runner.invoke(args=["tokens", "list", world.a.staff.username]).output
