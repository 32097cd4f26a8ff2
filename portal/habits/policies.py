"""Who may see and change customers and visits.

A customer book is the partner's own: its owner sees every customer of the partner, a
team lead those its team's people look after, staff the ones they look after (and, to
log a visit, may pick any active customer of their partner: `pickable`). The principal's
admin and auditors see every book, a channel manager the books of its partners; they
read, they do not keep the partner's book. Visits follow the same lines: staff their
own, a team lead its team's, an owner its partner's, a channel manager its partners'.
The effective-visit rule is the principal's: everyone may read its versions, only an
admin publishes one."""
from sqlalchemy import and_, false, or_, select

from portal.auth.models import User
from portal.core.access import assigned_partners, change_rule, rule, scope
from portal.habits.models import Customer, FollowUp, Visit, VisitFlag

# Logging visits and keeping the customer book: the partner's people.
rule("habits.log", "owner", "manager", "staff")
# The customer book pages (what each sees is the Customer scope).
rule("habits.customers", "admin", "auditor", "channel_manager", "owner", "manager", "staff")
# Importing a customer file, for the whole partner.
rule("habits.import", "owner")
# The effective-visit rule: read by everyone logged in, published by an admin.
rule("habits.rules", "admin")
# The queue of flagged visits and its decisions.
rule("habits.review", "owner", "manager")
# Who logged what today and this week, by person.
rule("habits.team", "admin", "auditor", "channel_manager", "owner", "manager")


def _team_people(user):
    return select(User.id).where(User.partner_id == user.partner_id,
                                 User.team_id == user.team_id)


@scope(Customer)
def customer_scope(user):
    if user.role == "channel_manager":
        return Customer.partner_id.in_(assigned_partners(user))
    if user.partner_id is None:
        return false()
    if user.role == "owner":
        return Customer.partner_id == user.partner_id
    if user.role == "manager" and user.team_id is not None:
        return and_(Customer.partner_id == user.partner_id,
                    or_(Customer.owner_id == user.id, Customer.owner_id.in_(_team_people(user))))
    return and_(Customer.partner_id == user.partner_id, Customer.owner_id == user.id)


def pickable(user):
    """SQL: the customers `user` may log a visit to: any active one of its partner."""
    if user.partner_id is None:
        return false()
    return and_(Customer.partner_id == user.partner_id, Customer.active.is_(True))


def people_rows(user, partner_column, team_column, user_column=None):
    """Rows about one person each: staff their own, a team lead its team's (and its
    own), an owner its partner's, a channel manager its partners'."""
    if user.role == "channel_manager":
        return partner_column.in_(assigned_partners(user))
    if user.partner_id is None:
        return false()
    if user.role == "owner":
        return partner_column == user.partner_id
    if user.role == "manager" and user.team_id is not None:
        mine = [team_column == user.team_id] + ([user_column == user.id]
                                                 if user_column is not None else [])
        return and_(partner_column == user.partner_id, or_(*mine))
    if user_column is None:
        return false()
    return and_(partner_column == user.partner_id, user_column == user.id)


@scope(Visit)
def visit_scope(user):
    return people_rows(user, Visit.partner_id, Visit.team_id, Visit.user_id)


@scope(FollowUp)
def follow_up_scope(user):
    return people_rows(user, FollowUp.partner_id, FollowUp.team_id, FollowUp.user_id)


@scope(VisitFlag)
def flag_scope(user):
    if user.role == "staff":
        return false()  # the salesperson sees its visit flagged, not the review
    return people_rows(user, VisitFlag.partner_id, VisitFlag.team_id)


@change_rule(Customer)
def change_customer(user, customer):
    """The partner's people change the customers they see (the principal reads)."""
    return user.role in ("owner", "manager", "staff") and customer.partner_id == user.partner_id


@change_rule(VisitFlag)
def decide_flag(user, flag):
    """An owner or team lead decides the flags of visits it sees, never its own."""
    return user.role in ("owner", "manager") and flag.visit.user_id != user.id
