"""Scheduled work of exams. Deadlines never wait for these jobs (an attempt open at its
deadline counts as submitted in every query); the jobs write that down, plan recurring
sittings, top up assignments and send the opening notice and the closing reminder."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from portal.exams import notices, services, taking
from portal.jobs import scheduled


@scheduled("exams.submit_expired", every=timedelta(minutes=1),
           description=_l("Submit attempts whose time is up with what was saved."))
def submit_expired(run):
    while taking.submit_expired(run.now):
        pass


@scheduled("exams.plan_sittings", every=timedelta(minutes=15),
           description=_l("Plan the sittings of repeating exams a week ahead and assign "
                          "people who joined since a sitting opened."))
def plan_sittings(run):
    services.plan_all(run.now)


@scheduled("exams.notices", every=timedelta(minutes=5),
           description=_l("Announce sittings that opened; remind people who have not "
                          "submitted before a window closes."))
def exam_notices(run):
    notices.announce_open(run.now)
    notices.remind_closing(run.now)
