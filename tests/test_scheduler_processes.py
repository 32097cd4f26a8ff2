"""Two scheduler processes against one database: every job slot still runs once.

Both run the real APScheduler loop for a few seconds; a job fires every second and
appends its slot to a file. A slot written twice would be a duplicate run. The second
test gives each scheduler a private in-memory schedule, so both certainly fire every slot
and only the database claim stands between them and double work."""
import multiprocessing
import os
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.jobs import JOBS
from portal.jobs.models import JobRun, SchedulerBeat
from portal.jobs.scheduler import JOB_DEFAULTS, build_scheduler, sync_jobs

SECONDS = 6


def _scheduler_process(config: dict, folder: str, private_schedule: bool) -> None:
    from apscheduler.jobstores.memory import MemoryJobStore

    from portal import create_app
    from portal.jobs import runner, scheduled, scheduler

    @scheduled("test.probe", every=timedelta(seconds=1))
    def probe(job_run):
        with open(os.path.join(folder, "done.log"), "a") as log:
            log.write(f"{job_run.scheduled_for.isoformat()} {os.getpid()}\n")

    real_fire = runner.fire

    def counted_fire(name):
        with open(os.path.join(folder, "fired.log"), "a") as log:
            log.write(f"{os.getpid()}\n")
        return real_fire(name)
    runner.fire = counted_fire
    if private_schedule:
        real_build = scheduler.build_scheduler

        def build_private(app):
            sched = real_build(app)
            sched._jobstores["default"] = MemoryJobStore()
            return sched
        scheduler.build_scheduler = build_private
    scheduler.run(create_app(config), seconds=SECONDS)


@pytest.mark.parametrize("private_schedule", [False, True], ids=["shared", "private"])
def test_two_schedulers_run_each_slot_once(app, tmp_path, private_schedule):
    config = {k: app.config[k] for k in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "TESTING")}
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_scheduler_process,
                                 args=(config, str(tmp_path), private_schedule))
                 for _ in range(2)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(SECONDS + 30)
        assert process.exitcode == 0
    done = [line.split()[0] for line in open(tmp_path / "done.log")]
    fired = Counter(line.strip() for line in open(tmp_path / "fired.log"))
    assert len(done) >= SECONDS - 2  # it really ran, about once a second
    assert len(done) == len(set(done))  # and no slot twice
    runs = db.session.execute(select(JobRun).where(JobRun.job_name == "test.probe")).scalars()
    assert sorted(r.scheduled_for.isoformat() for r in runs) == sorted(done)
    beats = db.session.execute(select(SchedulerBeat.runner)).scalars().all()
    assert len(beats) == 2  # both schedulers were alive
    if private_schedule:
        # Both fired (nearly) every slot, yet each slot's work was done once.
        assert len(fired) == 2 and sum(fired.values()) >= 2 * len(done) - 2


def test_scheduler_catches_up_missed_runs_instead_of_skipping_them(app):
    scheduler = build_scheduler(app)
    assert JOB_DEFAULTS["misfire_grace_time"] is None and JOB_DEFAULTS["coalesce"] is True
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler)
        stored = scheduler.get_job("jobs.prune_runs", jobstore="default")
        assert stored is not None and stored.misfire_grace_time is None and stored.coalesce
        # A due time left in the store by a scheduler that went down survives a restart.
        overdue = stored.next_run_time - timedelta(days=2)
        stored.modify(next_run_time=overdue)
        sync_jobs(scheduler)
        assert scheduler.get_job("jobs.prune_runs", jobstore="default").next_run_time == overdue
        assert set(JOBS) <= {j.id for j in scheduler.get_jobs(jobstore="default")}
    finally:
        scheduler.shutdown(wait=False)
