"""The scorecard pages (/scoring): the month's scorecards the user may see (with CSV),
one partner's scorecard explained criterion by criterion, the recompute button, the
what-if that moves a copy of the score and stores nothing, and the tier reviews.

Every handler checks the rule first, then the partner (or row) inside the user's reach:
another partner's scorecard is a 404, as one that does not exist."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.core.access import can_change, get_or_404, may, require, visible
from portal.core.clock import now, today
from portal.core.csv_export import csv_response
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.core.pages import paginate
from portal.extensions import db
from portal.org.models import TIERS, Partner, Region
from portal.results.months import first_of, month_label
from portal.scoring import appeals, cards
from portal.scoring.card_forms import RecomputeForm, ReviewForm
from portal.scoring.compute import compute_month, set_for
from portal.scoring.labels import (APPEAL_STATE_LABELS, GROUP_LABELS,
                                   TIER_CHANGE_STATE_LABELS, number)
from portal.scoring.models import Scorecard, TierChange
from portal.scoring.routes import bp


@bp.context_processor
def _card_labels():
    return {"appeal_state_label": lambda c: APPEAL_STATE_LABELS.get(c, c),
            "tier_change_state_label": lambda c: TIER_CHANGE_STATE_LABELS.get(c, c),
            "card_group_label": lambda c: GROUP_LABELS.get(c, c) if c else _("Other"),
            "card_number": number, "card_month_label": month_label,
            "value_text": cards.value_text, "month_arg": lambda m: m.strftime("%Y-%m")}


def _partner(partner_id: int) -> Partner:
    """The partner of a scorecard page, inside the user's reach (else 404)."""
    require("scoring.scorecards")
    if not cards.in_reach(current_user, partner_id):
        abort(404)
    return db.session.get(Partner, partner_id)


def _filters() -> dict:
    args = request.args
    tier = args.get("tier") if args.get("tier") in TIERS else None
    earned = args.get("earned") if args.get("earned") in TIERS else None
    province = args.get("province", "")
    province = province if province.isdigit() and len(province) == 2 else None
    sort = args.get("sort") if args.get("sort") in cards.SORTS else "total"
    return {"tier": tier, "earned": earned, "province": province,
            "q": (args.get("q") or "").strip()[:100] or None, "sort": sort}


def _list_month():
    known = cards.months(current_user)
    return cards.month_of(request.args.get("month"), known, today()), known


@bp.route("/scorecards")
def scorecards():
    require("scoring.scorecards")
    if current_user.role == "owner":
        return redirect(url_for("scoring.scorecard", partner_id=current_user.partner_id))
    month, known = _list_month()
    filters = _filters()
    page = paginate(cards.list_query(current_user, month, **filters), rows=True)
    provinces = db.session.execute(select(Region).where(Region.code.in_(
        select(Partner.province_code).where(Partner.id.in_(
            select(Scorecard.partner_id).where(
                Scorecard.month == month, visible(current_user, Scorecard))))))
        .order_by(Region.code)).scalars().all()
    return render_template("scoring/scorecards.html", page=page, month=month, months=known,
                           filters=filters, tiers=TIERS, provinces=provinces,
                           criteria=set_for(month), any_criteria=set_for(today()) is not None
                           or bool(known))


@bp.route("/scorecards.csv")
def scorecards_csv():
    require("scoring.scorecards")
    month, _known = _list_month()
    rows = db.session.execute(cards.list_query(current_user, month, **_filters())).all()
    header = [_("Partner"), _("Province"), _("Tier"), _("Total"), _("Earned tier"),
              _("Rank in tier"), _("Ranked in tier"), _("Percentile"), _("State"),
              _("Open appeals"), _("Computed at")]
    body = [[p.name, p.province.name if p.province else "", s.tier,
             "" if s.total is None else s.total, s.earned_tier or "",
             s.rank or "", s.ranked or "", "" if s.percentile is None else s.percentile,
             _("Frozen") if s.frozen_at else _("Not closed"), n,
             s.computed_at.isoformat(timespec="minutes")] for s, p, n in rows]
    return csv_response(f"scorecards-{month:%Y-%m}.csv", header, body)


def _render_card(partner: Partner, month, *, status=200, problem=None):
    known = cards.months(current_user, partner.id)
    scorecard = cards.scorecard_of(current_user, partner.id, month)
    shown = cards.view(current_user, scorecard) if scorecard is not None else None
    window = appeals.appeal_closes(scorecard) if scorecard is not None else None
    return render_template(
        "scoring/scorecard.html", partner=partner, month=month, months=known,
        scorecard=scorecard, card=shown, problem=problem,
        may_appeal=scorecard is not None and may(current_user, "scoring.appeal")
        and window is not None and now() < window, appeals_close=window,
        may_recompute=may(current_user, "scoring.recompute")
        and (scorecard is None or scorecard.frozen_at is None) and not cards.closed(month)
        and first_of(month) <= first_of(today()),
        recompute_form=RecomputeForm(formdata=None, month=month.strftime("%Y-%m")),
        criteria=set_for(month)), status


