"""Scheduled work of notifications: send what is due, forget what is old."""
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.jobs import scheduled
from portal.notify import services
from portal.notify.sending import deliver_due

# Read notifications and finished deliveries are kept this long unless configured.
KEEP_DAYS = 180


@scheduled("notify.deliver", every=timedelta(minutes=1),
           description=_l("Send waiting e-mails and chat-group messages; retry failures."))
def deliver(run):
    deliver_due(run.now)


@scheduled("notify.prune", cron="40 3 * * *",
           description=_l("Delete old read notifications and finished deliveries."))
def prune(run):
    services.prune(int(current_app.config.get("NOTIFY_KEEP_DAYS", KEEP_DAYS)))
