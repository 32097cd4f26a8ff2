"""The scheduler's own upkeep."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete

from portal.extensions import db
from portal.jobs import scheduled
from portal.jobs.models import JobRun, SchedulerBeat

KEEP_RUNS = timedelta(days=90)


@scheduled("jobs.prune_runs", cron="30 3 * * *",
           description=_l("Forget finished job runs older than 90 days."))
def prune_runs(run):
    """Delete old finished runs and beats of schedulers gone for a day; idempotent."""
    db.session.execute(delete(JobRun).where(
        JobRun.finished_at < run.now - KEEP_RUNS,
        JobRun.status.in_(("succeeded", "gave_up", "skipped"))))
    db.session.execute(delete(SchedulerBeat).where(
        SchedulerBeat.seen_at < run.now - timedelta(days=1)))
