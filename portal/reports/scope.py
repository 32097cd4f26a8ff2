"""What every report over a date range or a set of partners needs: the range as instants
in business time, the period and the scope as the cover names them."""
from datetime import datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from portal.core.clock import BUSINESS_TZ
from portal.extensions import db
from portal.org.models import Partner


def span(params) -> tuple[datetime, datetime]:
    """The range's first instant and the instant after its last day, in business days."""
    return (datetime.combine(params.start, time.min, tzinfo=BUSINESS_TZ),
            datetime.combine(params.end + timedelta(days=1), time.min, tzinfo=BUSINESS_TZ))


def period_of(params) -> str:
    return f"{params.start.isoformat()} – {params.end.isoformat()}"


def scope_of(params, partner_ids) -> str:
    """The partners a report covers, as its cover names them."""
    if params.partner_id is not None:
        return db.session.get(Partner, params.partner_id).name
    if partner_ids is None:
        return _("All partners")
    names = db.session.execute(select(Partner.name).where(Partner.id.in_(partner_ids))
                               .order_by(Partner.name_key)).scalars().all()
    return _(", ").join(names)
