"""The targets pages (/results/targets): the entry (the principal's partners side by side
on one metric; a partner's own people land on their partner, team or themselves), one
subject's month (each metric against target and pace, the six-month charts, the lines
the targets were set against, the cascade, and its teams, people or days), and the form
that sets a subject's targets with the three reference lines beside each field.

Every handler loads the subject with `get_or_404` (a foreign one is a 404), then asks
whether the user reads its figures (`figures_of`) and, to set, whether it sets targets
at that level (`may_set`): a 403 for a subject it sees but may not read or set."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import User
from portal.core.access import figures_of, get_or_404, require, visible
from portal.core.clock import today as business_today
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.core.pages import paginate
from portal.extensions import db
from portal.habits.team import people_of
from portal.org.models import Partner, Team
from portal.results import months as cal
from portal.results import target_words as words
from portal.results import targets
from portal.results.targets import reads
from portal.results.charts import data_uri, months_svg
from portal.results.models import METRICS
from portal.results.policies import may_set
from portal.results.routes import bp
from portal.results.target_forms import TargetForm, shown
from portal.results.target_lines import Subject, reference_lines
from portal.results.target_lists import compare

SEARCH_LENGTH = 100
ENDPOINTS = {"partner": "results.partner_targets", "team": "results.team_targets",
             "person": "results.person_targets"}
SET_ENDPOINTS = {"partner": "results.set_partner_targets", "team": "results.set_team_targets",
                 "person": "results.set_person_targets"}
ARGUMENTS = {"partner": "partner_id", "team": "team_id", "person": "user_id"}


def _subject(level: str, ident: int, *, setting: bool = False):
    """The subject named in the URL, checked: 404 unless visible, 403 unless its figures
    are the user's to read (and, to set, its targets the user's to set)."""
    require("results.targets")
    model = {"partner": Partner, "team": Team, "person": User}[level]
    thing = get_or_404(current_user, model, ident)
    if level == "person" and thing.partner_id is None:
        abort(404)  # the principal's people have no targets
    subject = Subject.of(level, thing)
    if not (level == "person" and thing.id == current_user.id) and not reads(
            current_user, subject.partner_id, subject.team_id, whole=level == "partner"):
        abort(403)
    if setting and not _may_set(subject):
        abort(403)
    return subject, thing


def _may_set(subject: Subject) -> bool:
    return may_set(current_user, subject.level, subject.partner_id, subject.team_id,
                   subject.user_id)


def _metric() -> str:
    metric = request.args.get("metric", "")
    return metric if metric in METRICS else METRICS[0]


def _months(today, *, back: int = 12) -> list:
    current = cal.first_of(today)
    return [cal.add_months(current, n) for n in range(1, -back - 1, -1)]


def _context(today, month, **more) -> dict:
    return {"today": today, "month": month, "settable": targets.settable(month, today),
            **words.helpers(), **more}


# --- the entry -----------------------------------------------------------------------
@bp.route("/targets/", endpoint="targets")
def index():
    require("results.targets")
    today = business_today()
    month = cal.month_arg(request.args.get("month"), today)
    if not current_user.is_principal:
        whose, keep = figures_of(current_user), {"month": month.strftime("%Y-%m")}
        if current_user.partner_id is None:
            abort(404)
        if whose.nothing:
            return redirect(url_for(ENDPOINTS["person"], user_id=current_user.id, **keep))
        if whose.team_id is not None:
            return redirect(url_for(ENDPOINTS["team"], team_id=whose.team_id, **keep))
        return redirect(url_for(ENDPOINTS["partner"], partner_id=current_user.partner_id,
                                **keep))
    metric, q = _metric(), (request.args.get("q") or "").strip()[:SEARCH_LENGTH]
    query = select(Partner).where(visible(current_user, Partner))
    if q:
        query = query.where(Partner.name.icontains(q, autoescape=True))
    page = paginate(query.order_by(Partner.name_key, Partner.id))
    rows = compare([Subject.of("partner", p) for p in page.items], metric, month, today)
    return render_template("results/targets/index.html", page=page, rows=rows, q=q,
                           metric=metric, months=_months(today),
                           **_context(today, month))


# --- one subject's month -------------------------------------------------------------
def _charts(subject: Subject, month, today) -> dict:
    """Per metric, the six months as (data URI of the chart or None, the points)."""
    found = {}
    for metric, points in targets.six_months(subject, month, today).items():
        empty = all(a is None and t is None for _m, a, t in points)
        svg = None if empty else data_uri(months_svg(
            metric, points, _("Actual"), _("Target"), _("No data")))
        found[metric] = (svg, points)
    return found


def _children(subject: Subject, metric: str, month, today) -> list:
    """The subject's teams (a partner) or people (a team) the user may see, compared."""
    if subject.level == "partner":
        teams = db.session.execute(select(Team).where(
            Team.partner_id == subject.partner_id, Team.active.is_(True),
            visible(current_user, Team)).order_by(Team.name_key, Team.id)).scalars().all()
        return compare([Subject.of("team", t) for t in teams], metric, month, today)
    if subject.level == "team":
        people = db.session.execute(select(User).where(
            people_of(subject.partner_id, subject.team_id), visible(current_user, User))
            .order_by(User.name_key, User.id)).scalars().all()
        return compare([Subject.of("person", p) for p in people], metric, month, today)
    return []


