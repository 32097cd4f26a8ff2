from tests.conftest import login

def test_owner_sees_own_partner(client, world):
    r = login(client, world.a.owner)
    assert r.status_code == 302
    r = client.get("/", follow_redirects=True)
    assert "代理商A" in r.get_data(as_text=True), r.get_data(as_text=True)[:2000]
    assert client.get(f"/partners/{world.b.partner.id}").status_code == 404
