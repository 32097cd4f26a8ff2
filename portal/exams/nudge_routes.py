"""The leader's one-tap reminder of an open sitting ("exams.nudge": owners and team
leads), from its home page or the not-taken report, and what those pages need to show
its button (`exam_nudge(sitting)` in templates). Check the rule, load and check access,
call `nudges.nudge`, commit once."""
from flask import flash, redirect, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import get_or_404, may, require
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.web import safe_next
from portal.exams import nudges
from portal.exams.manage_routes import conflict
from portal.exams.models import Sitting
from portal.exams.routes import bp
from portal.extensions import db
from portal.notify.nudges import too_soon


@bp.app_context_processor
def _nudge_helpers():
    return {"exam_nudge": _nudge_button}


def _nudge_button(sitting: Sitting) -> dict | None:
    """What the current user's "Remind them" button of `sitting` shows: how many it
    would remind and until when it must wait; None when it has no such button (the rule
    does not allow it, or the sitting is not open)."""
    at = now()
    if not may(current_user, "exams.nudge") or nudges.refusal(sitting, at):
        return None
    return {"count": nudges.reminded_count(current_user, sitting, at),
            "wait": nudges.next_nudges(current_user, [sitting.id]).get(sitting.id)}


@bp.route("/sittings/<int:sitting_id>/nudge", methods=["POST"])
def nudge(sitting_id):
    """An owner or team lead reminds its people who have not taken an open sitting, at
    most once an hour; back to the page it came from (`?next=`, else the home page)."""
    require("exams.nudge")
    sitting = get_or_404(current_user, Sitting, sitting_id)
    try:
        count = nudges.nudge(current_user, sitting)
    except DomainError as error:
        db.session.rollback()
        return conflict(error.message)
    if count is None:
        flash(too_soon(nudges.next_nudges(current_user, [sitting.id]).get(sitting.id)),
              "warning")
    elif count == 0:
        flash(_("Everyone of your people assigned to it has taken it."), "info")
    else:
        db.session.commit()
        flash(_("%(num)d people were reminded.", num=count), "success")
    return redirect(safe_next(request.args.get("next")))
