"""Scoring endpoints: the month's scorecards the caller may see, one partner's scorecard
taken apart line by line with the gap to the next tier, the appeals, and an owner filing
one. Read through the same scopes as the pages: a partner, scorecard or appeal outside
the caller's reach is a 404, as one that does not exist."""
from flask import abort
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest import abort as abort_with
from sqlalchemy import func, select

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.api.fields import INT32_MAX
from portal.api.schemas import ErrorSchema
from portal.core.access import get_or_404, visible
from portal.core.clock import now, today
from portal.core.errors import DomainError
from portal.core.pages import Page
from portal.extensions import db
from portal.org.models import Partner
from portal.results.months import first_of
from portal.scoring import appeals, cards, schemas
from portal.scoring.models import Appeal, Scorecard

bp = Blueprint("scoring_api", __name__, url_prefix="/api/v1",
               description="Partner scoring: scorecards, their explanation, appeals.")

ID = f"<int(max={INT32_MAX})"
NOT_FOUND = {"schema": ErrorSchema, "description": (
    "No such partner, scorecard or appeal, or not the caller's to see.")}
FORBIDDEN = {"schema": ErrorSchema, "description": "The caller's role may not do this."}
CONFLICT = {"schema": ErrorSchema, "description": (
    "An appeal on this criterion of this scorecard is already open.")}


def _month(period, partner_id=None):
    """The month asked for (never in the future: 422), or the latest one with
    scorecards the caller may see."""
    if period is not None:
        if period > first_of(today()):
            abort_with(422, messages={"query": {"period": [
                _("The month has not begun yet.")]}})
        return period
    known = cards.months(current_user, partner_id)
    return known[0] if known else first_of(today())


def _open_counts(ids) -> dict:
    if not ids:
        return {}
    return dict(db.session.execute(select(Appeal.scorecard_id, func.count()).where(
        Appeal.scorecard_id.in_(ids), Appeal.state == "open")
        .group_by(Appeal.scorecard_id)).all())


def card_json(card: Scorecard, open_appeals: int) -> dict:
    return {"id": card.id, "partner_id": card.partner_id, "partner_name": card.partner.name,
            "month": card.month.strftime("%Y-%m"),
            "criteria_version": card.criteria_set.version, "tier": card.tier,
            "total": card.total, "earned_tier": card.earned_tier, "rank": card.rank,
            "ranked": card.ranked, "percentile": card.percentile,
            "frozen": card.frozen_at is not None, "computed_at": card.computed_at,
            "open_appeals": open_appeals}


@bp.route("/scorecards")
@allowed("scoring.scorecards")
@bp.arguments(schemas.ScorecardArgs, **QUERY)
@bp.response(200, schemas.ScorecardPageSchema)
def scorecard_list(page, per_page, period=None, tier=None):
    """A month's scorecards the caller may see, best total first (no total last): the
    principal's admin and auditors every partner's, a channel manager its partners',
    an owner its own."""
    month = _month(period)
    query = (select(Scorecard).join(Partner, Partner.id == Scorecard.partner_id)
             .where(Scorecard.month == month, visible(current_user, Scorecard)))
    if tier:
        query = query.where(Scorecard.tier == tier)
    found = Page(query.order_by(Scorecard.total.desc().nulls_last(), Partner.name_key,
                                Scorecard.id), page=page, per_page=per_page).as_dict()
    counts = _open_counts([c.id for c in found["items"]])
    found["items"] = [card_json(c, counts.get(c.id, 0)) for c in found["items"]]
    return found


@bp.route(f"/partners/{ID}:partner_id>/scorecard")
@allowed("scoring.scorecards")
@bp.arguments(schemas.OneScorecardArgs, **QUERY)
@bp.response(200, schemas.ScorecardDetailSchema)
@bp.alt_response(404, **NOT_FOUND)
def partner_scorecard(partner_id, period=None):
    """One partner's scorecard of a month, explained: each criterion's value with what
    it came from, points, weight, share and contribution; the better tiers missed and
    why; the gap to the next tier with the criteria that alone would close it; the
    last six months' totals."""
    if not cards.in_reach(current_user, partner_id):
        abort(404)
    month = _month(period, partner_id)
    card = cards.scorecard_of(current_user, partner_id, month)
    if card is None:
        abort(404)
    shown = cards.view(current_user, card)
    lines = [v for _group, group_lines in shown.groups for v in group_lines]
    gap = shown.gap
    return {**card_json(card, sum(a.state == "open" for a in shown.appeals)),
            "lines": [{"criterion": v.criterion.code, "name": v.criterion.name,
                       "group": v.criterion.group, "metric": v.criterion.metric,
                       "explain": str(v.metric.explain) if v.metric else "",
                       "value": v.line.value, "numerator": v.line.numerator,
                       "denominator": v.line.denominator, "points": v.line.points,
                       "weight": v.criterion.weight, "share": v.line.share,
                       "contribution": v.line.contribution, "corrected": v.line.manual}
                      for v in lines],
            "failing": dict(shown.card.failing),
            "gap": None if gap is None else {
                "tier": gap["tier"], "points": gap["points"],
                "under_floor": gap["under_floor"],
                "closers": [{"criterion": c.code, "from_value": c.from_value,
                             "to_value": c.to_value} for c in gap["closers"]]},
            "history": [{"month": m.strftime("%Y-%m"),
                         "total": c.total if c else None,
                         "earned_tier": c.earned_tier if c else None}
                        for m, c in shown.history]}


