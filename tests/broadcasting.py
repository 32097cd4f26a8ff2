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


def send(client, url, data=None, **kwargs):
    """Post a compose form confirmed the way its script confirms it: ask
    /broadcasts/audience-count for the count first, then post with that code."""
    import re
    data = dict(data or {})
    plain = {k: v for k, v in data.items() if not isinstance(v, (tuple, list))
             or all(isinstance(i, str) for i in v)}
    source = re.search(r"/broadcasts/(\d+)/", url)
    if source:
        plain["source"] = source.group(1)
    count = client.post("/broadcasts/audience-count", data=plain)
    if count.status_code == 200:
        data["confirm"] = count.json["confirm"]
    return client.post(url, data=data, **kwargs)
