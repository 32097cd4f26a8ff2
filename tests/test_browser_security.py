"""The Content-Security-Policy holds in a real browser: every page a role opens (each
GET endpoint of the access table, on partner A's objects) runs without one refused
script or style, and the security headers are on pages and API answers alike."""
import pytest
from flask import url_for

from portal.extensions import db
from tests import walk
from tests.browser import DESKTOP, chromium, live_server, open_page  # noqa: F401
from tests.conftest import login
from tests.test_access_rules import ALLOWED, _user
from tests.test_browser import log_in

pytestmark = pytest.mark.browser

# Endpoints that answer with a file or JSON, or end the session.
NOT_PAGES = ("auth.logout", "core.set_language", "core.healthz", "api-docs.openapi_json",
             "core.favicon",
             "broadcasts.attachment", "exams.certificate_pdf", "exams.not_taken",
             "manage.import_template", "manage.region_children",
             "habits.export_customers", "habits.customer_import_template",
             "habits.visit_customers", "habits.visit_sw",
             "results.export_orders", "results.export_payments",
             "results.order_import_template", "results.payment_import_template",
             "health.overview_csv",
             "service.export_tickets", "service.ticket_import_template",
             "compliance.export_dues", "compliance.due_import_template",
             "compliance.violation_file", "registrations.evidence_file",
             "scoring.scorecards_csv", "scoring.appeal_file",
             "reports.pdf", "reports.csv", "reports.status")


def _pages(app, world, role) -> list[str]:
    fill = walk.args()
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint not in ALLOWED or \
                role not in ALLOWED[rule.endpoint] or rule.endpoint in NOT_PAGES or \
                "_api." in rule.endpoint or rule.endpoint.startswith("account."):
            continue
        with app.test_request_context():
            urls.append(url_for(rule.endpoint, **{a: fill[a](world.a) for a in rule.arguments}))
    return sorted(urls)


@pytest.mark.parametrize("role", ["admin", "staff"])
def test_no_page_breaks_the_content_security_policy(app, walk_world, open_page, role):
    urls = _pages(app, walk_world, role)
    username = _user(walk_world, role).username
    db.session.close()
    page = open_page(viewport=DESKTOP)
    refused = []
    page.on("console", lambda m: refused.append((page.url, m.text))
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append((page.url, str(e))))
    log_in(page, username)
    assert len(urls) > 10
    for url in urls:
        page.goto(url)
    assert refused == []


def test_pages_and_api_answers_carry_the_security_headers(client, world):
    login(client, world.a.staff)
    from tests.test_api import bearer
    for response in (client.get("/"), client.get("/api/v1/me", headers=bearer(world.a.staff))):
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


@pytest.mark.config(FORCE_HTTPS=True)
def test_behind_https_plain_http_is_redirected_and_hsts_sent(client):
    plain = client.get("/login")
    assert plain.status_code in (301, 302) and plain.headers["Location"].startswith("https://")
    secure = client.get("/login", base_url="https://portal.example.cn")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_site_has_an_icon_for_tabs_and_home_screens(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype in ("image/vnd.microsoft.icon",
                                                          "image/x-icon")
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="apple-touch-icon"' in page and 'rel="manifest"' in page
    manifest = client.get("/static/manifest.webmanifest")
    assert manifest.status_code == 200 and b"icon-192.png" in manifest.data
