"""The isolation walk's team health (tests only): this month computed for the world, so
every health page and endpoint has rows of both partners to leak or to keep apart. The
rows are named by the partners, teams and people of the org walk (no markers of their
own)."""
from portal.core.clock import today
from portal.health.compute import compute_month
from portal.results.months import first_of


def build(world) -> None:
    compute_month(first_of(today()), trigger="walk")


ARGS: dict = {}
NEUTRAL = {"kind": "logging"}  # the kind of a habit reminder names nobody


def markers(side) -> list[str]:
    return []
