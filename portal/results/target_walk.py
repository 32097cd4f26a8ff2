"""The isolation walk's targets (tests only): per partner this month's revenue target of
the partner (set by the channel manager for side a, by the admin for side b), a payments
target of the staff's team (by the owner), and revenue targets of the staff (by its team
lead), of the team lead and of the other team's staff (by the owner). Their values are
amounts no page shows by chance, so they are the markers: a page that shows one of them
to someone outside shows that side's target.

The routes name their subject by `partner_id`, `team_id` and `user_id`, which the
organisation's walk maps already; inside one partner every person's own subject is
walked (`PERSONAL`: `user_id` → the person), so a colleague's, the team lead's and the
owner's targets pages are walked for staff and the team lead."""
from portal.core.clock import today
from portal.org.walk import PEOPLE
from portal.results import targets
from portal.results.labels import yuan
from portal.results.models import METRICS
from portal.results.months import first_of
from portal.results.target_lines import Subject, reference_lines

ARGS: dict = {}
PERSONAL = {"user_id": "person"}
# Fen, per side: (level, whose attribute, metric, value, who sets it).
TARGETS = {
    "a": (("partner", "partner", "revenue_fen", 7391546, "cm"),
          ("team", "team", "payments_fen", 2718281, "owner"),
          ("person", "staff", "revenue_fen", 1618033, "manager"),
          ("person", "manager", "revenue_fen", 2236067, "owner"),
          ("person", "other_staff", "revenue_fen", 1732050, "owner")),
    "b": (("partner", "partner", "revenue_fen", 8462713, "admin"),
          ("team", "team", "payments_fen", 3141592, "owner"),
          ("person", "staff", "revenue_fen", 1414213, "manager"),
          ("person", "manager", "revenue_fen", 2645751, "owner"),
          ("person", "other_staff", "revenue_fen", 3316624, "owner")),
}


def build(world) -> None:
    day = today()
    month = first_of(day)
    for side in (world.a, world.b):
        for person in PEOPLE:
            side.people[person].person = getattr(side, person)
        side.targets = []
        for level, whose, metric, value, setter in TARGETS[side.key]:
            actor = getattr(world, setter, None) or getattr(side, setter)
            subject = Subject.of(level, getattr(side, whose))
            targets.set_targets(actor, subject, month, {metric: value}, set(METRICS),
                                reference_lines(subject, month, day), day)
            found = targets.of_subject(subject, month)[(month, metric)]
            side.targets.append(found)
            if level == "person":
                side.people[whose].target = found


def markers(side) -> list[str]:
    return [yuan(target.value) for target in side.targets]


def personal_markers(mine) -> list[str]:
    target = getattr(mine, "target", None)
    return [yuan(target.value)] if target is not None else []
