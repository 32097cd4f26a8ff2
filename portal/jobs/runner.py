"""Running a job: claim its slot, take its lock, run, record the outcome, retry later.

Exactly once, with any number of scheduler processes: a run is claimed by inserting the
(job, slot) row, which only one process can do; the job's lock row is then held for the
duration (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, a lease UPDATE on SQLite), so
two runs of one job never overlap. A failed run is retried with back-off by `dispatch`."""
import os
import socket
import time
import traceback
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from portal.core import audit
from portal.core.clock import now
from portal.extensions import db
from portal.jobs import JOBS, Job, Run
from portal.jobs.models import JobLock, JobRun, SchedulerBeat



def runner_id() -> str:
    """This process, as named in run rows and beats (computed late: workers fork)."""
    return f"{socket.gethostname()}:{os.getpid()}"

LEASE = timedelta(hours=1)
# A scheduler not heard from for this long is reported as not running.
DISPATCH_GRACE = timedelta(seconds=60)  # a crashed runner's SQLite lease expires after this
LOOKBACKS = (timedelta(minutes=2), timedelta(hours=2), timedelta(days=2),
             timedelta(days=40), timedelta(days=400))


def backoff(attempt: int) -> timedelta:
    """Wait before retry number `attempt` (1, 5, 25 minutes...)."""
    return timedelta(minutes=5 ** (attempt - 1))


def latest_slot(job: Job, moment: datetime) -> datetime | None:
    """The last time at or before `moment` when the job's trigger fires."""
    for lookback in LOOKBACKS:
        fire = job.trigger.get_next_fire_time(None, moment - lookback)
        if fire is not None and fire <= moment:
            while True:
                following = job.trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
                if following is None or following > moment:
                    return fire.astimezone(timezone.utc)
                fire = following
    return None


def next_slot(job: Job, moment: datetime) -> datetime | None:
    return job.trigger.get_next_fire_time(None, moment)


@contextmanager
def job_lock(name: str):
    """Hold the job's lock while the block runs; yields False when another process has it."""
    dialect_insert = sqlite.insert if _sqlite() else postgresql.insert
    db.session.execute(dialect_insert(JobLock).values(job_name=name).on_conflict_do_nothing())
    db.session.commit()
    if _sqlite():
        held = db.session.execute(
            update(JobLock).where(JobLock.job_name == name, (JobLock.locked_until.is_(None))
                                  | (JobLock.locked_until < now()))
            .values(locked_by=runner_id(), locked_until=now() + LEASE)).rowcount == 1
        db.session.commit()
        try:
            yield held
        finally:
            if held:
                db.session.rollback()
                db.session.execute(update(JobLock).where(JobLock.job_name == name,
                                                         JobLock.locked_by == runner_id())
                                   .values(locked_by=None, locked_until=None))
                db.session.commit()
        return
    # PostgreSQL: a row lock on a connection of its own, kept until the run is over.
    with db.engine.connect() as conn:
        with conn.begin():
            row = conn.execute(select(JobLock.job_name).where(JobLock.job_name == name)
                               .with_for_update(skip_locked=True)).first()
            yield row is not None


def _sqlite() -> bool:
    return db.engine.dialect.name == "sqlite"


def claim_slot(name: str, slot: datetime, kind: str = "scheduled", requested_by=None):
    """Insert the run row for (job, slot); None when someone already claimed it."""
    status = "requested" if kind == "manual" else "running"
    try:
        run_id = db.session.execute(insert(JobRun).values(
            job_name=name, scheduled_for=slot, kind=kind, status=status, attempt=1,
            requested_by=requested_by, runner=None if kind == "manual" else runner_id(),
            started_at=None if kind == "manual" else now()).returning(JobRun.id)).scalar_one()
        db.session.commit()
        return run_id
    except IntegrityError:
        db.session.rollback()
        return None


