"""The report worker: queued reports are made in the background, a minute at most after
they were asked for (a request also asks the scheduler for a run at once), never in a
web worker."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from portal.jobs import scheduled
from portal.jobs.runner import runner_id


@scheduled("reports.generate", every=timedelta(minutes=1),
           description=_l("Make the reports people asked for (each claimed by one worker)"))
def generate(run):
    from portal.reports.services import generate_waiting
    generate_waiting(runner_id())


@scheduled("reports.monthly_packs", cron="0 6 4 * *",
           description=_l("Queue last month's report packs for every partner and the "
                          "principal (after the scoring close)"))
def monthly_packs(run):
    from portal.core.clock import BUSINESS_TZ
    from portal.reports.packs import queue_month
    from portal.results.months import add_months, first_of
    queue_month(add_months(first_of(run.now.astimezone(BUSINESS_TZ).date()), -1))
