"""Scorecards in step with the data: every hour the month under way is recomputed (open
scorecards only), and each night the months whose period is over are closed — computed
one last time, frozen, their tier changes applied (a second close changes nothing)."""
from flask_babel import lazy_gettext as _l

from portal.core.clock import BUSINESS_TZ
from portal.jobs import scheduled
from portal.results.months import first_of
from portal.scoring.compute import compute_month, months_to_close


@scheduled("scoring.refresh", cron="35 1,9-20 * * *",
           description=_l("Recompute this month's open partner scorecards from the latest "
                          "figures (after team health)."))
def refresh(run):
    compute_month(first_of(run.now.astimezone(BUSINESS_TZ).date()), at=run.now)


@scheduled("scoring.close", cron="50 2 * * *",
           description=_l("Close the periods that are over: compute their scorecards one "
                          "last time, freeze them and apply the tier changes."))
def close(run):
    for month in months_to_close(run.now):
        compute_month(month, at=run.now, close=True)
