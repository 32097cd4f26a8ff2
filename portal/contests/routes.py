"""The contest pages (/contests): the list of the contests one organises or takes part
in (under way, upcoming, ended), the form that sets one up, one contest with its board
(or the viewer's own standing and the thresholds), and the organiser's cancel.

Every handler checks the rule first, then loads the contest inside the user's reach
(`get_or_404`): a contest one neither organises nor takes part in is a 404."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.contests import read, services
from portal.contests.forms import ContestForm
from portal.contests.labels import (BOARD_LABELS, LEVEL_LABELS, METRIC_HINTS,
                                    METRIC_LABELS, STATE_LABELS, counted_text,
                                    rate_text)
from portal.contests.models import Contest
from portal.core.access import can_change, get_or_404, require, visible
from portal.core.clock import now, today
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.core.pages import paginate, require_login
from portal.extensions import db

bp = Blueprint("contests", __name__, url_prefix="/contests")
require_login(bp)

TABS = read.TABS


@bp.context_processor
def _labels():
    return {"metric_label": lambda c: METRIC_LABELS.get(c, c),
            "metric_hint": lambda c: METRIC_HINTS.get(c, ""),
            "contest_level_label": lambda c: LEVEL_LABELS.get(c, c),
            "board_label": lambda c: BOARD_LABELS.get(c, c),
            "contest_state_label": lambda c: STATE_LABELS.get(c, c),
            "rate_text": rate_text, "counted_text": counted_text}


@bp.route("/")
def index():
    require("contests.read")
    tab = request.args.get("when")
    tab = tab if tab in TABS else "running"
    day = today()
    order = {"running": (Contest.ends_on, Contest.id),
             "upcoming": (Contest.starts_on, Contest.id),
             "ended": (Contest.ends_on.desc(), Contest.id.desc())}[tab]
    query = (select(Contest).where(visible(current_user, Contest), read.in_tab(tab, day))
             .order_by(*order))
    return render_template("contests/index.html", page=paginate(query), tab=tab, tabs=TABS,
                           today=day)


@bp.route("/new", methods=["GET", "POST"])
def new():
    require("contests.organise")
    form = ContestForm()
    form.offer(services.options(current_user))
    status = 200
    if request.method == "GET":
        form.starts_on.data, form.ends_on.data = services.default_days(today())
    elif not form.validate():
        status = 400
    else:
        try:
            contest = services.create_contest(current_user, form.data_for_service(), today())
        except DomainError as error:
            db.session.rollback()
            for field, message in error.details.items():
                if field == "participants":
                    field = f"participants_{form.level.data}"
                show_error(form, DomainError(field, message), field)
            status = error.status
        else:
            db.session.commit()
            flash(_("The contest is set up."), "success")
            return redirect(url_for("contests.contest", contest_id=contest.id))
    return render_template("contests/new.html", form=form), status


def _page(found: Contest, status: int = 200):
    return render_template("contests/contest.html", contest=found,
                           view=read.view(current_user, found, now()),
                           state=found.state(today()),
                           may_cancel=can_change(current_user, found)), status


@bp.route("/<int:contest_id>")
def contest(contest_id):
    require("contests.read")
    return _page(get_or_404(current_user, Contest, contest_id))


@bp.route("/<int:contest_id>/cancel", methods=["POST"])
def cancel(contest_id):
    require("contests.read")
    found = get_or_404(current_user, Contest, contest_id, change=True)
    try:
        services.cancel_contest(found, now(), today())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
        return _page(found, error.status)
    db.session.commit()
    flash(_("The contest is cancelled."), "success")
    return redirect(url_for("contests.contest", contest_id=found.id))
