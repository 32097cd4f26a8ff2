"""The isolation walk's contests (tests only): per partner its owner's contest between
its two teams, under way, each team seeing its own standing and the thresholds."""
from datetime import timedelta

from portal.contests import services
from portal.core.clock import today
from portal.org.walk import tag


def build(world) -> None:
    day = today()
    for side in (world.a, world.b):
        side.contest = services.create_contest(side.owner, {
            "name": tag("拜访PK", side), "metric": "follow_up_rate", "level": "team",
            "starts_on": day - timedelta(days=3), "ends_on": day + timedelta(days=10),
            "board": "own", "participants": []}, day)


ARGS = {"contest_id": "contest"}


def markers(side) -> list[str]:
    return [side.contest.name]
