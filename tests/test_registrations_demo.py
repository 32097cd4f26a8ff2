"""The demo's registrations: live countdowns (one ending within a day), refusals with
their reasons, reviews, a customer in the open pool, direct accounts, a conflict case
decided with its reason and one open."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.core.clock import now
from portal.extensions import db
from portal.registrations import pool
from portal.registrations.models import ConflictCase, DirectAccount, Registration, live

pytestmark = pytest.mark.template("demo")


def _count(*conditions):
    return db.session.execute(select(func.count()).select_from(Registration)
                              .where(*conditions)).scalar()


def test_the_demo_holds_every_kind_of_registration(app):
    at = now()
    assert _count(live(at)) >= 30
    assert _count(live(at), Registration.expires_at <= at + timedelta(days=1)) >= 1
    assert _count(Registration.status == "review") >= 1
    reasons = set(db.session.execute(select(Registration.reason).where(
        Registration.status == "refused")).scalars())
    assert {"direct_account", "protected"} <= reasons
    assert db.session.query(DirectAccount).count() == 2


def test_the_demo_has_a_pool_customer_and_cases_open_and_decided(app):
    at = now()
    pooled = db.session.execute(select(Registration).where(
        Registration.status == "protected", Registration.expires_at <= at)).scalars().first()
    assert pooled is not None
    assert db.session.execute(pool.pool_query(pooled.partner_id, at)).first() is not None
    states = dict(db.session.execute(select(ConflictCase.state, func.count())
                                     .group_by(ConflictCase.state)).all())
    assert states.get("open", 0) >= 1 and states.get("decided", 0) >= 1
    decided = db.session.execute(select(ConflictCase).where(
        ConflictCase.state == "decided")).scalars().first()
    assert decided.reason and decided.caused_by_partner_id is not None
