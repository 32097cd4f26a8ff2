"""The scheduler process: `flask --app app scheduler run`.

It runs apart from the web workers (however many there are), keeps its schedule in the
portal's database (APScheduler's SQLAlchemy job store, so a restart remembers when each
job was due) and calls `runner.fire` for each job. Every run is claimed in the database,
so a second scheduler started by mistake does no duplicate work."""
import signal
import threading
import time

import click
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import ConflictingIdError, JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import AppGroup

from portal.extensions import db
from portal.jobs import JOBS

DISPATCH_EVERY_SECONDS = 5
# APScheduler skips a run that starts more than a second late unless told otherwise; a
# job missed while the scheduler was down runs once (coalesced) when it comes back.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}

_app = None  # the app the scheduler's worker threads run jobs in


def fire_job(name: str) -> None:
    """APScheduler's entry point for a stored job (referenced by its import path)."""
    from portal.jobs import runner
    with _app.app_context():
        runner.fire(name)


def dispatch_requests() -> None:
    from portal.jobs import runner
    with _app.app_context():
        runner.dispatch()


def build_scheduler(app) -> BackgroundScheduler:
    """A scheduler whose persistent store is the portal's database."""
    global _app
    _app = app
    with app.app_context():
        engine = db.engine
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs"),
                   "memory": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(4)}, job_defaults=JOB_DEFAULTS,
        timezone="UTC")
    return scheduler


def sync_jobs(scheduler) -> None:
    """Bring the stored schedule in line with the code, keeping stored due times (so a
    job missed during downtime is still due) unless its trigger changed."""
    for name, job in JOBS.items():
        stored = scheduler.get_job(name, jobstore="default")
        try:
            if stored is None:
                scheduler.add_job(fire_job, job.trigger, args=[name], id=name, name=name,
                                  jobstore="default")
            elif str(stored.trigger) != str(job.trigger):
                scheduler.reschedule_job(name, jobstore="default", trigger=job.trigger)
        except (ConflictingIdError, JobLookupError):
            pass  # another scheduler starting at the same moment did it first
    for stored in scheduler.get_jobs(jobstore="default"):
        if stored.id not in JOBS:
            try:
                stored.remove()
            except JobLookupError:
                pass
    scheduler.add_job(dispatch_requests, IntervalTrigger(seconds=DISPATCH_EVERY_SECONDS),
                      id="dispatch", jobstore="memory", replace_existing=True)


def run(app, seconds: float | None = None) -> None:
    """Run the scheduler until SIGINT/SIGTERM, or for `seconds`."""
    scheduler = build_scheduler(app)
    scheduler.start(paused=True)
    sync_jobs(scheduler)
    scheduler.resume()
    stop = threading.Event()
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    deadline = None if seconds is None else time.monotonic() + seconds
    while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
        stop.wait(0.2)
    scheduler.shutdown(wait=True)


scheduler_cli = AppGroup("scheduler", help="The job scheduler.")


@scheduler_cli.command("run")
@click.option("--seconds", type=float, help="Stop after this many seconds (default: never).")
def run_command(seconds):
    """Run the scheduler process (one is enough; a second one does no duplicate work)."""
    names = ", ".join(sorted(JOBS)) or "none"
    click.echo(f"Scheduler started with jobs: {names}")
    run(current_app._get_current_object(), seconds)


@scheduler_cli.command("run-job")
@click.argument("name")
def run_job_command(name):
    """Run job NAME once now, in this process, and print the outcome."""
    from portal.jobs import runner
    if name not in JOBS:
        raise click.ClickException(f"no job named {name!r}; known: {', '.join(sorted(JOBS))}")
    click.echo(runner.run_now(name) or "already running elsewhere")
