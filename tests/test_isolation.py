"""The URL-map walk: every route, every role, objects of a foreign partner.

Each route is called with the ids of partner B's objects by every user who must not see
partner B (partner A's owner, manager and staff, and the channel manager assigned only to
A). A route that takes an object must answer 403 or 404; any page must not show partner
B's names, codes or people, nor people of A that the user may not see. The auditor may
read but every write route answers 403. New routes are walked automatically; a route
with a URL argument this file does not know fails until the argument is mapped below."""
import pytest
from sqlalchemy import func, select

from portal.auth import sessions
from portal.core.audit import AuditLog
from portal.core.web import AUDITOR_MAY_POST
from portal.extensions import db
from tests.conftest import login

# How to fill each URL argument with an object of the foreign partner (B).
FOREIGN_ARGS = {
    "partner_id": lambda w: w.b.partner.id,
    "team_id": lambda w: w.b.team.id,
    "user_id": lambda w: w.b.staff.id,
    "territory_id": lambda w: w.b.territory.id,
    "code": lambda w: "33",  # region codes and language codes are public
    "status": lambda w: "suspended",
    "action": lambda w: "deactivate",
    "name": lambda w: "jobs.prune_runs",
    "notification_id": lambda w: w.b.notification.id,
    "webhook_id": lambda w: w.b.webhook.id,
    "broadcast_id": lambda w: w.b.broadcast.id,
    "attachment_id": lambda w: w.b.attachment.id,
    "course_id": lambda w: w.b.course.id,
    "lesson_id": lambda w: w.b.lesson.id,  # job names are the principal's, not a partner's
    "exam_id": lambda w: w.b.exam.id,
    "sitting_id": lambda w: w.b.sitting.id,
    "attempt_id": lambda w: w.b.attempt.id,
    "certificate_id": lambda w: w.b.certificate.id,
    "override_id": lambda w: w.b.override.id,
}
# Arguments that do not name a partner's object.
NEUTRAL_ARGS = {"code", "status", "action", "name"}
SKIP_ENDPOINTS = {"static", "bootstrap.static"}
# Endpoints that only touch the caller's own login or language.
SELF_ONLY = {"auth.logout", "auth.login", "auth.change_password", "core.set_language",
             "notify.read_all", "notify.preferences"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        yield rule


def _url(app, rule, world):
    missing = [a for a in rule.arguments if a not in FOREIGN_ARGS]
    assert not missing, f"map URL argument(s) {missing} of {rule.rule} in FOREIGN_ARGS"
    values = {a: FOREIGN_ARGS[a](world) for a in rule.arguments}
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def _forbidden_markers(world, viewer):
    b = world.b
    markers = [b.partner.name, b.partner.uscc, b.owner.username, b.manager.username,
               b.staff.username, b.other_staff.username, b.team.name]
    if viewer in (world.a.manager, world.a.staff):
        markers += [world.a.other_staff.username]  # another team of their own partner
    return markers


def _as(app, world, user):
    """A client acting as `user`: a browser session, plus a bearer token for the API."""
    client = app.test_client()
    assert login(client, user).status_code == 302
    token = sessions.issue_token(user, "isolation")
    db.session.commit()
    return client, {"Authorization": f"Bearer {token}"}


def _audit_count():
    return db.session.execute(select(func.count()).select_from(AuditLog).where(
        AuditLog.action.notin_(["login", "create"]))).scalar()


def _outsiders(world):
    return {"owner_a": world.a.owner, "manager_a": world.a.manager, "staff_a": world.a.staff,
            "channel_manager_a": world.cm}


@pytest.mark.parametrize("who", ["owner_a", "manager_a", "staff_a", "channel_manager_a"])
def test_no_route_shows_a_foreign_partner(app, walk_world, who):
    world = walk_world
    viewer = _outsiders(world)[who]
    client, headers = _as(app, world, viewer)
    markers = _forbidden_markers(world, viewer)
    failures = []
    for rule in _routes(app):
        if rule.endpoint in SELF_ONLY:
            continue
        url = _url(app, rule, world)
        names_object = bool(set(rule.arguments) - NEUTRAL_ARGS)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            before = _audit_count()
            response = client.open(url, method=method, headers=headers, data={})
            body = response.get_data(as_text=True)
            if names_object and response.status_code not in (403, 404):
                failures.append(f"{method} {url}: {response.status_code}, expected 403/404")
            leaked = [m for m in markers if m in body]
            if leaked:
                failures.append(f"{method} {url}: shows {leaked}")
            if method in WRITE_METHODS and _audit_count() != before:
                failures.append(f"{method} {url}: changed data")
    assert not failures, "\n".join(failures)


def test_auditor_reads_everything_and_writes_nothing(app, walk_world):
    world = walk_world
    client, headers = _as(app, world, world.auditor)
    failures = []
    for rule in _routes(app):
        if rule.endpoint in AUDITOR_MAY_POST:
            continue
        url = _url(app, rule, world)
        for method in sorted(rule.methods & WRITE_METHODS):
            before = _audit_count()
            response = client.open(url, method=method, headers=headers, data={})
            if response.status_code != 403:
                failures.append(f"{method} {url}: {response.status_code}, expected 403")
            if _audit_count() != before:
                failures.append(f"{method} {url}: changed data")
    assert not failures, "\n".join(failures)
    assert client.get(f"/partners/{world.b.partner.id}").status_code == 200


def test_the_walk_covers_object_routes(app, walk_world):
    """Guard against a walk that silently tests nothing."""
    world = walk_world
    object_routes = [r for r in _routes(app) if set(r.arguments) - NEUTRAL_ARGS]
    assert len(object_routes) >= 4
