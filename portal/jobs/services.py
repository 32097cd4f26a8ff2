"""What the jobs page shows: each job with its next and last run, and recent runs."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.core.clock import now
from portal.extensions import db
from portal.jobs import JOBS, Job
from portal.jobs.models import JobRun, SchedulerBeat
from portal.jobs.runner import DISPATCH_GRACE, next_slot


@dataclass
class JobView:
    job: Job
    next_run: datetime | None
    last: JobRun | None


def job_overview() -> list[JobView]:
    """Every registered job with its next slot (from its trigger) and its latest run."""
    latest = select(JobRun.job_name, func.max(JobRun.id).label("id")).group_by(
        JobRun.job_name).subquery()
    runs = {r.job_name: r for r in db.session.execute(
        select(JobRun).join(latest, JobRun.id == latest.c.id)).scalars()}
    moment = now()
    return [JobView(job, next_slot(job, moment), runs.get(name))
            for name, job in sorted(JOBS.items())]


def recent_runs(job_name: str | None = None, status: str | None = None):
    """Runs newest first, for pagination."""
    query = select(JobRun).order_by(JobRun.id.desc())
    if job_name:
        query = query.where(JobRun.job_name == job_name)
    if status:
        query = query.where(JobRun.status == status)
    return query


def scheduler_alive() -> SchedulerBeat | None:
    """The most recent beat, if a scheduler was seen lately."""
    beat = db.session.execute(select(SchedulerBeat).order_by(SchedulerBeat.seen_at.desc())
                              .limit(1)).scalar_one_or_none()
    if beat is None or beat.seen_at < now() - DISPATCH_GRACE:
        return None
    return beat
