"""The registration rule (报备规则) as published data: versions with an effective date,
the one in force at a moment, and a new version, never effective before it is published
(and after every version already published), so a verdict is never taken again under a
rule nobody could read beforehand. A registration keeps the version that judged it."""
from datetime import datetime

from flask_babel import lazy_gettext as _l

from portal.core import versions as versions_kit
from portal.core.errors import DomainError
from portal.registrations.models import OUTSIDE_TERRITORY, RegistrationRule

# Each setting with its allowed range (inclusive); None as upper bound: no limit here.
SETTINGS = {
    "protection_days": (1, 365), "days_per_effective_visit": (0, 90),
    "max_extension_days": (0, 365), "live_cap": (1, 100_000), "daily_cap": (1, 10_000),
    "cooldown_days": (0, 365), "warn_days": (0, 60), "review_recent_order_days": (1, 3650),
    "decision_hours": (1, 720),
}


def in_force(at: datetime) -> RegistrationRule | None:
    """The version judging a registration filed at `at`: the latest effective by then."""
    return versions_kit.in_force(RegistrationRule, at)


def versions() -> list[RegistrationRule]:
    return versions_kit.versions(RegistrationRule)


def clean(values: dict) -> dict:
    """Every setting checked; the first bad one raises DomainError on its field."""
    cleaned = {}
    for name, (low, high) in SETTINGS.items():
        value = values.get(name)
        if value in (None, "") and name == "review_recent_order_days":
            cleaned[name] = None  # no manual review for recent orders
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise DomainError(name, _l("Enter a whole number.")) from None
        if not low <= value <= high:
            raise DomainError(name, _l("Between %(low)d and %(high)d.", low=low, high=high))
        cleaned[name] = value
    if cleaned["warn_days"] >= cleaned["protection_days"]:
        raise DomainError("warn_days", _l("The warning must come before protection ends."))
    outside = values.get("outside_territory")
    if outside not in OUTSIDE_TERRITORY:
        raise DomainError("outside_territory", _l("Choose an option from the list."))
    cleaned["outside_territory"] = outside
    cleaned["note"] = (values.get("note") or "").strip()[:2000]
    return cleaned


def publish(actor, *, effective_from: datetime, values: dict) -> RegistrationRule:
    """A new version from `effective_from` (not in the past, after every published one)."""
    versions_kit.check_effective_from(RegistrationRule, effective_from)
    return versions_kit.add_version(RegistrationRule, actor, effective_from, **clean(values))
