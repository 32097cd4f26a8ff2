"""The review queue of flagged visits: an owner or team lead sees the flags of the visits
it may see, oldest first, and clears (the visit is fine) or confirms (it is not) each,
with a note; the decision is audited with the flag. Nobody decides the flags of their
own visits (the flag's change rule)."""
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from portal.auth.models import User
from portal.core.access import get_or_404, require, visible
from portal.core.errors import DomainError
from portal.core.pages import Page
from portal.extensions import db
from portal.habits import visits
from portal.habits.labels import FLAG_LABELS, FLAG_STATE_LABELS
from portal.habits.models import Customer, Visit, VisitFlag
from portal.habits.routes import bp


def open_flag_count(user) -> int:
    """How many open flags `user` may decide: those of visits it sees, not its own."""
    return db.session.execute(select(func.count()).select_from(VisitFlag)
                              .join(Visit, Visit.id == VisitFlag.visit_id)
                              .where(visible(user, VisitFlag), VisitFlag.state == "open",
                                     Visit.user_id != user.id)).scalar_one()


def detail_words(flag: VisitFlag) -> str:
    """What the flag saw, in words."""
    detail = flag.detail or {}
    if flag.reason == "far_from_customer" and "metres" in detail:
        return _("%(num)d m from the customer's location", num=detail["metres"])
    if flag.reason == "reused_photo":
        if detail.get("earlier_visit"):
            return _("The same photo as visit no. %(num)d", num=detail["earlier_visit"])
        return _("The same photo as an earlier visit elsewhere in the portal")
    if flag.reason == "impossible_travel" and "km" in detail:
        return _("%(km)s km from another visit %(minutes)d minutes apart",
                 km=detail["km"], minutes=detail.get("minutes", 0))
    if flag.reason == "backdated_burst" and "count" in detail:
        return _("One of %(count)d entries sent within an hour, %(hours)d hours after the "
                 "visit", count=detail["count"], hours=detail.get("hours_late", 0))
    return ""


def _filters() -> dict:
    """The queue's filters from the query string; anything unknown is left out."""
    state = request.args.get("state")
    reason = request.args.get("reason")
    return {"state": state if state in FLAG_STATE_LABELS else "open",
            "reason": reason if reason in FLAG_LABELS else None}


def _queue(status: int = 200, error: str | None = None):
    chosen = _filters()
    decider = aliased(User)
    query = (select(VisitFlag, Visit.visited_at, Visit.received_at, Visit.distance_m,
                    Visit.note.label("visit_note"), Visit.user_id,
                    User.display_name.label("person"), Customer.name.label("customer"),
                    decider.display_name.label("decider"))
             .join(Visit, Visit.id == VisitFlag.visit_id)
             .join(User, User.id == Visit.user_id)
             .join(Customer, Customer.id == Visit.customer_id)
             .outerjoin(decider, decider.id == VisitFlag.decided_by)
             .where(visible(current_user, VisitFlag), VisitFlag.state == chosen["state"]))
    if chosen["reason"]:
        query = query.where(VisitFlag.reason == chosen["reason"])
    page = Page(query.order_by(Visit.visited_at, VisitFlag.id), rows=True)
    return render_template("habits/review/index.html", page=page, chosen=chosen,
                           reasons=FLAG_LABELS, states=FLAG_STATE_LABELS,
                           detail_words=detail_words, error=error,
                           back={k: v for k, v in chosen.items() if v}), status


@bp.route("/review/")
def review():
    require("habits.review")
    return _queue()


@bp.route("/review/<int:flag_id>", methods=["POST"])
def decide_flag(flag_id):
    require("habits.review")
    flag = get_or_404(current_user, VisitFlag, flag_id, change=True)
    state = request.form.get("state", "")
    try:
        visits.decide_flag(current_user, flag, state, request.form.get("note", ""))
    except DomainError as error:
        db.session.rollback()
        return _queue(error.status, str(error.message))
    db.session.commit()
    flash(_("Flag cleared: the visit is fine.") if state == "cleared"
          else _("Flag confirmed: the visit is not what it says."), "success")
    return redirect(url_for("habits.review", **{k: v for k, v in _filters().items() if v}))
