"""The criteria catalogue's pages (/scoring/criteria): the versions (in force, published
ahead with the days left to comment, drafts for the admin, the history), one version in
plain words with its comments, what it changes against the version in force, and the
admin's editor (criteria, weights, tiers, publish, preview before publishing).

Every handler checks the rule, then loads the version inside the user's reach
(`get_or_404`: a draft is a 404 to partners); the services refuse changes to a frozen
version with a message on the page."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.auth.models import User
from portal.core.access import can_change, get_or_404, may, require, visible
from portal.core.clock import today
from portal.core.errors import DomainError
from portal.core.forms import commit_or_show
from portal.core.pages import paginate
from portal.core.urls import path_for
from portal.extensions import db
from portal.notify.services import notify
from portal.results.months import add_months, first_of, month_label
from portal.scoring import criteria as service
from portal.scoring import criteria_comments
from portal.scoring.criteria_forms import (CriterionForm, PublishForm, TiersForm, WeightsForm,
                                           comment_form_for)
from portal.scoring.labels import (DIRECTION_LABELS, FIELD_LABELS, GROUP_LABELS,
                                   MAPPING_LABELS, STANDING_LABELS, UNIT_LABELS,
                                   mapping_words, number, points_table, tier_words)
from portal.scoring.metrics import METRICS
from portal.scoring.models import GROUPS, CriteriaSet, Criterion
from portal.scoring.routes import bp


@bp.context_processor
def _labels():
    return {"group_label": lambda c: GROUP_LABELS.get(c, c),
            "direction_label": lambda c: DIRECTION_LABELS.get(c, c),
            "field_label": lambda c: FIELD_LABELS.get(c, c),
            "mapping_label": lambda c: MAPPING_LABELS.get(c, c),
            "standing_label": lambda c: STANDING_LABELS.get(c, c),
            "unit_label": lambda c: UNIT_LABELS.get(c, c),
            "metric_of": METRICS.get, "mapping_words": mapping_words,
            "points_table": points_table, "tier_words": tier_words, "number": number,
            "month_label": month_label}


def _set(set_id: int) -> CriteriaSet:
    require("scoring.read")
    return get_or_404(current_user, CriteriaSet, set_id)


def _editable(set_id: int) -> CriteriaSet:
    require("scoring.criteria")
    return get_or_404(current_user, CriteriaSet, set_id)


def _criterion(cset: CriteriaSet, criterion_id: int) -> Criterion:
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.set_id != cset.id:
        abort(404)
    return criterion


@bp.route("/criteria/")
def criteria():
    require("scoring.read")
    day = today()
    state = request.args.get("state")
    state = state if state in ("draft", "published") else None
    q = (request.args.get("q") or "").strip()[:100]
    query = select(CriteriaSet).where(visible(current_user, CriteriaSet))
    if state:
        query = query.where(CriteriaSet.state == state)
    if q:
        conditions = [CriteriaSet.note.contains(q, autoescape=True)]
        if q.isdigit() and len(q) < 9:
            conditions.append(CriteriaSet.version == int(q))
        query = query.where(or_(*conditions))
    page = paginate(query.order_by(CriteriaSet.version.desc()))
    drafts = [s for s in db.session.execute(select(CriteriaSet).where(
        visible(current_user, CriteriaSet), CriteriaSet.state == "draft")).scalars()]
    latest = service.published()
    return render_template(
        "scoring/criteria_index.html", page=page, state=state, q=q, day=day,
        current=service.in_force(day), upcoming=service.upcoming(day), drafts=drafts,
        standing=lambda s: service.standing(s, day),
        days_left=lambda s: (s.effective_month - day).days,
        copy_from=latest[-1] if latest else None)


def render_set(cset: CriteriaSet, *, comment_form=None, reply_errors=None, status=200):
    """A version's page; `comment_form` and `reply_errors` carry a refused comment or reply."""
    day = today()
    by_group = [(group, [c for c in cset.criteria if c.group == group]) for group in GROUPS]
    total_weight = sum(c.weight for c in cset.criteria)
    base = service.baseline(cset, day)
    tiers = TiersForm()
    tiers.fill(cset.tiers)
    return render_template(
        "scoring/criteria_set.html", cset=cset, by_group=[g for g in by_group if g[1]],
        standing=service.standing(cset, day), until=service.until(cset),
        amended=service.last_amended(cset), baseline=base,
        changed=len(service.changes(base, cset)) if base else None,
        days_left=(cset.effective_month - day).days, total_weight=total_weight,
        editable=can_change(current_user, cset), frozen=service.is_frozen(cset, day),
        comments=criteria_comments.visible_to(current_user, cset),
        comment_form=comment_form or comment_form_for(cset, current_user),
        commenting=may(current_user, "scoring.comment") and cset.state == "published"
        and not service.is_frozen(cset, day),
        reply_errors=reply_errors or {}, weights_form=WeightsForm(),
        criterion_names={c.code: c.name for c in cset.criteria},
        tiers_form=tiers), status


