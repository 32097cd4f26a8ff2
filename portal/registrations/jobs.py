"""Every hour: warn the registering person and the partner's owner, once, that a
registration's protection ends within the rule's `warn_days`. The job only warns; what
is live is derived from the clock, never changed here."""
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.auth.models import User
from portal.core.clock import BUSINESS_TZ
from portal.core.urls import path_for
from portal.extensions import db
from portal.jobs import scheduled
from portal.notify.services import notify
from portal.registrations.models import Registration, RegistrationRule, live


def warn_expiring(at) -> int:
    """Warn about every live registration ending within its rule's warning days and not
    warned yet; marks them warned. Running it twice warns nobody twice."""
    warned = 0
    for rule in db.session.execute(select(RegistrationRule)).scalars():
        due = db.session.execute(select(Registration).where(
            Registration.rule_id == rule.id, live(at), Registration.warned_at.is_(None),
            Registration.expires_at <= at + timedelta(days=rule.warn_days))
            .order_by(Registration.id)).scalars().all()
        with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
            for registration in due:
                owners = select(User.id).where(User.partner_id == registration.partner_id,
                                               User.role == "owner")
                people = {registration.requested_by} | set(db.session.execute(owners).scalars())
                notify([p for p in people if p], "registrations",
                       _("Protection of %(name)s ends on %(when)s",
                         name=registration.name,
                         when=registration.expires_at.astimezone(BUSINESS_TZ)
                         .strftime("%Y-%m-%d %H:%M")),
                       body=_("Visit the customer (an effective visit extends protection) "
                              "or it returns to the open pool."),
                       link=path_for("registrations.registration",
                                     registration_id=registration.id), group=False)
        if due:
            db.session.execute(update(Registration).where(
                Registration.id.in_([r.id for r in due])).values(warned_at=at))
            warned += len(due)
    return warned


@scheduled("registrations.warn", every=timedelta(hours=1),
           description=_l("Warn partners once before a registration's protection ends."))
def warn(run):
    warn_expiring(run.now)