def _setters(rows) -> dict[int, str]:
    """The names of who set the targets, for those the user may see."""
    ids = {row.set_by for row in rows if row.set_by}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(ids), visible(current_user, User))).all())


def _trail(subject: Subject, thing) -> list[tuple[str, str]]:
    """The way up (partner, team) as far as the user reads it, as (name, link)."""
    keep = {key: request.args[key] for key in ("month", "metric") if key in request.args}
    found = []
    if subject.level != "partner" and reads(current_user, subject.partner_id, whole=True):
        found.append((thing.partner.name, url_for(ENDPOINTS["partner"],
                                                  partner_id=subject.partner_id, **keep)))
    if subject.level == "person" and thing.team is not None and reads(
            current_user, subject.partner_id, subject.team_id, whole=False):
        found.append((thing.team.name, url_for(ENDPOINTS["team"], team_id=subject.team_id,
                                               **keep)))
    return found


def _month_page(level: str, ident: int):
    subject, thing = _subject(level, ident)
    today = business_today()
    month, metric = cal.month_arg(request.args.get("month"), today), _metric()
    mine = targets.of_subject(subject, month)
    days = targets.day_by_day(subject, month, today, mine) if level == "person" else None
    return render_template(
        "results/targets/subject.html", subject=subject, thing=thing, metric=metric,
        progress=targets.progress(subject, month, today, mine),
        charts=_charts(subject, month, today),
        cascade=targets.cascade(subject, month, mine),
        children=_children(subject, metric, month, today), days=days,
        setters=_setters(mine.values()), may_set=_may_set(subject),
        trail=_trail(subject, thing), months=_months(today), endpoint=ENDPOINTS[level],
        set_endpoint=SET_ENDPOINTS[level], argument=ARGUMENTS[level],
        **_context(today, month))


@bp.route("/targets/partners/<int:partner_id>", endpoint="partner_targets")
def partner_month(partner_id):
    return _month_page("partner", partner_id)


@bp.route("/targets/teams/<int:team_id>", endpoint="team_targets")
def team_month(team_id):
    return _month_page("team", team_id)


@bp.route("/targets/people/<int:user_id>", endpoint="person_targets")
def person_month(user_id):
    return _month_page("person", user_id)


# --- setting targets -----------------------------------------------------------------
def _set_page(level: str, ident: int):
    subject, thing = _subject(level, ident, setting=True)
    today = business_today()
    month = cal.month_arg(request.args.get("month"), today, back=0)
    current = targets.of_subject(subject, month)
    by_metric = {metric: row for (_m, metric), row in current.items()}
    lines = reference_lines(subject, month, today)
    form = TargetForm()
    asked, status = set(), 200
    if not form.is_submitted():
        for metric, row in by_metric.items():
            form[metric].data = shown(metric, row.value)
            form[f"confirm_{metric}"].data = row.confirmed
    else:
        status = 400
        if form.validate():
            try:
                changed = targets.set_targets(current_user, subject, month, form.values(),
                                              form.confirmed(), lines, today)
            except DomainError as error:
                db.session.rollback()
                for field, message in error.details.items():
                    show_error(form, DomainError(field, message))
                asked = set(error.details)
            else:
                db.session.commit()
                flash(_("Targets for %(month)s saved (%(num)d changed).",
                        month=cal.month_label(month), num=changed), "success")
                return redirect(url_for(ENDPOINTS[level], month=month.strftime("%Y-%m"),
                                        **{ARGUMENTS[level]: ident}))
    return render_template(
        "results/targets/set.html", subject=subject, thing=thing, form=form, lines=lines,
        asked=asked, current=by_metric, setters=_setters(by_metric.values()),
        cascade=targets.cascade(subject, month, current), months=_months(today, back=0),
        endpoint=ENDPOINTS[level], set_endpoint=SET_ENDPOINTS[level],
        argument=ARGUMENTS[level], **_context(today, month)), status


@bp.route("/targets/partners/<int:partner_id>/set", methods=["GET", "POST"],
          endpoint="set_partner_targets")
def set_partner(partner_id):
    return _set_page("partner", partner_id)


@bp.route("/targets/teams/<int:team_id>/set", methods=["GET", "POST"],
          endpoint="set_team_targets")
def set_team(team_id):
    return _set_page("team", team_id)


@bp.route("/targets/people/<int:user_id>/set", methods=["GET", "POST"],
          endpoint="set_person_targets")
def set_person(user_id):
    return _set_page("person", user_id)
