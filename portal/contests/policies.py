"""Who organises contests and who sees them.

A channel manager sets up contests between the partners it looks after, an owner
between its partner's teams or its people. A contest is seen by its organiser (always
the full board), by the principal's admin and auditors, and by the people of its
participants: a partner's owner, managers and staff see their partner's standing, a
team's members (and its lead) their team's, a person its own — with the thresholds,
and everyone's rank only when the organiser chose a full board. Anyone else gets a 404.
Only the organiser (or an admin) cancels, and only before the contest ends."""
from sqlalchemy import and_, exists, false, or_, select

from portal.contests.models import Contest, ContestEntry
from portal.core.access import change_rule, rule, scope
from portal.core.clock import today
from portal.org.models import Team

# Setting up a contest (what each may put in it: `services.options`).
rule("contests.organise", "channel_manager", "owner")
# The contests list: everyone signed in (what each sees is the Contest scope).
rule("contests.read", "admin", "auditor", "channel_manager", "owner", "manager", "staff")


def mine(user):
    """SQL over `ContestEntry`: the entries `user` belongs to (its partner, its team or
    the team it leads, itself)."""
    if user.partner_id is None:
        return false()
    teams = [ContestEntry.team_id == user.team_id] if user.team_id is not None else []
    teams.append(ContestEntry.team_id.in_(select(Team.id).where(Team.leader_id == user.id)))
    return or_(
        and_(ContestEntry.team_id.is_(None), ContestEntry.user_id.is_(None),
             ContestEntry.partner_id == user.partner_id),
        and_(ContestEntry.user_id.is_(None), ContestEntry.partner_id == user.partner_id,
             or_(*teams)),
        ContestEntry.user_id == user.id)


@scope(Contest)
def contest_scope(user):
    taking_part = exists().where(ContestEntry.contest_id == Contest.id, mine(user))
    return or_(Contest.organiser_id == user.id, taking_part)


def sees_full_board(user, contest: Contest) -> bool:
    """The organiser, the principal's admin and auditors always; participants when the
    organiser chose a full board."""
    return (contest.board == "full" or contest.organiser_id == user.id
            or user.role in ("admin", "auditor"))


@change_rule(Contest)
def change_contest(user, contest):
    """The organiser cancels, until the contest has ended."""
    return (contest.organiser_id == user.id and contest.cancelled_at is None
            and contest.ends_on >= today())
