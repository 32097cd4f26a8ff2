"""Numbers beyond what any database column holds, in a path, a query string or a form,
are a 404 or a 400 (or clamped), never a 500: every GET endpoint of the access table
as the admin and as partner A's owner, with every integer argument huge, with every
query-string number the pages read huge, and every form number huge."""
import pytest
from flask import url_for

from tests import walk
from tests.conftest import login
from tests.test_access_rules import ALLOWED, _user

HUGE = "99999999999999999999"
QUERY_NUMBERS = ("page", "partner", "user", "days", "team", "exam", "sitting")


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_huge_numbers_in_paths_and_query_strings_are_never_a_server_error(
        app, client, walk_world, role):
    login(client, _user(walk_world, role))
    fill = walk.args()
    failures = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint not in ALLOWED or \
                rule.endpoint in ("auth.logout",):
            continue
        values = {a: fill[a](walk_world.a) for a in rule.arguments}
        with app.test_request_context():
            urls = [url_for(rule.endpoint, **values) + "?" + "&".join(
                f"{name}={HUGE}" for name in QUERY_NUMBERS)]
            urls += [url_for(rule.endpoint, **{**values, name: int(HUGE)})
                     for name, converter in rule._converters.items()
                     if type(converter).__name__ == "IntegerConverter"]
        for url in urls:
            try:
                status = client.get(url).status_code
            except Exception as error:  # noqa: BLE001 - the test client re-raises
                status = f"{type(error).__name__}: {error}"
            if not isinstance(status, int) or status >= 500:
                failures.append(f"{url}: {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("path, data", [
    ("/broadcasts/new", {"title": "t", "category": "policy", "action": "publish",
                         "partner_ids": HUGE, "questions-0-correct": HUGE}),
    ("/broadcasts/audience-count", {"partner_ids": HUGE, "source": HUGE}),
    ("/exams/manage/new", {"title": "t", "track": "staff", "partner_ids": HUGE,
                           "draw-0-count": HUGE, "time_limit_minutes": HUGE,
                           "attempts_allowed": HUGE, "pass_percent": HUGE}),
    ("/training/courses/new", {"title": "t", "track": "staff", "position": HUGE}),
    ("/manage/users", {}),
])
def test_huge_numbers_in_forms_are_field_errors(client, world, path, data):
    login(client, world.admin)
    response = client.post(path, data=data) if data else client.get(path + "?partner=" + HUGE)
    assert response.status_code in (200, 400, 405), response.status_code


def test_a_page_past_the_end_shows_the_last_page(client, world):
    login(client, world.admin)
    for page in ("5", HUGE, "-3", "x"):
        listed = client.get(f"/manage/users?page={page}")
        assert listed.status_code == 200 and world.a.staff.username in listed.get_data(
            as_text=True), page
