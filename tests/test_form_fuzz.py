"""Every form answers any input with a page or a 4xx, never a 500.

The walk finds each route that accepts POST, reads the field names from its form page,
and lets Hypothesis fill them with hostile text (empty, huge, NUL, markup, odd numbers and
dates, random files) as an administrator and as a partner owner."""
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import walk
from tests.conftest import login

# URL arguments point at partner A's own objects (the walk's), so the requests get past
# access checks.
OWN_ARGS = walk.args()
SKIP = {"auth.logout", "auth.login", "static", "bootstrap.static"}
FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"[^>]*>')
FILE_FIELD = re.compile(r'<input\b[^>]*\btype="file"[^>]*\bname="([^"]+)"'
                        r'|<input\b[^>]*\bname="([^"]+)"[^>]*\btype="file"')

hostile_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", " ", "0", "-1", "99999999999999999999", "2026-02-30", "1e309",
                     "<script>alert(1)</script>", "a\x00b", "' OR 1=1 --", "911111111111111111",
                     "x" * 5000, "330106", "staff", "admin", "A", "tight"]),
)
hostile_file = st.binary(max_size=2000).map(lambda b: (io.BytesIO(b), "upload.csv"))


def _post_routes(app, world):
    from flask import url_for
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP or "POST" not in rule.methods:
            continue
        missing = [a for a in rule.arguments if a not in OWN_ARGS]
        assert not missing, f"map URL argument(s) {missing} of {rule.rule} in OWN_ARGS"
        with app.test_request_context():
            yield rule, url_for(rule.endpoint, **{a: OWN_ARGS[a](world.a) for a in rule.arguments})


def _fields(client, rule, url):
    if "GET" not in rule.methods:
        return [], []
    page = client.get(url).get_data(as_text=True)
    files = {a or b for a, b in FILE_FIELD.findall(page)}
    names = [n for n in dict.fromkeys(FIELD.findall(page)) if n not in files
             and n != "csrf_token"]
    return names, sorted(files)


@pytest.mark.parametrize("who", ["admin", "owner_a"])
def test_no_form_answers_hostile_input_with_a_server_error(app, walk_world, who):
    world = walk_world
    user = world.admin if who == "admin" else world.a.owner
    client = app.test_client()
    assert login(client, user).status_code == 302
    failures = []
    for rule, url in _post_routes(app, world):
        names, files = _fields(client, rule, url)
        data = st.fixed_dictionaries({**{n: hostile_text for n in names},
                                      **{f: hostile_file for f in files}})

        @settings(max_examples=12, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(data)
        def post(form):
            response = client.post(url, data=form, content_type="multipart/form-data")
            if response.status_code >= 500:
                failures.append(f"POST {url} {form!r:.200}: {response.status_code}")
        post()
    assert not failures, "\n".join(failures[:10])


def test_a_nul_character_in_any_field_is_a_400_not_a_500(client, world):
    login(client, world.admin)
    response = client.post(f"/manage/partners/{world.a.partner.id}/teams/new",
                           data={"name": "a\x00b"})
    assert response.status_code == 400
    assert client.get("/partners?q=a%00b").status_code == 400
