"""The portal's domains, in dependency order: each package's `DOMAIN` manifest
(`portal.core.domains.Domain`) says what it brings. Adding a domain is adding its
package and one line here."""
from importlib import import_module

from portal.core.domains import Domain

NAMES = (
    "auth",
    "org",
    "jobs",
    "notify",
    "broadcasts",
    "training",
    "exams",
    "habits",
    "results",
    "capacity",
    "health",
    "contests",
    "registrations",
    "service",
    "compliance",
    "scoring",
    "reports",
)

DOMAINS: tuple[Domain, ...] = tuple(import_module(f"portal.{name}").DOMAIN for name in NAMES)


def _panels(kind: str, *args) -> list:
    """Every domain's `Panel`s of one kind ("home", "person"), in their order."""
    from portal.core.domains import load
    panels = [panel for domain in DOMAINS if getattr(domain, kind)
              for panel in load(getattr(domain, kind))(*args)]
    return sorted(panels, key=lambda panel: panel.order)


def home_panels(user, at) -> list:
    """The parts of `user`'s home page every domain offers."""
    return _panels("home", user, at)


def person_panels(viewer, person, at) -> list:
    """The parts of `person`'s record (training, exams, acknowledgements) every domain
    shows to `viewer` on the person page."""
    return _panels("person", viewer, person, at)


def today_panels(person, day) -> list:
    """The parts of `person`'s "My day" page other domains add (targets for the day)."""
    return _panels("today", person, day)


def notification_categories() -> dict:
    """Every domain's notification categories, code -> label, in domain order."""
    categories = {}
    for domain in DOMAINS:
        categories.update(domain.notifications)
    return categories


def partner_flags() -> tuple:
    """Every domain's red flags for the health overview, in domain order."""
    return tuple(flag for domain in DOMAINS for flag in domain.partner_flags)
