"""Operations on contests: who an organiser may put in one, setting one up, cancelling.

Plain functions that add to the session; the caller commits once. Everything is checked
before anything is written, so a refused contest leaves no row behind. The end of a
contest (its standings frozen and announced) is `portal.contests.finish`'s."""
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, literal, select

from portal.auth.models import User
from portal.contests.models import (BOARDS, LEVELS, MAX_DAYS, METRICS, MIN_PEOPLE_MAX,
                                    Contest, ContestEntry)
from portal.core.errors import DomainError
from portal.core.forms import storable_text
from portal.extensions import db
from portal.health.figures import SALES_ROLES
from portal.org.models import Partner, Team
from portal.results.months import working_days

NAME_MAX = 120


def levels_of(user) -> tuple[str, ...]:
    """Whom `user` may set a contest between: a channel manager its partners, an owner
    its teams or its people."""
    if user.role == "channel_manager":
        return ("partner",)
    if user.role == "owner" and user.partner_id is not None:
        return ("team", "person")
    return ()


def _candidates(user, level: str):
    """SELECT (partner_id, team_id, user_id, name) of who `user` may put in a contest of
    `level`, in name order."""
    if level == "partner":
        return (select(Partner.id, literal(None).label("team_id"),
                       literal(None).label("user_id"), Partner.name)
                .where(Partner.channel_manager_id == user.id, Partner.status == "active")
                .order_by(Partner.name_key, Partner.id))
    if level == "team":
        return (select(Team.partner_id, Team.id, literal(None).label("user_id"), Team.name)
                .where(Team.partner_id == user.partner_id, Team.active.is_(True))
                .order_by(Team.name_key, Team.id))
    return (select(User.partner_id, User.team_id, User.id, User.display_name)
            .where(User.partner_id == user.partner_id, User.role.in_(SALES_ROLES),
                   User.active.is_(True))
            .order_by(User.name_key, User.id))


def ident(level: str, row) -> int:
    """The id that names a candidate of `level` (its partner's, team's or own)."""
    return {"partner": row[0], "team": row[1], "person": row[2]}[level]


def options(user) -> dict[str, list[tuple[int, str]]]:
    """Level -> (id, name) of everyone `user` may put in a contest of that level."""
    return {level: [(ident(level, row), row[3])
                    for row in db.session.execute(_candidates(user, level))]
            for level in levels_of(user)}


def _check(user, data: dict, today: date) -> tuple[dict, list]:
    """The contest's fields, checked together: (values, candidates taking part), or a
    DomainError naming every field at fault."""
    errors = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = _l("This field is required.")
    elif len(name) > NAME_MAX or not storable_text(name, multiline=False):
        errors["name"] = _l("At most %(num)d characters, one line.", num=NAME_MAX)
    if data.get("metric") not in METRICS:
        errors["metric"] = _l("Choose what the contest ranks on.")
    level = data.get("level")
    if level not in levels_of(user) or level not in LEVELS:
        errors["level"] = _l("Choose who takes part.")
    if data.get("board", "own") not in BOARDS:
        errors["board"] = _l("Choose what participants see.")
    starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
    if not isinstance(starts_on, date):
        errors["starts_on"] = _l("Enter the first day.")
    if not isinstance(ends_on, date):
        errors["ends_on"] = _l("Enter the last day.")
    elif ends_on < today:
        errors["ends_on"] = _l("A contest cannot end in the past.")
    elif isinstance(starts_on, date):
        if ends_on < starts_on:
            errors["ends_on"] = _l("The last day cannot be before the first.")
        elif (ends_on - starts_on).days + 1 > MAX_DAYS:
            errors["ends_on"] = _l("A contest lasts at most %(num)d days.", num=MAX_DAYS)
        elif not working_days(starts_on, ends_on):
            errors["ends_on"] = _l("A contest needs at least one working day.")
    min_people = data.get("min_people")
    if min_people is not None and not (isinstance(min_people, int)
                                       and 1 <= min_people <= MIN_PEOPLE_MAX):
        errors["min_people"] = _l("A whole number from 1 to %(num)d.", num=MIN_PEOPLE_MAX)
    chosen = []
    if "level" not in errors:
        candidates = db.session.execute(_candidates(user, level)).all()
        wanted = {int(i) for i in data.get("participants") or ()}
        chosen = [row for row in candidates if not wanted or ident(level, row) in wanted]
        if wanted - {ident(level, row) for row in candidates}:
            errors["participants"] = _l("Choose only among those offered.")
        elif len(chosen) < 2:
            errors["participants"] = _l("A contest needs at least two participants.")
    if errors:
        field = next(iter(errors))
        error = DomainError(field, errors[field])
        error.details = errors
        raise error
    values = {"name": name, "metric": data["metric"], "level": level,
              "starts_on": starts_on, "ends_on": ends_on,
              "min_people": None if level == "person" else min_people,
              "board": data.get("board") or "own"}
    return values, chosen


def create_contest(organiser: User, data: dict, today: date) -> Contest:
    """Check and add a contest of `organiser` with its entries (all candidates of the
    level when `data["participants"]` is empty)."""
    values, chosen = _check(organiser, data, today)
    contest = Contest(organiser_id=organiser.id, **values,
                      partner_id=organiser.partner_id if values["level"] != "partner"
                      else None)
    db.session.add(contest)
    db.session.flush()
    db.session.execute(insert(ContestEntry), [
        {"contest_id": contest.id, "partner_id": row[0],
         "team_id": row[1] if values["level"] == "team" else None,
         "user_id": row[2] if values["level"] == "person" else None} for row in chosen])
    return contest


def cancel_contest(contest: Contest, at: datetime, today: date) -> None:
    """Cancel a contest that has not ended (its board then stops counting)."""
    if contest.cancelled_at is not None:
        raise DomainError("contest", _l("This contest is already cancelled."), 409)
    if contest.ends_on < today:
        raise DomainError("contest", _l("This contest has ended; its results stay."), 409)
    contest.cancelled_at = at


def default_days(today: date) -> tuple[date, date]:
    """The form's first guess: from today for two weeks."""
    return today, today + timedelta(days=13)
