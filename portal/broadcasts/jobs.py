"""Scheduled work of broadcasts. Visibility never waits for these jobs (pages derive it
from the clock); they only send notices, each once."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from portal.broadcasts import reminders
from portal.jobs import scheduled


@scheduled("broadcasts.notify_published", every=timedelta(minutes=1),
           description=_l("Announce broadcasts that became visible."))
def notify_published(run):
    reminders.notify_published(run.now)


@scheduled("broadcasts.remind_overdue", every=timedelta(hours=1),
           description=_l("Remind people past an acknowledgement deadline; escalate to "
                          "partner owners."))
def remind_overdue(run):
    reminders.remind_overdue(run.now)
