"""The service rule (how fast a first response and a resolution should come) as
published versions: the one in force at a moment, and a new version, which never takes
effect before it is published, so no ticket is ever judged again by a later rule."""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.core import versions as versions_kit
from portal.core.errors import DomainError
from portal.service.models import ServiceRule

MAX_HOURS = 24 * 90


def in_force(at: datetime) -> ServiceRule | None:
    """The version a ticket opened at `at` is judged by: the latest effective by then."""
    return versions_kit.in_force(ServiceRule, at)


def versions() -> list[ServiceRule]:
    """Every version, latest first."""
    return versions_kit.versions(ServiceRule)


def _hours(field: str, value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_HOURS:
        raise DomainError(field, _l("A whole number of hours from 1 to %(num)d.",
                                    num=MAX_HOURS))
    return value


def publish(actor, *, effective_from: datetime, first_response_hours: int,
            resolution_hours: int, note: str = "") -> ServiceRule:
    """A new version effective from `effective_from` (not in the past, after every
    published version). No commit."""
    if effective_from is None or effective_from.tzinfo is None:
        raise DomainError("effective_from", _l("Enter when the version takes effect."))
    first = _hours("first_response_hours", first_response_hours)
    resolution = _hours("resolution_hours", resolution_hours)
    if resolution < first:
        raise DomainError("resolution_hours", _l(
            "The resolution target cannot be shorter than the first-response target."))
    versions_kit.check_effective_from(ServiceRule, effective_from)
    return versions_kit.add_version(ServiceRule, actor, effective_from,
                                    first_response_hours=first, resolution_hours=resolution,
                                    note=(note or "").strip()[:2000])
