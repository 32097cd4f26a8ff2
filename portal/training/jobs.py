"""Scheduled work of training: people added after a course was published are enrolled
by role once a day (idempotent: those already enrolled are skipped)."""
from flask_babel import lazy_gettext as _l

from portal.jobs import scheduled
from portal.training import services


@scheduled("training.enroll_new_people", cron="30 2 * * *",
           description=_l("Enroll new people in the published courses of their track."))
def enroll_new_people(run):
    services.enroll_new_people()
