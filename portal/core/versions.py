"""Rules published as versions with an effective moment (the effective-visit rule, the
registration rule, the service rule): the version in force at a moment, every version,
the checks on a new one's effective moment (never in the past, after every published
version, so nothing is ever judged again by a rule nobody could read beforehand), and
adding it under the next version number. The model has `version`, `effective_from` and
`created_by` columns. No commits here."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.core.clock import now
from portal.core.errors import DomainError
from portal.extensions import db


def in_force(model, at: datetime):
    """The latest version effective by `at`, or None."""
    return db.session.execute(
        select(model).where(model.effective_from <= at)
        .order_by(model.effective_from.desc(), model.id.desc()).limit(1)).scalar_one_or_none()


def versions(model) -> list:
    """Every version, latest first."""
    return db.session.execute(select(model).order_by(model.version.desc())).scalars().all()


def check_effective_from(model, effective_from: datetime | None) -> None:
    """Raises DomainError on "effective_from" for a moment in the past or not after
    every published version's."""
    if effective_from is None or effective_from.tzinfo is None:
        raise DomainError("effective_from", _l("Enter when the version takes effect."))
    if effective_from < now():
        raise DomainError("effective_from", _l("A rule takes effect from now on, never "
                                               "in the past."))
    latest = db.session.execute(select(func.max(model.effective_from))).scalar()
    if latest is not None and effective_from <= latest:
        raise DomainError("effective_from", _l("Another version takes effect at or after "
                                               "this time; choose a later one."))


def add_version(model, actor, effective_from: datetime, **values):
    """Store the next version of `model` (its number one above the latest)."""
    number = (db.session.execute(select(func.max(model.version))).scalar() or 0) + 1
    version = model(version=number, effective_from=effective_from,
                    created_by=getattr(actor, "id", None), **values)
    try:
        with db.session.begin_nested():
            db.session.add(version)
            db.session.flush()
    except IntegrityError:  # another admin's version took this number a moment ago
        raise DomainError("effective_from", _l("Another version was published just now; "
                                               "reload the page and check it."),
                          status=409) from None
    return version