def appeal_json(appeal: Appeal, at) -> dict:
    return {"id": appeal.id, "partner_id": appeal.partner_id,
            "partner_name": appeal.partner.name, "month": appeal.month.strftime("%Y-%m"),
            "scorecard_id": appeal.scorecard_id, "criterion": appeal.criterion.code,
            "appealed_value": appeal.appealed_value, "claimed_value": appeal.claimed_value,
            "reason": appeal.reason, "state": appeal.state,
            "overdue": appeal.state == "open" and appeal.due_at < at,
            "filed_at": appeal.filed_at, "due_at": appeal.due_at,
            "corrected_value": appeal.corrected_value, "decided_at": appeal.decided_at,
            "decision_reason": appeal.decision_reason or ""}


def appeal_detail_json(appeal: Appeal, at) -> dict:
    return {**appeal_json(appeal, at),
            "messages": [{"id": m.id, "author": m.author.display_name, "body": m.body,
                          "file_name": m.file_name, "created_at": m.created_at}
                         for m in appeal.messages]}


@bp.route("/appeals")
@allowed("scoring.scorecards")
@bp.arguments(schemas.AppealArgs, **QUERY)
@bp.response(200, schemas.AppealPageSchema)
def appeal_list(page, per_page, state=None, partner_id=None):
    """The appeals the caller may see: open first (the longest waiting first), then the
    decided, latest first."""
    query = select(Appeal).where(visible(current_user, Appeal))
    if state:
        query = query.where(Appeal.state == state)
    if partner_id:
        query = query.where(Appeal.partner_id == partner_id)
    found = Page(query.order_by(Appeal.state != "open", Appeal.due_at, Appeal.id.desc()),
                 page=page, per_page=per_page).as_dict()
    at = now()
    found["items"] = [appeal_json(a, at) for a in found["items"]]
    return found


@bp.route(f"/appeals/{ID}:appeal_id>")
@allowed("scoring.scorecards")
@bp.response(200, schemas.AppealDetailSchema)
@bp.alt_response(404, **NOT_FOUND)
def appeal_detail(appeal_id):
    """One appeal with its thread (messages; files are downloaded from the page)."""
    return appeal_detail_json(get_or_404(current_user, Appeal, appeal_id), now())


@bp.route("/appeals", methods=["POST"])
@allowed("scoring.appeal")
@bp.arguments(schemas.AppealInSchema)
@bp.response(201, schemas.AppealDetailSchema)
@bp.alt_response(403, **FORBIDDEN)
@bp.alt_response(404, **NOT_FOUND)
@bp.alt_response(409, **CONFLICT)
def appeal_create(data):
    """A partner owner appeals one criterion's value on its partner's scorecard of a
    month, with a reason and optionally the value it claims."""
    month = data["period"]
    if month > first_of(today()):
        abort_with(422, messages={"json": {"period": [_("The month has not begun yet.")]}})
    partner_id = data.get("partner_id") or current_user.partner_id
    if partner_id is None or not cards.in_reach(current_user, partner_id):
        abort(404)
    card = cards.scorecard_of(current_user, partner_id, month)
    if card is None:
        abort(404)
    line = next((ln for ln in card.lines if ln.criterion.code == data["criterion"]), None)
    if line is None:
        abort_with(422, messages={"json": {"criterion": [
            _("Choose a criterion of this scorecard.")]}})
    claimed = data.get("claimed_value")  # a JSON number already, or null
    try:
        appeal = appeals.file_appeal(current_user, card, line.criterion_id, {
            "reason": data["reason"],
            "claimed_value": claimed})
    except DomainError as exc:
        db.session.rollback()
        if exc.status == 409:
            abort_with(409, reason=str(exc.message))
        abort_with(422, messages={"json": {exc.field: [str(exc.message)]}})
    db.session.commit()
    return appeal_detail_json(appeal, now())

