"""The appeal pages (/scoring/appeals, 申诉): an owner files an appeal on one line of its
scorecard with a reason and evidence, both sides write in its thread while it is open,
and the partner's channel manager (or the admin) accepts it with a corrected value —
which rescores the card — or rejects it with a reason. Open appeals past their decision
time are flagged.

Every handler checks the rule, then loads the appeal inside the user's reach
(`get_or_404`): an appeal on another partner's scorecard is a 404."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, select

from portal.core import files
from portal.core.access import can_change, get_or_404, may, require, visible
from portal.core.clock import now, today
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.core.pages import paginate
from portal.extensions import db
from portal.org.models import Partner
from portal.scoring import appeals as service
from portal.scoring import cards
from portal.scoring.card_forms import AppealForm, DecideForm, MessageForm, upload
from portal.scoring.models import APPEAL_STATES, Appeal, AppealMessage
from portal.scoring.routes import bp


def _appeal(appeal_id: int) -> Appeal:
    require("scoring.scorecards")
    return get_or_404(current_user, Appeal, appeal_id)


def _may_write(appeal: Appeal) -> bool:
    """The owner of the partner, or whoever may decide the appeal, while it is open."""
    return appeal.state == "open" and (may(current_user, "scoring.appeal")
                                       or can_change(current_user, appeal))


def _may_decide(appeal: Appeal) -> bool:
    return may(current_user, "scoring.decide") and can_change(current_user, appeal)


@bp.route("/partners/<int:partner_id>/appeal", methods=["GET", "POST"])
def new_appeal(partner_id):
    require("scoring.appeal")
    if not cards.in_reach(current_user, partner_id):
        abort(404)
    partner = db.session.get(Partner, partner_id)
    month = cards.month_of(request.values.get("month"),
                           cards.months(current_user, partner_id), today())
    scorecard = cards.scorecard_of(current_user, partner_id, month)
    if scorecard is None:
        abort(404)
    shown = cards.view(current_user, scorecard)
    lines = [v for _group, group_lines in shown.groups for v in group_lines]
    form = AppealForm()
    form.offer(lines)
    status = 200
    if not form.is_submitted():
        form.criterion.data = request.args.get("criterion", "")
    elif form.validate():
        try:
            appeal = service.file_appeal(current_user, scorecard, form.criterion.data or "",
                                         form.values(), upload(form.evidence))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("Your appeal is filed; the channel manager decides within five days."),
                  "success")
            return redirect(url_for("scoring.appeal", appeal_id=appeal.id))
    else:
        status = 400
    chosen = next((v for v in lines if str(v.criterion.id) == (form.criterion.data or "")),
                  None)
    return render_template("scoring/appeal_new.html", partner=partner, month=month,
                           scorecard=scorecard, form=form, chosen=chosen,
                           closes=service.appeal_closes(scorecard)), status


@bp.route("/appeals")
def appeals():
    require("scoring.scorecards")
    state = request.args.get("state")
    state = state if state in APPEAL_STATES else None
    late = request.args.get("overdue") == "1"
    q = (request.args.get("q") or "").strip()[:100]
    at = now()
    query = (select(Appeal).join(Partner, Partner.id == Appeal.partner_id)
             .where(visible(current_user, Appeal)))
    if state:
        query = query.where(Appeal.state == state)
    if late:
        query = query.where(service.overdue(at))
    if q:
        query = query.where(Partner.name.contains(q, autoescape=True))
    page = paginate(query.order_by(case((Appeal.state == "open", 0), else_=1),
                                   case((Appeal.state == "open", Appeal.due_at), else_=None),
                                   Appeal.filed_at.desc(), Appeal.id.desc()))
    return render_template("scoring/appeals.html", page=page, state=state, late=late, q=q,
                           states=APPEAL_STATES, at=at,
                           is_overdue=lambda a: a.state == "open" and a.due_at < at)


def _render_appeal(appeal: Appeal, *, message_form=None, decide_form=None, status=200):
    scorecard = appeal.scorecard
    line = next((ln for ln in scorecard.lines if ln.criterion_id == appeal.criterion_id), None)
    at = now()
    return render_template(
        "scoring/appeal.html", appeal=appeal, scorecard=scorecard, line=line,
        message_form=message_form or MessageForm(formdata=None),
        decide_form=decide_form or DecideForm(formdata=None),
        may_write=_may_write(appeal), may_decide=_may_decide(appeal),
        overdue=appeal.state == "open" and appeal.due_at < at,
        bounds=cards.METRICS[appeal.criterion.metric].bounds
        if appeal.criterion.metric in cards.METRICS else (None, None)), status


@bp.route("/appeals/<int:appeal_id>")
def appeal(appeal_id):
    return _render_appeal(_appeal(appeal_id))


@bp.route("/appeals/<int:appeal_id>/messages", methods=["POST"])
def appeal_message(appeal_id):
    found = _appeal(appeal_id)
    if found.state == "open" and not _may_write(found):
        abort(403)
    form = MessageForm()
    if not form.validate():
        return _render_appeal(found, message_form=form, status=400)
    try:
        service.add_message(current_user, found, {"body": form.body.data},
                            upload(form.evidence))
    except DomainError as error:
        db.session.rollback()
        show_error(form, error, "evidence" if error.field == "file" else None)
        return _render_appeal(db.session.get(Appeal, appeal_id), message_form=form,
                              status=error.status)
    db.session.commit()
    flash(_("Your message is added to the appeal."), "success")
    return redirect(url_for("scoring.appeal", appeal_id=appeal_id) + "#thread")


@bp.route("/appeals/<int:appeal_id>/decide", methods=["POST"])
def decide_appeal(appeal_id):
    require("scoring.decide")
    found = _appeal(appeal_id)
    if found.state == "open" and not can_change(current_user, found):
        abort(403)
    form = DecideForm()
    if not form.validate():
        return _render_appeal(found, decide_form=form, status=400)
    try:
        service.decide(current_user, found, form.values())
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _render_appeal(db.session.get(Appeal, appeal_id), decide_form=form,
                              status=error.status)
    db.session.commit()
    flash(_("The appeal is accepted and the scorecard rescored.")
          if found.state == "accepted" else _("The appeal is rejected."), "success")
    return redirect(url_for("scoring.appeal", appeal_id=appeal_id))


@bp.route("/appeals/<int:appeal_id>/files/<int:message_id>")
def appeal_file(appeal_id, message_id):
    found = _appeal(appeal_id)
    message = db.session.get(AppealMessage, message_id)
    if message is None or message.appeal_id != found.id or not message.file_hash:
        abort(404)
    return files.download(service.FILES_KIND, message.file_hash,
                          content_type=message.file_type or "application/octet-stream",
                          filename=message.file_name or "evidence")