@bp.route("/criteria/<int:set_id>")
def criteria_set(set_id):
    return render_set(_set(set_id))


@bp.route("/criteria/<int:set_id>/compare")
def criteria_compare(set_id):
    cset = _set(set_id)
    base = service.baseline(cset, today())
    against = request.args.get("with", type=int)
    if against is not None and 0 < against < 2**31:
        base = get_or_404(current_user, CriteriaSet, against)
    return render_template("scoring/criteria_compare.html", cset=cset, base=base,
                           changes=service.changes(base, cset) if base else [])


@bp.route("/criteria/<int:set_id>/preview")
def criteria_preview(set_id):
    cset = _editable(set_id)
    month = add_months(first_of(today()), -1)
    rows, problem = None, None
    try:
        from portal.scoring.compute import preview
    except ImportError:
        preview = None
    if preview is not None:
        try:
            rows = preview(cset, month)
        except DomainError as error:
            db.session.rollback()
            problem = error.message
    return render_template("scoring/criteria_preview.html", cset=cset, month=month,
                           rows=rows, problem=problem, available=preview is not None)


@bp.route("/criteria/new", methods=["POST"])
def new_draft():
    require("scoring.criteria")
    latest = service.published()
    try:
        cset = service.new_draft(current_user, latest[-1] if latest else None)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        draft = service.open_draft()
        return redirect(url_for("scoring.criteria_set", set_id=draft.id)
                        if draft else url_for("scoring.criteria")), 303
    db.session.commit()
    flash(_("Draft version %(num)d is open.", num=cset.version), "success")
    return redirect(url_for("scoring.criteria_set", set_id=cset.id))


@bp.route("/criteria/<int:set_id>/discard", methods=["POST"])
def discard_draft(set_id):
    cset = _editable(set_id)
    try:
        service.discard_draft(current_user, cset)
    except DomainError as error:
        db.session.rollback()
        return render_set(cset, status=error.status)[0], error.status
    db.session.commit()
    flash(_("The draft is discarded."), "success")
    return redirect(url_for("scoring.criteria"))


def _criterion_page(cset, form, criterion=None, status=200):
    if service.is_frozen(cset) and not form.form_errors:
        form.form_errors.append(service.FROZEN)
        status = 409
    return render_template("scoring/criteria_criterion.html", cset=cset, form=form,
                           criterion=criterion, metrics=METRICS), status


@bp.route("/criteria/<int:set_id>/criteria/new", methods=["GET", "POST"])
def new_criterion(set_id):
    cset = _editable(set_id)
    form = CriterionForm()
    if not form.is_submitted():
        form.weight.data = str(max(0, 100 - sum(c.weight for c in cset.criteria)) or "")
        return _criterion_page(cset, form)
    return _save_criterion(cset, form)


@bp.route("/criteria/<int:set_id>/criteria/<int:criterion_id>", methods=["GET", "POST"])
def edit_criterion(set_id, criterion_id):
    cset = _editable(set_id)
    criterion = _criterion(cset, criterion_id)
    form = CriterionForm()
    if not form.is_submitted():
        form.fill(criterion)
        return _criterion_page(cset, form, criterion)
    return _save_criterion(cset, form, criterion)


def _save_criterion(cset, form, criterion=None):
    status = 400
    if form.validate():
        _saved, error = commit_or_show(form, lambda: service.save_criterion(
            current_user, cset, form.values(), criterion))
        if error is None:
            flash(_("The criterion is saved."), "success")
            return redirect(url_for("scoring.criteria_set", set_id=cset.id))
        status = error.status
    return _criterion_page(cset, form, criterion, status)


