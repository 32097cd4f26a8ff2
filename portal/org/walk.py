"""The isolation walk's organisation (tests only): the `world` fixture already holds two
partners with their teams, people and one territory each; this gives the people and
teams display names no page could show by accident and names them as the walk's markers."""
from portal.extensions import db

PEOPLE = ("owner", "manager", "staff", "other_staff")


def tag(word: str, side) -> str:
    """A display text that belongs to one side of the walk and to nothing else."""
    return f"{word}{side.key}-{side.token}"


def build(world) -> None:
    for side in (world.a, world.b):
        for person in PEOPLE:
            getattr(side, person).display_name = tag(f"人{person}", side)
        side.team.name, side.other_team.name = tag("一组", side), tag("二组", side)
    db.session.flush()


ARGS = {"partner_id": "partner", "team_id": "team", "user_id": "staff",
        "territory_id": "territory"}
# URL arguments that name no partner's object, with the value the walk passes.
NEUTRAL = {
    "code": "33",  # region and language codes are public
    "status": "suspended",
    "action": "deactivate",
}


def markers(side) -> list[str]:
    people = [getattr(side, person) for person in PEOPLE]
    return [side.partner.name, side.partner.uscc, side.team.name, side.other_team.name,
            *(p.username for p in people), *(p.display_name for p in people)]


def personal_markers(mine) -> list[str]:
    return []
