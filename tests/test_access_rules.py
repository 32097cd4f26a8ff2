"""Who may call which endpoint: the endpoint × role table.

Every endpoint of the URL map is listed with the roles that get past its access checks
when they call it on partner A's objects (the walk's world, `tests/walk.py`): everyone
else must get 403 or 404. An endpoint missing from the table fails the test until it is
classified, so a new route is a decision, not an accident. On top of the table, the
auditor is refused every write but the few in AUDITOR_MAY_POST (`portal/core/web.py`).
Each role walks in its own world, endpoints in name order and logging out last."""
import pytest
from flask import url_for

from portal.auth import sessions
from portal.core.web import AUDITOR_MAY_POST
from portal.extensions import db
from tests import walk
from tests.conftest import login

# Least privileged first: a check taken away fails fastest there (scripts/mutants.py).
ROLES = ("staff", "manager", "owner", "auditor", "channel_manager", "admin")
EVERYONE = set(ROLES)
PRINCIPAL = {"admin", "channel_manager", "auditor"}
READERS = PRINCIPAL | {"owner"}
COMPOSERS = {"admin", "channel_manager"}
STAFF_MANAGERS = COMPOSERS | {"owner"}

ALLOWED = {
    # Open to every signed-in person (what they then see is their scope's business).
    **dict.fromkeys([
        "account.me", "api-docs.openapi_json", "auth.change_password", "auth.login",
        "auth.tokens", "core.favicon",
        "auth.logout", "core.healthz", "core.set_language", "manage.region_children",
        "notify.centre", "notify.preferences", "notify.read_all", "org.home",
        "org.partner", "org.partners", "org.person", "org.team", "partners.partner_detail",
        "partners.partner_list", "partners.partner_people", "training.index",
        "broadcasts.attachment", "broadcasts.history", "broadcasts.inbox",
        "broadcasts.read", "broadcasts_api.broadcast_detail", "broadcasts_api.inbox",
        "exams.attempt", "exams.certificate", "exams.certificate_pdf", "exams.certificates",
        "exams.index", "exams.result", "exams.sitting", "exams_api.attempt_detail",
        "exams_api.my_exams"], EVERYONE),
    # Broadcasts: the principal composes, partners read and acknowledge, owners nudge.
    **dict.fromkeys(["broadcasts.new", "broadcasts.audience_count", "broadcasts_api.create"],
                    COMPOSERS),
    # A's broadcasts are the admin's: only their author (or an admin) changes them.
    **dict.fromkeys(["broadcasts.edit", "broadcasts.supersede"], {"admin"}),
    **dict.fromkeys(["broadcasts.index", "broadcasts.fidelity"], PRINCIPAL),
    **dict.fromkeys(["broadcasts.reach", "broadcasts_api.broadcast_reach"], READERS),
    **dict.fromkeys(["broadcasts.ack", "broadcasts_api.acknowledge"],
                    {"owner", "manager", "staff"}),
    # Owners remind their partner's people who have not acknowledged, team leads their team.
    "broadcasts.nudge": {"owner", "manager"},
    # Habits — rule versions, review queue, team's day (helper C). Everyone reads the
    # rule, the admin publishes; owners and team leads decide flags; readers of figures
    # and team leads see the team's day.
    **dict.fromkeys(["habits.rules", "habits.rule"], EVERYONE),
    "habits.new_rule": {"admin"},
    **dict.fromkeys(["habits.review", "habits.decide_flag"], {"owner", "manager"}),
    "habits.team": READERS | {"manager"},
    # Habits — customer pages (helper A). Everyone reads the book its scope shows (A's
    # customer is A's staff's); the partner's people add and change customers (admins
    # change everything); the owner imports a whole book.
    **dict.fromkeys(["habits.customers", "habits.customer", "habits.export_customers"],
                    EVERYONE),
    "habits.new_customer": {"owner", "manager", "staff"},
    "habits.edit_customer": {"owner", "manager", "staff", "admin"},
    **dict.fromkeys(["habits.import_customers", "habits.customer_import_template"],
                    {"owner"}),
    # Habits — API for partners' own CRMs (helper D). Everyone lists what its scope
    # shows; only the partner's people send batches (`habits.log`).
    **dict.fromkeys(["habits_api.visit_list", "habits_api.customer_list"], EVERYONE),
    **dict.fromkeys(["habits_api.log_visits", "habits_api.add_customers"],
                    {"owner", "manager", "staff"}),
    # Habits — logging visits and the day (helper B): the partner's people (`habits.log`);
    # the visit page's service worker script is for anyone signed in.
    **dict.fromkeys(["habits.log_visit", "habits.visit_customers", "habits.visit_new_customer",
                     "habits.preview_visit", "habits.save_visit", "habits.today"],
                    {"owner", "manager", "staff"}),
    "habits.visit_sw": EVERYONE,
    # Results — API for partners' own CRMs (helper B). Everyone lists what its scope
    # shows (`results.read`); only the partner's people send batches (`results.record`).
    **dict.fromkeys(["results_api.order_list", "results_api.payment_list"], EVERYONE),
    **dict.fromkeys(["results_api.record_orders", "results_api.record_payments"],
                    {"owner", "manager", "staff"}),
    # Results — targets (helper C). Everyone opens the entry (partner people land on
    # their partner, team or themselves); a partner's figures are its readers', a team's
    # also its lead's, a person's also its own (A's staff). Channel managers and admins
    # set partner targets, the owner team targets, owner and team lead person targets.
    "results.targets": EVERYONE,
    "results.partner_targets": READERS,
    "results.team_targets": READERS | {"manager"},
    "results.person_targets": EVERYONE,
    "results.set_partner_targets": COMPOSERS,
    "results.set_team_targets": {"owner"},
    "results.set_person_targets": {"owner", "manager"},
    # Results — order and payment pages (helper A). Everyone reads the orders and
    # payments its scope shows (A's order is A's staff's); the partner's people record
    # them (`results.record`); the owner imports a whole file (`results.import`).
    **dict.fromkeys(["results.orders", "results.order", "results.export_orders",
                     "results.payments", "results.export_payments"], EVERYONE),
    **dict.fromkeys(["results.new_order", "results.new_payment"],
                    {"owner", "manager", "staff"}),
    **dict.fromkeys(["results.import_orders", "results.order_import_template",
                     "results.import_payments", "results.payment_import_template"],
                    {"owner"}),
    # Capacity: the principal and owners plan (A's territory, or the market over A);
    # readers of figures (auditors too) read A's saved plan, which A's owner made.
    **dict.fromkeys(["capacity.new_plan", "capacity.compute"], STAFF_MANAGERS),
    **dict.fromkeys(["capacity.plans_list", "capacity.plan"], READERS),
    "capacity_api.region_capacity": STAFF_MANAGERS,
    # Team health — the principal's home: every partner it may see, as a page and a CSV.
    **dict.fromkeys(["health.overview", "health.overview_csv"], PRINCIPAL),
    # Health drill-down: a partner's month is its figures' readers', a team's also
    # its lead's, a person's everyone who sees the person (A's staff: its own).
    "health.partner": READERS,
    "health.team": READERS | {"manager"},
    "health.person": EVERYONE,
    # Team health — the rule's page: everyone reads every version, the admin
    # publishes one and recomputes this month; the API lists what each scope shows, a
    # partner's month to its readers, a team's also to its lead, A's staff's to all.
    **dict.fromkeys(["health.rules", "health_api.health_list", "health_api.person_health"],
                    EVERYONE),
    **dict.fromkeys(["health.new_rule", "health.compute_now"], {"admin"}),
    # Owners and team leads remind their own people from the home's to-dos and assess
    # them; the owner sets its partner's assessment weights.
    **dict.fromkeys(["health.nudge", "health.assessment_page"], {"owner", "manager"}),
    "health.assessment_weights": {"owner"},
    "health_api.partner_health": READERS,
    "health_api.team_health": READERS | {"manager"},
    # Contests: everyone lists those it organises or takes part in; channel managers and
    # owners organise. A's contest is its owner's between its teams: the owner and the
    # teams' people see it (not the channel manager); the owner (or an admin) cancels.
    **dict.fromkeys(["contests.index", "contests_api.contest_list"], EVERYONE),
    "contests.new": {"channel_manager", "owner"},
    **dict.fromkeys(["contests.contest", "contests_api.standings"],
                    {"admin", "auditor", "owner", "manager", "staff"}),
    "contests.cancel": {"admin", "owner"},
    # Service tickets (helper H2): the partner's owner and team leads keep their own, a
    # channel manager its partners', the principal reads all; everyone reads the service
    # rule, the admin publishes it.
    **dict.fromkeys(["service.tickets_list", "service.export_tickets", "service.ticket",
                     "service.summary", "service_api.ticket_list"], READERS | {"manager"}),
    **dict.fromkeys(["service.new_ticket", "service.update_ticket", "service.import_tickets",
                     "service.ticket_import_template", "service_api.add_tickets"],
                    COMPOSERS | {"owner", "manager"}),
    "service.rules_page": EVERYONE,
    "service.new_rule": {"admin"},
    # Good faith (helper H2): the principal enters violations and dues, the partner's
    # owner and team leads read theirs, the owner answers a violation once.
    **dict.fromkeys(["compliance.violations_list", "compliance.violation",
                     "compliance.violation_file", "compliance.dues_list",
                     "compliance.export_dues", "compliance.due",
                     "compliance_api.violation_list", "compliance_api.due_list"],
                    READERS | {"manager"}),
    **dict.fromkeys(["compliance.new_violation", "compliance.withdraw_violation",
                     "compliance.new_due", "compliance.record_payment",
                     "compliance.import_dues", "compliance.due_import_template"], COMPOSERS),
    "compliance.answer_violation": {"owner"},
    # Customer registrations: everyone reads its list, the rule and its cases (A's
    # registration is its staff's, the case between A and a third partner); the partner's
    # people register, look up, claim from the pool, contest and add evidence; the
    # holder's people (or an admin) release; A's channel manager (or an admin) decides
    # reviews and cases; the admin publishes rule versions and adds direct accounts.
    **dict.fromkeys(["registrations.index", "registrations.registration",
                     "registrations.case_list", "registrations.case",
                     "registrations.evidence_file", "registrations.rule_page",
                     "registrations_api.registration_list"], EVERYONE),
    **dict.fromkeys(["registrations.new", "registrations.lookup", "registrations.pool_page",
                     "registrations.claim", "registrations.contest",
                     "registrations.add_evidence", "registrations_api.create"],
                    {"owner", "manager", "staff"}),
    "registrations.release": {"admin", "owner", "manager", "staff"},
    **dict.fromkeys(["registrations.review_queue", "registrations.review",
                     "registrations.decide"], COMPOSERS),
    "registrations.direct_accounts": PRINCIPAL,
    **dict.fromkeys(["registrations.new_rule", "registrations.add_direct"], {"admin"}),
    # Scoring criteria (helper H3): the published versions are read by everyone but
    # staff; the admin drafts, edits, previews and publishes (the walk's version is
    # upcoming, so still editable); partners' owners and team leads, channel managers and
    # the admin comment on it; the principal's side answers A's comment.
    **dict.fromkeys(["scoring.criteria", "scoring.criteria_set", "scoring.criteria_compare"],
                    EVERYONE - {"staff"}),
    **dict.fromkeys(["scoring.criteria_preview", "scoring.new_draft", "scoring.discard_draft",
                     "scoring.new_criterion", "scoring.edit_criterion",
                     "scoring.remove_criterion", "scoring.criteria_weights",
                     "scoring.criteria_tiers", "scoring.publish_criteria"], {"admin"}),
    "scoring.comment_criteria": {"owner", "manager", "channel_manager", "admin"},
    "scoring.reply_comment": COMPOSERS,
    # Scorecards and appeals (helper H4): the readers of figures (A's owner its own) read
    # A's scorecard, what-if, appeals and tier changes; A's channel manager and the admin
    # recompute, decide A's open appeal and review A's pending demotion; only the owner
    # appeals; both sides write in the appeal's thread.
    **dict.fromkeys(["scoring.scorecards", "scoring.scorecards_csv", "scoring.scorecard",
                     "scoring.whatif", "scoring.appeals", "scoring.appeal",
                     "scoring.appeal_file", "scoring.tiers", "scoring_api.scorecard_list",
                     "scoring_api.partner_scorecard", "scoring_api.appeal_list",
                     "scoring_api.appeal_detail"], READERS),
    **dict.fromkeys(["scoring.recompute", "scoring.decide_appeal", "scoring.review_tier"],
                    COMPOSERS),
    **dict.fromkeys(["scoring.new_appeal", "scoring_api.appeal_create"], {"owner"}),
    "scoring.appeal_message": {"owner", "channel_manager", "admin"},
    # Reports: the catalogue and A's report for the principal's people and A's owner;
    # anyone signed in checks a file on the verification page.
    **dict.fromkeys(["reports.catalogue", "reports.new", "reports.report", "reports.status",
                     "reports.pdf", "reports.csv", "reports_api.report_list",
                     "reports_api.report_detail", "reports_api.report_pdf",
                     "reports_api.report_csv"], READERS),
    "reports.verify": EVERYONE,
    # Exams: the principal schedules, readers of figures read reports, partners take.
    **dict.fromkeys(["exams.new", "exams.edit", "exams.cancel", "exams.schedule",
                     "exams.remove_override"], COMPOSERS),
    **dict.fromkeys(["exams.manage", "exams.detail", "exams.overrides"], PRINCIPAL),
    **dict.fromkeys(["exams.reports", "exams.exam_report", "exams.not_taken",
                     "exams_api.coverage"], READERS | {"manager"}),
    # Owners and team leads remind their own people of A's open sitting.
    "exams.nudge": {"owner", "manager"},
    # A's exam is for staff: only A's staff may start, answer and submit their attempt.
    **dict.fromkeys(["exams.start", "exams.save_answers", "exams.submit", "exams_api.start",
                     "exams_api.save_answers", "exams_api.submit"], {"staff"}),
    # Jobs, audit log, delivery log.
    "jobs.index": {"admin", "auditor"},
    "jobs.run_now": {"admin"},
    "manage.audit_log": {"admin", "auditor"},
    "notify.deliveries": {"admin", "auditor"},
    # Organisation: the admin creates partners and principal accounts; the channel manager
    # and the owner manage the partner's teams and people.
    **dict.fromkeys(["manage.new_partner", "manage.edit_partner", "manage.partner_status",
                     "manage.add_territory", "manage.remove_territory", "manage.new_account",
                     "manage.users", "manage.reset_password"], {"admin"}),
    **dict.fromkeys(["manage.new_team", "manage.edit_team", "manage.team_active",
                     "manage.new_person", "manage.edit_person", "manage.person_active",
                     "manage.import_people", "manage.import_template", "manage.unlock_login"],
                    STAFF_MANAGERS),
    # Notifications: webhooks are the partner's (owner) or its channel manager's.
    **dict.fromkeys(["notify.new_webhook", "notify.edit_webhook", "notify.test_webhook",
                     "notify.webhook_active"], STAFF_MANAGERS),
    "notify.webhooks": READERS,
    "notify.open_notification": {"staff"},  # the walk's notification is A's staff's
    "auth.revoke_token": {"staff", "admin"},  # the walk's token is A's staff's
    # Training: the principal authors; A's course is for staff (their team lead follows
    # it) and the admin's, so only the admin changes it.
    "training.new_course": COMPOSERS,
    **dict.fromkeys(["training.edit_course", "training.new_lesson", "training.edit_lesson",
                     "training.move_lesson", "training.publish", "training.unpublish"],
                    {"admin"}),
    "training.enroll": STAFF_MANAGERS,
    "training.progress": READERS,
    **dict.fromkeys(["training.course", "training.lesson"], EVERYONE),
    "training.complete": {"staff"},
}
SKIP_ENDPOINTS = {"static", "bootstrap.static"}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Values other than the walk's for a few neutral arguments.
VALUES = {"core.set_language": {"code": "en"}, "reports.new": {"code": "scorecard"},
          **dict.fromkeys(["reports_api.report_pdf", "reports_api.report_csv"],
                          {"kind": "scorecard"})}


