"""The comments on a criteria version (/scoring/criteria/…/comments), posted from the
version's page while it is published and has not begun: a partner's comment in its
thread, a channel manager's for one of its partners, the admin's note for every partner,
and the principal's reply. A refused comment or reply shows that page again with the
reason beside the form.

Every handler checks the rule, then loads the version or comment inside the user's reach
(`get_or_404`: another partner's comment is a 404)."""
from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import get_or_404, require
from portal.core.errors import DomainError
from portal.core.forms import commit_or_show
from portal.extensions import db
from portal.scoring import criteria_comments as service
from portal.scoring.criteria_forms import ReplyForm, comment_form_for
from portal.scoring.criteria_routes import render_set
from portal.scoring.models import CriteriaComment, CriteriaSet
from portal.scoring.routes import bp


@bp.route("/criteria/<int:set_id>/comments", methods=["POST"])
def comment_criteria(set_id):
    require("scoring.comment")
    cset = get_or_404(current_user, CriteriaSet, set_id)
    form = comment_form_for(cset, current_user)
    status = 400
    if form.validate():
        partner = form.partner_id.data
        _posted, error = commit_or_show(form, lambda: service.add_comment(
            current_user, cset, form.body.data, form.criterion_code.data or None,
            int(partner) if partner and partner.isdigit() and len(partner) < 10 else None))
        if error is None:
            flash(_("Your comment is posted."), "success")
            return redirect(url_for("scoring.criteria_set", set_id=cset.id) + "#comments")
        status = error.status
    return render_set(cset, comment_form=form, status=status)


@bp.route("/criteria/comments/<int:comment_id>/reply", methods=["POST"])
def reply_comment(comment_id):
    require("scoring.reply")
    comment = get_or_404(current_user, CriteriaComment, comment_id)
    form = ReplyForm()
    status = 400
    errors = {}
    if form.validate():
        try:
            service.reply(current_user, comment, form.body.data)
        except DomainError as error:
            db.session.rollback()
            errors[comment.id] = [error.message]
            status = error.status
        else:
            db.session.commit()
            flash(_("Your reply is posted."), "success")
            return redirect(url_for("scoring.criteria_set", set_id=comment.set_id)
                            + "#comments")
    else:
        errors[comment.id] = form.body.errors
    return render_set(db.session.get(CriteriaSet, comment.set_id), reply_errors=errors,
                      status=status)
