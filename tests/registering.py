"""Helpers of the registration tests: the habits clock and towns, a new prospect
registered in one line, and a rule version with other settings."""
from datetime import timedelta

from portal.core import clock
from portal.extensions import db
from portal.registrations import services
from portal.registrations.models import RegistrationRule
from tests.habiting import TOWN_A, TOWN_A2, TOWN_B, customer, freeze, later, visit

__all__ = ["TOWN_A", "TOWN_A2", "TOWN_B", "customer", "freeze", "later", "visit", "register",
           "rule", "days", "now"]


def register(person, name="西湖鲜果店", town=None, commit=True, **values):
    """`person` registers a new prospect (in its partner's first town by default)."""
    fields = {"name": name, "town_code": town or (TOWN_A if person.partner.name.endswith("A")
                                                  else TOWN_B), **values}
    registration = services.register(person, fields)
    if commit:
        db.session.commit()
    return registration


def rule(**settings) -> RegistrationRule:
    """Version 1 changed in place (tests only: published versions never change)."""
    version = db.session.get(RegistrationRule, 1)
    for name, value in settings.items():
        setattr(version, name, value)
    db.session.commit()
    return version


def days(n) -> timedelta:
    return timedelta(days=n)


def now():
    return clock.now()
