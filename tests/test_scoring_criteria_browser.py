"""The criteria pages in Chromium: every page the admin opens (the draft editor too)
keeps the security policy and fits a phone. (tests/test_isolation.py walks their
access with every other route.)"""
import pytest

from tests import walk
from tests.browser import chromium, live_server, open_page  # noqa: F401

MINE = ("scoring.criteria", "scoring.criteria_set", "scoring.criteria_compare",
        "scoring.criteria_preview", "scoring.new_draft", "scoring.discard_draft",
        "scoring.new_criterion", "scoring.edit_criterion", "scoring.remove_criterion",
        "scoring.criteria_weights", "scoring.criteria_tiers", "scoring.publish_criteria",
        "scoring.comment_criteria", "scoring.reply_comment")


def _mine(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint in MINE]


@pytest.mark.browser
@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_criteria_pages_keep_the_security_policy_and_fit_a_phone(
        app, walk_world, open_page, viewport):
    """Every criteria page the admin opens (drafts' editor included) runs without a
    refused script or style, and on a phone nothing is wider than the screen."""
    from flask import url_for

    from portal.extensions import db
    from portal.scoring import criteria
    from tests.browser import DESKTOP, PHONE
    from tests.test_browser import log_in

    draft = criteria.new_draft(walk_world.admin, walk_world.a.criteria_set)
    db.session.commit()
    fill = walk.args()
    urls = []
    for rule in _mine(app):
        if "GET" in rule.methods:
            with app.test_request_context():
                urls.append(url_for(rule.endpoint, **{a: fill[a](walk_world.a)
                                                      for a in rule.arguments}))
    urls += [f"/scoring/criteria/{draft.id}", f"/scoring/criteria/{draft.id}/publish"]
    username = walk_world.admin.username
    db.session.close()
    page = open_page(viewport=PHONE if viewport == "phone" else DESKTOP)
    refused, wide = [], []
    page.on("console", lambda m: refused.append((page.url, m.text))
            if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: refused.append((page.url, str(e))))
    log_in(page, username)
    for url in urls:
        page.goto(url)
        if page.evaluate("document.documentElement.scrollWidth > window.innerWidth + 1"):
            wide.append(url)
    assert refused == [] and wide == []
    assert len(urls) >= 9