def _user(world, role):
    return {"admin": world.admin, "channel_manager": world.cm, "auditor": world.auditor,
            "owner": world.a.owner, "manager": world.a.manager, "staff": world.a.staff}[role]


def _endpoints(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIP_ENDPOINTS]
    return sorted(rules, key=lambda r: (r.endpoint == "auth.logout", r.endpoint))


def test_every_endpoint_is_in_the_table(app):
    endpoints = {r.endpoint for r in _endpoints(app)}
    assert not endpoints - set(ALLOWED), \
        f"classify these endpoints in ALLOWED: {sorted(endpoints - set(ALLOWED))}"
    assert not set(ALLOWED) - endpoints, f"gone: {sorted(set(ALLOWED) - endpoints)}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_endpoints(app, walk_world, role):
    world = walk_world
    user = _user(world, role)
    client = app.test_client()
    assert login(client, user).status_code == 302
    headers = {"Authorization": f"Bearer {sessions.issue_token(user, 'rules')}"}
    db.session.commit()
    fill = walk.args()
    failures = []
    for rule in _endpoints(app):
        if rule.endpoint not in ALLOWED:
            continue  # the test above says so
        values = {a: fill[a](world.a) for a in rule.arguments}
        values.update(VALUES.get(rule.endpoint, {}))
        with app.test_request_context():
            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            allowed = role in ALLOWED[rule.endpoint] and not (
                role == "auditor" and method in WRITE_METHODS
                and rule.endpoint not in AUDITOR_MAY_POST)
            status = client.open(url, method=method, headers=headers, data={}).status_code
            if status >= 500 or (status in (403, 404)) == allowed:
                failures.append(f"{method} {url} ({rule.endpoint}): {status}, expected "
                                + ("access" if allowed else "403/404"))
    assert not failures, "\n".join(failures)


