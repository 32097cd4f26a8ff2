"""What a domain package declares about itself, in one place: its `DOMAIN` manifest.

The factory, the CLI, the demo seeder, the notification categories and the isolation
walk all loop over `portal.domains.DOMAINS` instead of naming domains one by one, so a
new domain is one package with a `DOMAIN = Domain(...)` in its `__init__.py` and one line
in `portal/domains.py`. Everything is named by import path ("module" or
"module:attribute") so reading the manifests imports nothing heavy and no cycles."""
from dataclasses import dataclass, field
from importlib import import_module


@dataclass(frozen=True)
class Domain:
    name: str
    # Modules whose import declares tables, then access rules, then scheduled jobs.
    models: tuple[str, ...] = ()
    policies: tuple[str, ...] = ()
    jobs: tuple[str, ...] = ()
    # "module:attribute" of page blueprints, API (flask-smorest) blueprints, CLI commands.
    blueprints: tuple[str, ...] = ()
    api: tuple[str, ...] = ()
    cli: tuple[str, ...] = ()
    # "module:function" taking a random.Random and returning a one-line summary; demo
    # steps run in the order of DOMAINS, after the organisation is built.
    demo: str | None = None
    # Notification categories this domain sends in: code -> label (lazy translation).
    notifications: dict = field(default_factory=dict)
    # The module that builds this domain's objects for the isolation walk (tests only):
    # see tests/walk.py for what it provides.
    walk: str | None = None
    # "module:function" taking (user, now) and returning the `Panel`s this domain adds to
    # a partner person's home page (to-dos first), or none.
    home: str | None = None
    # "module:function" taking (viewer, person, now) and returning the `Panel`s of that
    # person's record this domain adds to the person page, holding only what `viewer`
    # may see, or none.
    person: str | None = None
    # "module:function" taking (person, day) and returning the `Panel`s this domain adds
    # to a salesperson's "My day" page (the habits page that opens a phone's day), or none.
    today: str | None = None
    # The red flags this domain raises on the principal's health overview (`PartnerFlag`s).
    partner_flags: tuple = ()


@dataclass(frozen=True)
class PartnerFlag:
    """A red flag another domain raises on a partner's line of the health overview:
    `counts` ("module:function") takes (partner ids as a list or a select, the time)
    and returns {partner id: how many}, one grouped query; `label` (lazy, with
    %(count)d) reads on the badge and `heading` heads its CSV column."""
    code: str
    label: object
    heading: object
    counts: str
    style: str = "text-bg-warning"


@dataclass(frozen=True)
class Panel:
    """One part of a home page: `template` rendered with `context`, placed by `order`
    (lower first: a person's own to-dos, then its team's state, then results)."""
    order: int
    template: str
    context: dict = field(default_factory=dict)


def load(path: str):
    """The object named by "module:attribute", or the module named by "module"."""
    module, _, attribute = path.partition(":")
    loaded = import_module(module)
    return getattr(loaded, attribute) if attribute else loaded
