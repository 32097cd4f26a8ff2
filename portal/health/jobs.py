"""The nightly team-health computation (and hourly during the working day, so the
principal's home is never more than an hour behind the roll-ups)."""
from flask_babel import lazy_gettext as _l

from portal.health.compute import compute_month, due_months
from portal.jobs import scheduled


@scheduled("health.compute", cron="5 1,9-20 * * *",
           description=_l("Compute this month's team health (and last month's during a "
                          "month's first week) from the roll-ups."))
def compute(run):
    for month in due_months(run.now):
        compute_month(month, at=run.now, trigger="job")
