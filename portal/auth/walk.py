"""The isolation walk's API tokens (tests only): per partner one named token of its staff
person, which only that person (and the admin) may see or revoke."""
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import ApiToken
from portal.extensions import db
from portal.org.walk import tag


def build(world) -> None:
    for side in (world.a, world.b):
        sessions.issue_token(side.staff, tag("令牌", side))
        db.session.flush()
        side.api_token = db.session.execute(select(ApiToken).where(
            ApiToken.user_id == side.staff.id).order_by(ApiToken.id.desc()).limit(1)
        ).scalar_one()
        side.people["staff"].api_token = side.api_token


ARGS = {"token_id": "api_token"}
PERSONAL = ARGS


def markers(side) -> list[str]:
    return [side.api_token.name]


def personal_markers(mine) -> list[str]:
    token = getattr(mine, "api_token", None)
    return [token.name] if token is not None else []
