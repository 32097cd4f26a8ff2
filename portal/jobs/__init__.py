"""Scheduled jobs: a registry of named jobs with their triggers.

A domain declares its jobs in its own `jobs.py`:

    @scheduled("notify.deliver", every=timedelta(minutes=1), description=_l("..."))
    def deliver(run):          # run.now, run.scheduled_for, run.attempt
        ...                    # side effects only, idempotent; no commit needed

The scheduler process (`flask --app app scheduler run`) fires them through APScheduler;
`portal.jobs.runner.run_job` wraps every run with the exactly-once lock, the outcome
record and retries."""
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from portal.core.clock import BUSINESS_TZ


@dataclass
class Job:
    name: str
    func: Callable
    trigger: object
    description: object = ""
    retries: int = 3
    cron: str | None = None
    every: timedelta | None = None


@dataclass
class Run:
    """What a job function is told about the run it is doing."""
    job: Job
    now: datetime
    scheduled_for: datetime
    attempt: int = 1


JOBS: dict[str, Job] = {}


def scheduled(name: str, *, cron: str | None = None, every: timedelta | None = None,
              description="", retries: int = 3):
    """Register the decorated function as job `name`, fired by a cron expression (in the
    business timezone) or at a fixed interval."""
    if (cron is None) == (every is None):
        raise ValueError("give exactly one of cron= or every=")
    if cron is not None:
        trigger = CronTrigger.from_crontab(cron, timezone=BUSINESS_TZ)
    else:
        # Anchored at a fixed instant so every process computes the same fire times.
        trigger = IntervalTrigger(seconds=int(every.total_seconds()),
                                  start_date=datetime(2026, 1, 1, tzinfo=BUSINESS_TZ))

    def register(func):
        JOBS[name] = Job(name, func, trigger, description, retries, cron, every)
        return func
    return register


from portal.core.domains import Domain  # noqa: E402

DOMAIN = Domain(
    name="jobs",
    models=("portal.jobs.models",),
    policies=("portal.jobs.policies",),
    jobs=("portal.jobs.housekeeping",),
    blueprints=("portal.jobs.routes:bp",),
    cli=("portal.jobs.scheduler:scheduler_cli",),
)
