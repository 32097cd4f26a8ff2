"""Scheduled jobs: one run per slot, catch-up once after downtime, retries with back-off,
"run now", and the jobs page. The clock is frozen and moved by hand."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from portal.core import clock
from portal.extensions import db
from portal.jobs import JOBS, scheduled
from portal.jobs import runner
from portal.jobs.models import JobRun
from tests.conftest import login

T0 = datetime(2026, 11, 2, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai


@pytest.fixture
def job(app):
    """Register throw-away jobs for one test; yields a list of what they did."""
    done, names = [], []

    def make(name, *, cron=None, every=None, fail_times=0, retries=3):
        calls = {"n": 0}

        def work(run):
            calls["n"] += 1
            if calls["n"] <= fail_times:
                raise RuntimeError(f"boom {calls['n']}")
            done.append((name, run.scheduled_for, run.attempt))
        scheduled(name, cron=cron, every=every, retries=retries)(work)
        names.append(name)
        return JOBS[name]
    make.done = done
    yield make
    for name in names:
        JOBS.pop(name, None)


def _runs(name):
    return db.session.execute(select(JobRun).where(JobRun.job_name == name)
                              .order_by(JobRun.id)).scalars().all()


def test_latest_slot_of_cron_and_interval_triggers(job):
    daily = job("t.daily", cron="0 8 * * *")   # 08:00 Shanghai = 00:00 UTC
    every = job("t.every", every=timedelta(minutes=15))
    assert runner.latest_slot(daily, T0) == datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc)
    assert runner.latest_slot(every, T0) == datetime(2026, 11, 2, 0, 30, tzinfo=timezone.utc)
    assert runner.latest_slot(every, T0 + timedelta(minutes=14)) == T0


def test_a_slot_runs_once_however_often_it_fires(job):
    job("t.daily", cron="0 8 * * *")
    clock.set_now(T0)
    assert runner.fire("t.daily") == "succeeded"
    assert runner.fire("t.daily") is None
    clock.advance(timedelta(hours=3))
    assert runner.fire("t.daily") is None  # still the same day's slot
    assert len(job.done) == 1 and len(_runs("t.daily")) == 1


def test_after_downtime_a_missed_job_catches_up_once(job):
    job("t.daily", cron="0 8 * * *")
    clock.set_now(T0)
    runner.fire("t.daily")
    clock.set_now(T0 + timedelta(days=3, hours=1))  # three 08:00 slots missed while down
    assert runner.fire("t.daily") == "succeeded"
    assert runner.fire("t.daily") is None
    slots = [slot for _, slot, _ in job.done]
    assert slots == [datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc),
                     datetime(2026, 11, 5, 0, 0, tzinfo=timezone.utc)]


def test_a_failed_run_is_retried_with_back_off_then_given_up(job):
    job("t.flaky", cron="0 8 * * *", fail_times=5, retries=3)
    clock.set_now(T0)
    assert runner.fire("t.flaky") == "failed"
    (run,) = _runs("t.flaky")
    assert run.next_retry_at == T0 + timedelta(minutes=1) and "boom 1" in run.error
    assert runner.dispatch() == []  # not due yet
    clock.advance(timedelta(minutes=1))
    assert runner.dispatch() == ["failed"]
    db.session.expire_all()
    assert _runs("t.flaky")[0].attempt == 2
    assert _runs("t.flaky")[0].next_retry_at == T0 + timedelta(minutes=6)
    clock.advance(timedelta(minutes=5))
    assert runner.dispatch() == ["gave_up"]
    clock.advance(timedelta(hours=1))
    assert runner.dispatch() == []
    assert job.done == []


def test_a_retry_that_succeeds_keeps_its_slot(job):
    job("t.once_flaky", cron="0 8 * * *", fail_times=1)
    clock.set_now(T0)
    runner.fire("t.once_flaky")
    clock.advance(timedelta(minutes=2))
    assert runner.dispatch() == ["succeeded"]
    assert job.done == [("t.once_flaky", datetime(2026, 11, 2, 0, 0, tzinfo=timezone.utc), 2)]


def test_run_now_from_the_jobs_page_runs_at_the_next_dispatch(client, world, job):
    job("t.report", cron="0 1 1 * *")
    login(client, world.admin)
    response = client.post("/admin/jobs/t.report/run")
    assert response.status_code == 302
    assert [r.status for r in _runs("t.report")] == ["requested"]
    assert runner.dispatch() == ["succeeded"]
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert 'id="job-t.report"' in page and 'data-status="succeeded"' in page


def test_the_jobs_page_shows_a_failure_and_that_no_scheduler_runs(client, world, job):
    job("t.broken", cron="0 8 * * *", fail_times=9)
    clock.set_now(T0)
    runner.fire("t.broken")
    login(client, world.admin)
    page = client.get("/admin/jobs/?status=failed").get_data(as_text=True)
    assert "RuntimeError: boom 1" in page and 'data-status="failed"' in page
    assert 'class="alert alert-warning" id="scheduler-state"' in page


def test_a_beating_scheduler_shows_as_running(client, world):
    runner.dispatch()  # a scheduler's dispatch also beats
    login(client, world.auditor)
    page = client.get("/admin/jobs/").get_data(as_text=True)
    assert runner.runner_id() in page


def test_only_principal_admin_and_auditor_see_the_jobs_page(app, world):
    for user, status in ((world.auditor, 200), (world.cm, 403), (world.a.owner, 403)):
        client = app.test_client()
        login(client, user)
        assert client.get("/admin/jobs/").status_code == status


def test_unknown_job_cannot_be_run(client, world):
    login(client, world.admin)
    assert client.post("/admin/jobs/no.such.job/run").status_code == 404
    assert db.session.execute(select(func.count()).select_from(JobRun)).scalar() == 0


def test_housekeeping_jobs_are_idempotent(app, world):
    clock.set_now(T0)
    assert runner.run_now("jobs.prune_runs") == "succeeded"
    assert runner.run_now("auth.prune_sessions") == "succeeded"
    clock.advance(timedelta(seconds=1))
    assert runner.run_now("auth.prune_sessions") == "succeeded"
