"""Who reads, comments on and keeps the scoring criteria, and who sees scorecards.

The criteria are the principal's and the same for every partner: every published
version is read by the principal's people and by partner owners and team leads (staff
are not scored and need none of it); drafts are the admin's alone (auditors read all).
While a published version has not begun, partner owners and team leads comment on it
for their partner, a channel manager for one of its partners; the admin and the
partner's channel manager reply in that partner's thread, and an admin's note with no
partner is for everyone. A partner sees its own thread and those notes, never another
partner's comments. Scorecards, appeals and tier changes are a partner's figures: its
owner's (not its team leads' or staff's), its channel manager's, the admin's and the
auditors'."""
from sqlalchemy import false, or_, select

from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.core.clock import today
from portal.scoring.criteria import is_frozen
from portal.scoring.models import Appeal, CriteriaComment, CriteriaSet, Scorecard, TierChange

rule("scoring.read", "admin", "auditor", "channel_manager", "owner", "manager")
rule("scoring.criteria", "admin")
# Reading drafts (the state filter offers them): the admin who keeps them, auditors.
rule("scoring.drafts", "admin", "auditor")
# Commenting for one of its partners, chosen on the form.
rule("scoring.comment_for", "channel_manager")
rule("scoring.comment", "owner", "manager", "channel_manager", "admin")
# Answering a partner's comment in its thread: the principal's side.
rule("scoring.reply", "admin", "channel_manager")
rule("scoring.scorecards", "admin", "auditor", "channel_manager", "owner")
rule("scoring.appeal", "owner")
rule("scoring.decide", "channel_manager", "admin")
rule("scoring.recompute", "channel_manager", "admin")

READERS = ("channel_manager", "owner", "manager")


@scope(CriteriaSet)
def criteria_set_scope(user):
    if user.role not in READERS:
        return false()
    return CriteriaSet.state == "published"


@change_rule(CriteriaSet, admins=False)
def change_criteria_set(user, cset):
    """The admin changes a version until it applies; then it is frozen, for admins too."""
    return user.role == "admin" and not is_frozen(cset, today())


def _partner_figures(user, column):
    """SQL over a partner column: the owner's own partner, a channel manager's partners."""
    if user.role == "channel_manager":
        return column.in_(assigned_partners(user))
    if user.role == "owner" and user.partner_id is not None:
        return column == user.partner_id
    return false()


@scope(CriteriaComment)
def comment_scope(user):
    published = CriteriaComment.set_id.in_(
        select(CriteriaSet.id).where(CriteriaSet.state == "published"))
    if user.role == "channel_manager":
        return published & or_(CriteriaComment.partner_id.is_(None),
                               CriteriaComment.partner_id.in_(assigned_partners(user)))
    if user.role in ("owner", "manager") and user.partner_id is not None:
        return published & or_(CriteriaComment.partner_id.is_(None),
                               CriteriaComment.partner_id == user.partner_id)
    return false()


@scope(Scorecard)
def scorecard_scope(user):
    return _partner_figures(user, Scorecard.partner_id)


@scope(Appeal)
def appeal_scope(user):
    return _partner_figures(user, Appeal.partner_id)


@scope(TierChange)
def tier_change_scope(user):
    return _partner_figures(user, TierChange.partner_id)


@change_rule(Appeal, admins=False)
def decide_appeal(user, appeal):
    """The partner's channel manager (its scope) or an admin decides an appeal while it
    is open; a decided appeal stays as decided."""
    return user.role in ("channel_manager", "admin") and appeal.state == "open"


@change_rule(TierChange, admins=False)
def review_tier_change(user, change):
    """The partner's channel manager or an admin reviews a demotion waiting for it."""
    return user.role in ("channel_manager", "admin") and change.state == "pending"