def execute(run_id: int) -> str:
    """Run the claimed run `run_id` (status running) under the job's lock; record it."""
    record = db.session.get(JobRun, run_id)
    job = JOBS.get(record.job_name)
    name, slot, attempt = record.job_name, record.scheduled_for, record.attempt
    db.session.commit()
    if job is None:
        return _finish(run_id, "gave_up", error=f"no job named {name!r} in this version")
    token = audit.set_actor(audit.Actor(None, f"job:{name}"))
    try:
        with job_lock(name) as held:
            if not held:
                return _finish(run_id, "skipped", error="another run of this job is in progress")
            started = time.perf_counter()
            try:
                job.func(Run(job, now(), slot, attempt))
                db.session.commit()
            except Exception:  # noqa: BLE001 - any failure of a job is recorded and retried
                db.session.rollback()
                elapsed = int((time.perf_counter() - started) * 1000)
                error = traceback.format_exc(limit=8)[-4000:]
                if attempt < job.retries:
                    return _finish(run_id, "failed", elapsed, error,
                                   next_retry_at=now() + backoff(attempt))
                return _finish(run_id, "gave_up", elapsed, error)
            return _finish(run_id, "succeeded", int((time.perf_counter() - started) * 1000))
    finally:
        audit.reset_actor(token)


def _finish(run_id, status, duration_ms=None, error=None, next_retry_at=None) -> str:
    db.session.execute(update(JobRun).where(JobRun.id == run_id).values(
        status=status, finished_at=now(), duration_ms=duration_ms, error=error,
        next_retry_at=next_retry_at))
    db.session.commit()
    return status


def fire(name: str) -> str | None:
    """What APScheduler calls: run job `name` for its latest slot, unless already done."""
    job = JOBS[name]
    slot = latest_slot(job, now())
    if slot is None:
        return None
    run_id = claim_slot(name, slot)
    return execute(run_id) if run_id is not None else None


def _take(query) -> list[int]:
    """Move the selected runs to 'running' one by one; only the winner of each gets it."""
    taken = []
    for run_id, status, attempt in db.session.execute(query).all():
        values = {"status": "running", "runner": runner_id(), "started_at": now(),
                  "next_retry_at": None}
        if status == "failed":
            values["attempt"] = attempt + 1
        won = db.session.execute(update(JobRun).where(
            JobRun.id == run_id, JobRun.status == status, JobRun.attempt == attempt)
            .values(**values)).rowcount == 1
        db.session.commit()
        if won:
            taken.append(run_id)
    return taken


def dispatch() -> list[str]:
    """Run what people asked for ("run now") and the retries that are due."""
    beat()
    due = select(JobRun.id, JobRun.status, JobRun.attempt).where(
        (JobRun.status == "requested")
        | ((JobRun.status == "failed") & (JobRun.next_retry_at <= now()))
    ).order_by(JobRun.id).limit(20)
    return [execute(run_id) for run_id in _take(due)]


def request_run(name: str, user_id: int | None) -> int | None:
    """Queue a manual run of `name`, picked up by the scheduler within seconds."""
    if name not in JOBS:
        return None
    return claim_slot(name, now(), kind="manual", requested_by=user_id)


def run_now(name: str, user_id: int | None = None) -> str | None:
    """Run job `name` once, here and now (CLI); None when it is unknown or already taken."""
    run_id = request_run(name, user_id)
    if run_id is None:
        return None
    taken = _take(select(JobRun.id, JobRun.status, JobRun.attempt).where(JobRun.id == run_id))
    return execute(taken[0]) if taken else None


def beat() -> None:
    """Record that this scheduler process is alive."""
    moment = now()
    updated = db.session.execute(update(SchedulerBeat).where(SchedulerBeat.runner == runner_id())
                                 .values(seen_at=moment)).rowcount
    if not updated:
        db.session.add(SchedulerBeat(runner=runner_id(), started_at=moment, seen_at=moment))
    db.session.commit()