# Links and buttons shown by a named rule: (page as a function of the world, marker, rule
# roles). Each role sees the marker exactly when the rule names it, so a hidden button and
# a refused route never follow different rules.
SHOWN_BY_RULE = [
    (lambda w: "/training/", lambda w: 'id="nav-exams"', {"owner", "manager", "staff"}),
    (lambda w: "/training/", lambda w: 'id="nav-exams-manage"', PRINCIPAL),
    (lambda w: "/training/", lambda w: 'id="nav-report-catalogue"', READERS),
    (lambda w: f"/partners/{w.a.partner.id}",
     lambda w: f'href="/partners/{w.a.partner.id}/webhooks"', READERS),
    # Searching people: everyone but staff, who only ever see themselves.
    (lambda w: f"/partners/{w.a.partner.id}", lambda w: 'name="q"', EVERYONE - {"staff"}),
    # A person's history in the audit log: the log's own readers.
    (lambda w: f"/people/{w.a.staff.id}", lambda w: 'id="person-history"', {"admin", "auditor"}),
]


@pytest.mark.parametrize("role", ROLES)
def test_links_follow_the_rules_of_their_routes(app, world, role):
    client = app.test_client()
    assert login(client, _user(world, role)).status_code == 302
    for page, marker, roles in SHOWN_BY_RULE:
        body = client.get(page(world)).get_data(as_text=True)
        assert (marker(world) in body) == (role in roles), (page(world), marker(world), role)


@pytest.mark.parametrize("path, current", [
    ("/broadcasts/", "broadcast-list"), ("/exams/manage/", "nav-exams-manage"),
    ("/exams/reports/", "nav-reports"), ("/exams/certificates/", "nav-certificates"),
    ("/manage/audit", "nav-audit"), ("/training/", "nav-training"),
])
def test_the_navigation_marks_the_current_section_and_offers_a_skip_link(
        client, world, path, current):
    login(client, world.admin)
    page = client.get(path).get_data(as_text=True)
    marked = [m for m in page.split("<a ") if 'aria-current="page"' in m]
    sections = [m for m in marked if "nav-link" in m]
    # One section is marked: the link itself, or the menu holding it and the item in it.
    assert len(sections) == 1 and any(f'id="{current}"' in m for m in marked)
    assert len(marked) <= 2
    assert 'href="#main"' in page and 'id="main"' in page
