"""Helpers of the broadcast tests: a fixed clock and a one-line way to publish."""
from datetime import datetime, timedelta, timezone

from portal.broadcasts import services
from portal.core import clock
from portal.extensions import db

# 10:00 on a Monday in Shanghai.
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)
DRAFT = object()


def publish(author, *, audience=None, at=None, title="渠道政策调整", body_md="请阅读。",
            category="policy", **fields):
    """Create and commit a broadcast published at `at` (default: now; DRAFT: a draft)."""
    broadcast = services.create_broadcast(
        author, title=title, body_md=body_md, category=category, audience=audience or {},
        publish_at=None if at is DRAFT else (at or clock.now()), **fields)
    db.session.commit()
    return broadcast


def freeze(moment=T0):
    clock.set_now(moment)
    return moment


def later(**delta):
    clock.advance(timedelta(**delta))
    return clock.now()