def _change_set(cset: CriteriaSet, change, done: str):
    """Make `change` to `cset` and go back to its page saying `done`; when the service
    refuses, the page again with the reason and the refusal's status."""
    set_id = cset.id
    try:
        change()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return render_set(db.session.get(CriteriaSet, set_id), status=error.status)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("scoring.criteria_set", set_id=set_id))


@bp.route("/criteria/<int:set_id>/criteria/<int:criterion_id>/remove", methods=["POST"])
def remove_criterion(set_id, criterion_id):
    cset = _editable(set_id)
    criterion = _criterion(cset, criterion_id)
    return _change_set(cset, lambda: service.delete_criterion(current_user, cset, criterion),
                       _("The criterion is removed."))


@bp.route("/criteria/<int:set_id>/weights", methods=["POST"])
def criteria_weights(set_id):
    cset = _editable(set_id)
    form = WeightsForm()
    weights = {c.id: request.form.get(f"weight_{c.id}", "") for c in cset.criteria}
    if form.validate():
        return _change_set(cset, lambda: service.save_weights(current_user, cset, weights),
                           _("The weights are saved."))
    return render_set(cset, status=400)


@bp.route("/criteria/<int:set_id>/tiers", methods=["GET", "POST"])
def criteria_tiers(set_id):
    cset = _editable(set_id)
    form = TiersForm()
    status = 200
    if not form.is_submitted():
        form.fill(cset.tiers)
    elif form.validate():
        _saved, error = commit_or_show(
            form, lambda: service.save_tiers(current_user, cset, form.tiers()))
        if error is None:
            flash(_("The tiers are saved."), "success")
            return redirect(url_for("scoring.criteria_set", set_id=cset.id))
        status = error.status
    else:
        status = 400
    if service.is_frozen(cset) and status == 200:
        form.form_errors.append(service.FROZEN)
        status = 409
    return render_template("scoring/criteria_tiers.html", cset=cset, form=form), status


@bp.route("/criteria/<int:set_id>/publish", methods=["GET", "POST"])
def publish_criteria(set_id):
    cset = _editable(set_id)
    form = PublishForm()
    status = 200
    if not form.is_submitted():
        form.effective_month.data = add_months(first_of(today()), 1)
        form.note.data = cset.note
    elif form.validate():
        _published, error = commit_or_show(form, lambda: _publish(cset, form))
        if error is None:
            flash(_("Version %(num)d is published; it applies from %(month)s.",
                    num=cset.version, month=month_label(cset.effective_month)), "success")
            return redirect(url_for("scoring.criteria_set", set_id=cset.id))
        status = error.status
    else:
        status = 400
    cset = db.session.get(CriteriaSet, set_id)
    if cset.state != "draft" and status == 200:
        form.form_errors.append(_("This version is already published."))
        status = 409
    problems = []
    try:
        service.check_set(cset)
    except DomainError as error:
        problems.append(error.message)
    return render_template("scoring/criteria_publish.html", cset=cset, form=form,
                           problems=problems, baseline=service.baseline(cset, today()),
                           first_open=add_months(first_of(today()), 1)), status


def _publish(cset: CriteriaSet, form: PublishForm) -> None:
    service.save_note(current_user, cset, form.note.data or "")
    service.publish(current_user, cset, form.effective_month.data)
    _announce(cset)


def _announce(cset: CriteriaSet) -> None:
    """Tell partner owners, team leads and channel managers, before it judges anyone,
    from when the new version applies and that they may comment until then. Mandatory:
    the rules that decide a partner's tier never change silently. One text for all, in
    the portal's language."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("Scoring criteria version %(num)d applies from %(month)s",
                  num=cset.version, month=month_label(cset.effective_month))
        body = _("Read what changes and comment before %(month)s.",
                 month=month_label(cset.effective_month))
    notify(select(User.id).where(User.role.in_(("owner", "manager", "channel_manager"))),
           "scoring", title, body=body,
           link=path_for("scoring.criteria_set", set_id=cset.id), mandatory=True)