@bp.route("/partners/<int:partner_id>/scorecard")
def scorecard(partner_id):
    partner = _partner(partner_id)
    month = cards.month_of(request.args.get("month"), cards.months(current_user, partner.id),
                           today())
    return _render_card(partner, month)


@bp.route("/partners/<int:partner_id>/recompute", methods=["POST"])
def recompute(partner_id):
    require("scoring.recompute")
    partner = _partner(partner_id)
    form = RecomputeForm()
    month = first_of(cards.month_of(form.month.data, [], today()))
    scorecard = cards.scorecard_of(current_user, partner.id, month)
    if month > first_of(today()):
        return _render_card(partner, month, status=400,
                            problem=_("This month has not begun: there is nothing to "
                                      "compute yet."))
    if (scorecard is not None and scorecard.frozen_at is not None) or cards.closed(month):
        return _render_card(partner, month, status=409,
                            problem=_("%(month)s is closed: its scorecards are frozen and "
                                      "only an accepted appeal changes them.",
                                      month=month_label(month)))
    run = compute_month(month, partner_ids=[partner.id], trigger="button", actor=current_user)
    if run is None:
        db.session.rollback()
        return _render_card(partner, month, status=409, problem=_(
            "Nothing was computed: no criteria version judges this month, or the "
            "partner is not active."))
    db.session.commit()
    flash(_("The scorecard is recomputed from the latest figures."), "success")
    return redirect(url_for("scoring.scorecard", partner_id=partner.id,
                            month=month.strftime("%Y-%m")))


@bp.route("/partners/<int:partner_id>/whatif")
def whatif(partner_id):
    partner = _partner(partner_id)
    month = cards.month_of(request.args.get("month"), cards.months(current_user, partner.id),
                           today())
    scorecard = cards.scorecard_of(current_user, partner.id, month)
    rows, errors, result, status = [], {}, None, 200
    if scorecard is not None:
        tried = request.args.get("run") == "1"
        values = {}
        for line in scorecard.lines:
            criterion, name = line.criterion, f"c_{line.criterion.code}"
            raw = (request.args.get(name) or "").strip()[:40] if tried else (
                "" if line.value is None else number(line.value).replace(",", ""))
            try:
                values[criterion.code] = appeals.metric_value(raw, criterion, name,
                                                              required=False)
            except DomainError as error:
                errors[name] = error.message
            rows.append({"line": line, "criterion": criterion, "name": name, "raw": raw})
        if errors:
            status = 400
        elif tried:
            result = cards.what_if(scorecard, values)
    return render_template("scoring/whatif.html", partner=partner, month=month,
                           scorecard=scorecard, rows=rows, errors=errors,
                           result=result), status


# -- tier reviews ------------------------------------------------------------------------

TIER_STATES = ("pending", "applied", "confirmed", "kept")


def _render_tiers(*, forms=None, status=200):
    state = request.args.get("state")
    state = state if state in TIER_STATES else None
    query = (select(TierChange).join(Partner, Partner.id == TierChange.partner_id)
             .where(visible(current_user, TierChange)))
    if state:
        query = query.where(TierChange.state == state)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        query = query.where(Partner.name.contains(q, autoescape=True))
    page = paginate(query.order_by(TierChange.state != "pending", TierChange.month.desc(),
                                   Partner.name_key, TierChange.id))
    forms = forms or {}
    return render_template(
        "scoring/tiers.html", page=page, state=state, q=q, states=TIER_STATES,
        forms={c.id: forms.get(c.id) or ReviewForm(formdata=None) for c in page.items},
        reviewable={c.id: can_change(current_user, c) and may(current_user, "scoring.decide")
                    for c in page.items}), status


@bp.route("/tiers")
def tiers():
    require("scoring.scorecards")
    return _render_tiers()


@bp.route("/tiers/<int:change_id>/review", methods=["POST"])
def review_tier(change_id):
    require("scoring.decide")
    change = get_or_404(current_user, TierChange, change_id)
    if change.state == "pending" and not can_change(current_user, change):
        abort(403)
    form = ReviewForm()
    try:
        appeals.review_demotion(current_user, change, form.values())
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _render_tiers(forms={change_id: form}, status=error.status)
    db.session.commit()
    flash(_("The review of %(partner)s is saved.", partner=change.partner.name), "success")
    return redirect(url_for("scoring.tiers"))
