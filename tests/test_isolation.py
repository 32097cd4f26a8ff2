"""The URL-map walk: every route, every role, objects of a foreign partner or person.

Each route is called with the ids of partner B's objects by every user who must not see
partner B (partner A's owner, manager and staff, and the channel manager assigned only to
A). A route that takes an object must answer 403 or 404, and exactly what it answers for
an id that exists nowhere (a foreign object's existence is never revealed, e.g. by a 403
where a missing one gets 404); no page may show the display
texts of anything built for B (names, titles, bodies, file names: `tests/walk.py`
gathers them from the domains' walk modules), and a refused write changes no row of any
table. Inside partner A, staff and a manager are walked over their colleagues', their
manager's and their owner's own objects the same way. The auditor may read but every
write route answers 403. New routes are walked automatically; a route with a URL argument
no walk module maps fails until it is mapped."""
import pytest
from flask import url_for

from portal.auth import sessions
from portal.core.web import AUDITOR_MAY_POST
from portal.extensions import db
from tests import walk
from tests.conftest import login

SKIP_ENDPOINTS = {"static", "bootstrap.static", "core.favicon"}
# Endpoints that only touch the caller's own login or language.
SELF_ONLY = {"auth.logout", "auth.login", "auth.change_password", "core.set_language",
             "notify.read_all", "notify.preferences"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
MISSING_ID = 2_000_000_000
# Inside partner A: who walks over whose own objects (another team's, their manager's,
# their owner's).
INSIDE = [("staff", "other_staff"), ("staff", "manager"), ("staff", "owner"),
          ("manager", "other_staff"), ("manager", "owner")]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in SKIP_ENDPOINTS:
            yield rule


def _url(app, rule, values):
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _foreign_url(app, rule, side):
    fill = walk.args()
    missing = [a for a in rule.arguments if a not in fill]
    assert not missing, (f"map URL argument(s) {missing} of {rule.rule} in a domain's "
                         "walk module (ARGS, NEUTRAL or PERSONAL)")
    return _url(app, rule, {a: fill[a](side) for a in rule.arguments})


def _missing_url(app, rule, side):
    """The same route with every object id replaced by one that exists nowhere."""
    fill, neutral = walk.args(), walk.neutral()
    return _url(app, rule, {a: fill[a](side) if a in neutral else MISSING_ID
                            for a in rule.arguments})


def _as(app, user):
    """A client acting as `user`: a browser session, plus a bearer token for the API."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    token = sessions.issue_token(user, "isolation")
    db.session.commit()
    return client, {"Authorization": f"Bearer {token}"}


def _call(client, url, method, headers, markers, must_refuse, failures):
    before = walk.snapshot() if method in WRITE_METHODS else None
    response = client.open(url, method=method, headers=headers, data={})
    body = response.get_data(as_text=True)
    if must_refuse and response.status_code not in (403, 404):
        failures.append(f"{method} {url}: {response.status_code}, expected 403/404")
    leaked = [m for m in markers if m in body]
    if leaked:
        failures.append(f"{method} {url}: shows {leaked}")
    if before is not None:
        changed = walk.changed(before, walk.snapshot())
        if changed:
            failures.append(f"{method} {url}: changed {changed}")
    return response


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _outsiders(world):
    return {"owner_a": world.a.owner, "manager_a": world.a.manager, "staff_a": world.a.staff,
            "channel_manager_a": world.cm}


def _other_team(world):
    person = world.a.other_staff
    return [person.username, person.display_name]


@pytest.mark.parametrize("who", ["owner_a", "manager_a", "staff_a", "channel_manager_a"])
def test_no_route_shows_a_foreign_partner(app, walk_world, who):
    world = walk_world
    viewer = _outsiders(world)[who]
    client, headers = _as(app, viewer)
    markers = walk.markers(world.b)
    if viewer.id in (world.a.manager.id, world.a.staff.id):  # UserMixin compares logins
        markers += _other_team(world)
    neutral = walk.neutral()
    failures = []
    for rule in _routes(app):
        if rule.endpoint in SELF_ONLY:
            continue
        url = _foreign_url(app, rule, world.b)
        names_object = bool(set(rule.arguments) - neutral)
        for method in _methods(rule):
            response = _call(client, url, method, headers, markers, names_object, failures)
            if names_object:
                missing = client.open(_missing_url(app, rule, world.b), method=method,
                                      headers=headers, data={}).status_code
                if missing != response.status_code:
                    failures.append(f"{method} {url}: {response.status_code}, but {missing} "
                                    "for an id that exists nowhere")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("who,whose", INSIDE, ids=[f"{a}-on-{b}" for a, b in INSIDE])
def test_no_route_shows_a_colleagues_own_objects(app, walk_world, who, whose):
    """Staff on their colleague's (another team), manager's and owner's notifications,
    attempts, certificates and owner-only broadcasts; a manager on another team's."""
    world = walk_world
    viewer = getattr(world.a, who)
    mine = world.a.people[whose]
    client, headers = _as(app, viewer)
    markers = walk.personal_markers(mine)
    if whose == "other_staff":
        markers += _other_team(world)
    personal, neutral = walk.personal(), walk.neutral()
    failures, walked = [], 0
    for rule in _routes(app):
        objects = set(rule.arguments) - neutral
        if rule.endpoint in SELF_ONLY or not objects <= set(personal):
            continue
        values = {a: (personal[a](mine) if a in objects else walk.args()[a](world.a))
                  for a in rule.arguments}
        if any(v is None for v in values.values()):
            continue  # this person has no such object
        walked += bool(objects)
        url = _url(app, rule, values)
        for method in _methods(rule):
            _call(client, url, method, headers, markers, bool(objects), failures)
    assert not failures, "\n".join(failures)
    assert walked, f"{whose} of A has no object of their own to walk over"


def test_auditor_reads_everything_and_writes_nothing(app, walk_world):
    world = walk_world
    client, headers = _as(app, world.auditor)
    failures = []
    for rule in _routes(app):
        if rule.endpoint in AUDITOR_MAY_POST:
            continue
        url = _foreign_url(app, rule, world.b)
        for method in sorted(rule.methods & WRITE_METHODS):
            response = _call(client, url, method, headers, [], False, failures)
            if response.status_code != 403:
                failures.append(f"{method} {url}: {response.status_code}, expected 403")
    assert not failures, "\n".join(failures)
    assert client.get(f"/partners/{world.b.partner.id}").status_code == 200


def test_the_walk_covers_every_domain_and_object_route(app, walk_world):
    """Guard against a walk that silently tests nothing."""
    world = walk_world
    neutral = walk.neutral()
    object_routes = [r for r in _routes(app) if set(r.arguments) - neutral]
    assert len(object_routes) >= 40
    for module in walk.modules():
        # Each maps URL arguments; one whose objects are addressed by URL also names them
        # (team health's rows are named by the org walk's partners, teams and people).
        assert module.ARGS or getattr(module, "NEUTRAL", None), module.__name__
        assert module.markers(world.b) or not module.ARGS, module.__name__
    markers = walk.markers(world.b)
    assert len(set(markers)) == len(markers)  # each names one thing
    assert not any(m in n for m in markers for n in walk.markers(world.a))
    assert set(walk.personal()) <= set(walk.args())
