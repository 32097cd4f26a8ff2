"""Upkeep of logins and tokens."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_

from portal.auth.models import LoginSession
from portal.extensions import db
from portal.jobs import scheduled

KEEP_ENDED = timedelta(days=30)


@scheduled("auth.prune_sessions", cron="40 3 * * *",
           description=_l("Forget logins that ended or expired more than 30 days ago."))
def prune_sessions(run):
    """Delete login rows that can no longer be used and are past keeping; idempotent."""
    expired_before = run.now - timedelta(hours=current_app.config["LOGIN_MAX_AGE_HOURS"])
    db.session.execute(delete(LoginSession).where(or_(
        LoginSession.ended_at < run.now - KEEP_ENDED,
        LoginSession.created_at < expired_before - KEEP_ENDED)))
