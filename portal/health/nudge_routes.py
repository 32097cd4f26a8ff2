"""An owner's or team lead's one-tap reminder from its home page's to-dos."""
from flask import flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import require
from portal.core.clock import now, today
from portal.core.errors import DomainError
from portal.core.web import safe_next
from portal.extensions import db
from portal.health import todo
from portal.health.routes import bp
from portal.notify.nudges import too_soon


@bp.route("/nudge/<kind>/<int:user_id>", methods=["POST"])
def nudge(kind, user_id):
    """Remind one person led by the current user, at most once an hour per kind; back
    to the page it came from (`?next=`, else the home page)."""
    require("health.nudge")
    at = now()
    try:
        count = todo.nudge(current_user, kind, user_id, today(), at)
    except DomainError as error:  # not one of its people (404), nothing left to remind of
        db.session.rollback()
        return render_template("errors/error.html", status=error.status,
                               message=error.message), error.status
    if count is None:
        flash(too_soon(todo.waits([user_id], at).get((user_id, kind))), "warning")
    else:
        db.session.commit()
        flash(_("The reminder was sent."), "success")
    return redirect(safe_next(request.args.get("next")))
