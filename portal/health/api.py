"""Team-health endpoints: the partners' month the caller may see, in pages, and one
partner's, team's or person's month taken apart measure by measure with its six-month
trend. Read from the stored months (`portal.health.read`), through the same scope as
the pages: a subject the caller may not see is a 404, as one that does not exist."""
from flask import abort
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.api.fields import INT32_MAX
from portal.api.schemas import ErrorSchema
from portal.auth.models import User
from portal.core.access import visible
from portal.core.clock import today
from portal.core.pages import Page
from portal.extensions import db
from portal.health import read, schemas
from portal.health.models import COUNTS, PARTS, HealthMonth
from portal.org.models import Partner, Team

bp = Blueprint("health_api", __name__, url_prefix="/api/v1",
               description="Team health (团队健康度): monthly scores and their explanation.")

ID = f"<int(max={INT32_MAX})"
NOT_FOUND = {"schema": ErrorSchema, "description": (
    "No such partner, team or person, not the caller's to see, or never computed.")}
SCORES = ("overall", *PARTS)
# level -> (the model named by the path, the indexed column narrowing its rows)
SUBJECTS = {"partner": (Partner, HealthMonth.partner_id),
            "team": (Team, HealthMonth.team_id),
            "person": (User, HealthMonth.user_id)}


def _scores(row: HealthMonth | None) -> dict:
    return {name: None if row is None else getattr(row, name) for name in SCORES}


def _counts(row: HealthMonth) -> dict:
    return {name: getattr(row, name) for name in COUNTS}


def _month(period):
    return period or read.default_month(today())


@bp.route("/health")
@allowed("health.read")
@bp.arguments(schemas.HealthArgs, **QUERY)
@bp.response(200, schemas.PartnerHealthPageSchema)
def health_list(page, per_page, period=None):
    """The partners' health of a month that the caller may see, best first (partners
    without data last): the principal's admin and auditors every partner, a channel
    manager its partners, an owner its own; team leads and staff read no partner's."""
    month = _month(period)
    query = (read.rows(current_user, month, "partner").join(HealthMonth.partner)
             .options(contains_eager(HealthMonth.partner))
             .order_by(HealthMonth.overall.desc().nulls_last(), Partner.name_key,
                       HealthMonth.id))
    found = Page(query, page=page, per_page=per_page).as_dict()
    found["items"] = [{"partner_id": row.partner_id, "partner_name": row.partner.name,
                       "month": schemas.month_text(row.month), "headcount": row.headcount,
                       "counts": _counts(row), **_scores(row)} for row in found["items"]]
    return found


def _subject(level: str, ident: int, period) -> dict:
    """`level`'s subject `ident` in `period`: 404 unless it exists and the caller may see
    at least one of its months."""
    model, column = SUBJECTS[level]
    obj = db.session.get(model, ident)
    subject = f"{level}:{ident}"
    if obj is None or db.session.execute(select(HealthMonth.id).where(
            column == ident, HealthMonth.subject == subject,
            visible(current_user, HealthMonth)).limit(1)).first() is None:
        abort(404)
    month = _month(period)
    row = read.subject_row(current_user, month, subject)
    trend = read.history(current_user, subject, month, 6)
    return {"subject": subject, "level": level, "id": ident,
            "name": obj.display_name if level == "person" else obj.name,
            "partner_id": obj.id if level == "partner" else obj.partner_id,
            "month": schemas.month_text(month), "computed": row is not None,
            "rule_version": row.rule.version if row is not None and row.rule else None,
            "headcount": None if row is None else row.headcount,
            "counts": None if row is None else _counts(row),
            "parts": None if row is None else _parts(row), **_scores(row),
            "history": [{"month": schemas.month_text(m), **_scores(r)} for m, r in trend]}


def _parts(row: HealthMonth) -> list[dict]:
    explained = read.explain(row)
    return [{"part": part, "label": p["label"], "score": p["score"], "weight": p["weight"],
             "share": p["share"],
             "measures": [{"code": line.code, "label": line.label, "hint": line.hint,
                           "numerator": line.numerator, "denominator": line.denominator,
                           "score": line.score, "weight": line.weight, "share": line.share}
                          for line in p["lines"]]}
            for part, p in explained["parts"].items()]


def subject_route(path: str):
    """GET `path`: one subject's month (`health.read`), a 404 for what is not the caller's."""
    def decorate(view):
        for decorator in reversed((bp.route(path), allowed("health.read"),
                                   bp.arguments(schemas.SubjectArgs, **QUERY),
                                   bp.response(200, schemas.SubjectHealthSchema),
                                   bp.alt_response(404, **NOT_FOUND))):
            view = decorator(view)
        return view
    return decorate


@subject_route(f"/partners/{ID}:partner_id>/health")
def partner_health(partner_id, period=None):
    """A partner's month: its scores, the score taken apart, the rule's version, and its
    last six months (the principal's readers of the partner and its owner)."""
    return _subject("partner", partner_id, period)


@subject_route(f"/teams/{ID}:team_id>/health")
def team_health(team_id, period=None):
    """A team's month, as for a partner; its team lead reads it too."""
    return _subject("team", team_id, period)


@subject_route(f"/people/{ID}:user_id>/health")
def person_health(user_id, period=None):
    """A person's month, as for a partner; the person and its team lead read it too."""
    return _subject("person", user_id, period)
