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
)

DOMAINS: tuple[Domain, ...] = tuple(import_module(f"portal.{name}").DOMAIN for name in NAMES)


def notification_categories() -> dict:
    """Every domain's notification categories, code -> label, in domain order."""
    categories = {}
    for domain in DOMAINS:
        categories.update(domain.notifications)
    return categories
