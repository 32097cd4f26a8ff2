"""The drill-down: a partner's month (its teams), a team's (its people), a person's (its
days), each with the whole score and its parts, the move since last month, the score
taken apart measure by measure and the last six months.

Every handler loads the subject with `get_or_404` (a foreign partner, team or person is
a 404), then asks whether the user reads its health (`drill.reads_health`: a 403 for a
partner a team lead or staff sees but does not read), then reads the month's row in the
user's scope: no row is "no data for this month", not an error."""
from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import get_or_404, may, require
from portal.core.clock import now, today
from portal.health import drill, read
from portal.health.compute import last_run
from portal.health.measures import PART_LABELS, PART_SHORT
from portal.health.models import PARTS
from portal.health.routes import bp
from portal.health.trend_charts import trend_uri
from portal.results.months import day_label, month_label

ENDPOINTS = {"partner": "health.partner", "team": "health.team", "person": "health.person"}
ARGUMENTS = {"partner": "partner_id", "team": "team_id", "person": "user_id"}
TREND_MONTHS = 6


def _subject(level: str, ident: int):
    require("health.read")
    thing = get_or_404(current_user, drill.MODELS[level], ident)
    if not drill.reads_health(current_user, level, thing):
        abort(404 if level == "person" else 403)
    return thing


def _month(months):
    """The month the URL names when it is a computed one, else the default month."""
    return read.month_named(request.args.get("month"), months, today())


def _trail(level: str, thing) -> list[tuple[str, str, dict]]:
    """The way up (partner, team) as far as the user reads it: (name, endpoint, args)."""
    found = []
    if level == "partner":
        return found
    partner = thing.partner
    if drill.reads_health(current_user, "partner", partner):
        found.append((partner.name, "health.partner", {"partner_id": partner.id}))
    team = getattr(thing, "team", None) if level == "person" else None
    if team is not None and drill.reads_health(current_user, "team", team):
        found.append((team.name, "health.team", {"team_id": team.id}))
    return found


def _page(level: str, ident: int):
    thing = _subject(level, ident)
    months = read.computed_months()
    month = _month(months)
    subject = drill.subject_of(level, thing)
    row = read.subject_row(current_user, month, subject)
    history = read.history(current_user, subject, month, TREND_MONTHS)
    before = history[-2][1] if len(history) > 1 else None
    sort = request.args.get("sort") if request.args.get("sort") in drill.SORTS else "name"
    children = []
    if level == "partner":
        children = drill.teams_of(current_user, thing, month, sort)
    elif level == "team":
        children = drill.people_of(current_user, thing, month, sort)
    days = total = None
    run = last_run(month)
    if level == "person":
        through = run.through if run is not None else today()
        days, total = drill.days_of(current_user, thing, month, through, now())
    return render_template(
        "health/subject.html", level=level, thing=thing, month=month, months=months,
        row=row, before=before, explained=read.explain(row) if row is not None else None,
        history=history, trend=trend_uri(history, _("Health"), _("No data")),
        children=children, sort=sort, days=days, total=total, run=run,
        links=drill.measure_links(current_user, level, thing, month),
        trail=_trail(level, thing), endpoint=ENDPOINTS[level], argument=ARGUMENTS[level],
        parts=PARTS, part_labels=PART_LABELS, part_short=PART_SHORT, month_label=month_label, day_label=day_label,
        may_read_rule=may(current_user, "health.rule_read"), d=drill)


@bp.route("/partners/<int:partner_id>", endpoint="partner")
def partner_month(partner_id):
    return _page("partner", partner_id)


@bp.route("/teams/<int:team_id>", endpoint="team")
def team_month(team_id):
    return _page("team", team_id)


@bp.route("/people/<int:user_id>", endpoint="person")
def person_month(user_id):
    return _page("person", user_id)
