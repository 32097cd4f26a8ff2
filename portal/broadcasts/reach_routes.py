"""Reach pages: who a broadcast reached, opened and acknowledged, for the principal and
for a partner owner (its own partner only, with a nudge for its overdue people), and
cascade fidelity across partners."""
from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.broadcasts import reach as figures
from portal.broadcasts import reminders
from portal.broadcasts.models import Broadcast
from portal.broadcasts.routes import bp
from portal.core.access import figures_of, get_or_404, may, require
from portal.core.clock import now
from portal.core.pages import Page, number_arg
from portal.core.web import safe_next
from portal.extensions import db
from portal.notify import nudges
from portal.org.models import Partner

FIDELITY_WINDOWS = (30, 90, 365)


@bp.route("/<int:broadcast_id>/reach")
def reach(broadcast_id):
    require("broadcasts.reach")
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    allowed = figures.covered_partner_ids(current_user, broadcast)
    if allowed == ():
        abort(404)
    partner_ids = allowed
    chosen = number_arg("partner")
    if chosen is not None and (allowed is None or chosen in allowed):
        partner_ids = [chosen]
    single = partner_ids is not None and len(partner_ids) == 1
    partner = db.session.get(Partner, partner_ids[0]) if single else None
    overdue = Page(figures.overdue_people(broadcast, partner_ids), rows=True)
    may_nudge = may(current_user, "broadcasts.nudge") and broadcast.requires_ack
    return render_template(
        "broadcasts/reach.html", broadcast=broadcast, partner=partner,
        several_partners=allowed is None or len(allowed) > 1,
        summary=figures.reach_summary(broadcast, partner_ids),
        by_partner=None if single else figures.reach_breakdown(broadcast, "partner", partner_ids),
        by_team=figures.reach_breakdown(broadcast, "team", partner_ids) if single else None,
        by_role=figures.reach_breakdown(broadcast, "role", partner_ids), overdue=overdue,
        may_nudge=may_nudge,
        next_nudge=reminders.next_nudge_at(broadcast, current_user)
        if may_nudge else None)


@bp.route("/<int:broadcast_id>/nudge", methods=["POST"])
def nudge(broadcast_id):
    """An owner reminds its partner's people who have not acknowledged (a team lead its
    team's), before or after the deadline, at most once an hour per broadcast; back to
    the page it came from (`?next=`), else the reach page or, without it, home."""
    require("broadcasts.nudge")
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    count = reminders.nudge(current_user, broadcast)
    if count is None:
        when = reminders.next_nudge_at(broadcast, current_user)
        flash(nudges.too_soon(when), "warning")
    elif count == 0:
        flash(_("Everyone of your people has acknowledged it."), "info")
    else:
        db.session.commit()
        flash(_("%(num)d people were reminded.", num=count), "success")
    back = request.args.get("next") or (url_for("broadcasts.reach", broadcast_id=broadcast.id)
                                        if may(current_user, "broadcasts.reach") else None)
    return redirect(safe_next(back))


@bp.route("/fidelity")
def fidelity():
    """Cascade fidelity: partners whose leaders acknowledged and whose staff did not."""
    require("broadcasts.fidelity")
    days = number_arg("days", 90)
    days = days if days in FIDELITY_WINDOWS else 90
    rows = figures.fidelity(now() - timedelta(days=days), figures_of(current_user).partner_ids)
    return render_template("broadcasts/fidelity.html", rows=rows, days=days,
                           windows=FIDELITY_WINDOWS)
