"""Who reads team health and who sets its rule.

The principal's admin and auditors read every partner's health, a channel manager its
partners'; an owner reads its partner, its teams and its people; a mid-level manager
its team and its team's people; staff their own months. Only the admin publishes a new
version of the rule; everyone who is judged by it may read it."""
from sqlalchemy import and_, false, or_, true

from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.health.models import HealthMonth, HealthRule

# The health pages (the overview, a partner's, a team's, a person's).
rule("health.read", "admin", "auditor", "channel_manager", "owner", "manager", "staff")
# The principal's overview of every partner it may see.
rule("health.overview", "admin", "auditor", "channel_manager")
# Reminding one's own people about their habits from the home page's to-dos.
rule("health.nudge", "owner", "manager")
# The person assessment of one's people (70 % results, 20 % ability, 10 % attitude).
rule("health.assess", "owner", "manager")
# Setting one's partner's assessment weights inside the principal's limits.
rule("health.assessment_weights", "owner")
# Publishing a version of the health rule, and recomputing a month now.
rule("health.rules", "admin")
# Reading the rule's versions: everyone it judges.
rule("health.rule_read", "admin", "auditor", "channel_manager", "owner", "manager", "staff")


@scope(HealthMonth)
def month_scope(user):
    if user.role == "channel_manager":
        return HealthMonth.partner_id.in_(assigned_partners(user))
    if user.partner_id is None:
        return false()
    mine = HealthMonth.partner_id == user.partner_id
    if user.role == "owner":
        return mine
    own = and_(HealthMonth.level == "person", HealthMonth.user_id == user.id)
    if user.role == "manager" and user.team_id is not None:
        return and_(mine, or_(own, HealthMonth.team_id == user.team_id))
    return and_(mine, own)


@scope(HealthRule)
def rule_scope(user):
    return true()


@change_rule(HealthRule, admins=False)
def change_health_rule(user, version):
    """A published version is never edited: a later one replaces it."""
    return False
