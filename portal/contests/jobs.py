"""Every quarter of an hour: contests whose last day is over are frozen and announced."""
from datetime import timedelta

from flask_babel import lazy_gettext as _l

from portal.contests.finish import finish_ended
from portal.jobs import scheduled


@scheduled("contests.finish", every=timedelta(minutes=15),
           description=_l("Freeze the final standings of contests that ended and announce "
                          "the results."))
def finish(run):
    finish_ended(run.now)
