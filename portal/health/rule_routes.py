"""The team-health rule's page (/health/rules), in the shape of the effective-visit
rule's: every version with its weights and norms, the one judging this month, an
upcoming one to read before it applies and what each version changes. The admin
publishes a new version there (announced to the owners and team leads it judges) and
recomputes this month on demand; the page says when the last months were computed."""
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.auth.models import User
from portal.core.access import may, require
from portal.core.clock import today
from portal.core.errors import DomainError
from portal.core.forms import show_error
from portal.core.urls import path_for
from portal.extensions import db
from portal.health import rules
from portal.health.compute import compute_month
from portal.health.measures import MEASURES, PART_LABELS
from portal.health.models import PARTS, HealthRule, HealthRun
from portal.health.routes import bp
from portal.health.rule_forms import ComputeForm, RuleForm
from portal.notify.services import notify
from portal.results.months import add_months, first_of, month_label

# Who answers for a partner's or a team's health, and so is told of a new version.
ANSWERABLE = ("owner", "manager")
# The months whose last computation the page shows, this one included.
RUN_MONTHS = 6


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def changes(before: HealthRule | None, after: HealthRule) -> list[str]:
    """What `after` changes compared with `before`, one plain sentence per weight or norm."""
    if before is None:
        return []
    old, new = rules.weights_of(before), rules.weights_of(after)
    found = []
    for part in PARTS:
        if old["parts"][part] != new["parts"][part]:
            found.append(_("%(name)s: weight %(old)s → %(new)s", name=PART_LABELS[part],
                           old=old["parts"][part], new=new["parts"][part]))
    for measure in MEASURES:
        code = measure.code
        if old["measures"][code] != new["measures"][code]:
            found.append(_("%(name)s: weight %(old)s → %(new)s", name=measure.label,
                           old=old["measures"][code], new=new["measures"][code]))
        if code in new["norms"] and old["norms"].get(code) != new["norms"][code]:
            found.append(_("%(name)s: norm %(old)s → %(new)s", name=measure.label,
                           old=_number(old["norms"].get(code)),
                           new=_number(new["norms"][code])))
    return found or [_("The weights and norms stay the same.")]


def _timeline() -> list[dict]:
    """Every version, oldest first, with the one before it, its last month and its state
    (judging this month, upcoming, replaced)."""
    current_month = first_of(today())
    ordered = sorted(rules.versions(), key=lambda v: (v.effective_month, v.id))
    current = rules.in_force(current_month)
    rows = []
    for index, version in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        state = ("in_force" if current is not None and version.id == current.id
                 else "upcoming" if version.effective_month > current_month else "past")
        rows.append({"version": version, "previous": ordered[index - 1] if index else None,
                     "until": add_months(following.effective_month, -1) if following else None,
                     "state": state, "weights": rules.weights_of(version)})
    return rows


def _runs() -> list[dict]:
    """The last computation of each of the last `RUN_MONTHS` months, latest month first
    (None where a month was never computed)."""
    current = first_of(today())
    first = add_months(current, -(RUN_MONTHS - 1))
    latest = (select(func.max(HealthRun.id)).where(HealthRun.month >= first)
              .group_by(HealthRun.month))
    found = {run.month: run for run in db.session.execute(
        select(HealthRun).where(HealthRun.id.in_(latest))).scalars()}
    months = [add_months(current, -i) for i in range(RUN_MONTHS)]
    return [{"month": month, "run": found.get(month)} for month in months]


def _page(*, form: RuleForm | None = None, compute_form: ComputeForm | None = None,
          status: int = 200):
    timeline = _timeline()
    current = next((row for row in timeline if row["state"] == "in_force"), None)
    admin = may(current_user, "health.rules")
    if admin and form is None:
        form = _prefilled(timeline, current)
    states = {"in_force": _("Judges this month"), "upcoming": _("Not yet in force"),
              "past": _("Replaced")}
    return render_template(
        "health/rules.html", current=current, history=list(reversed(timeline)),
        upcoming=[row for row in timeline if row["state"] == "upcoming"],
        state_labels=states, changes=changes, month_label=month_label,
        parts=PARTS, part_labels=PART_LABELS, measures=MEASURES, this_month=first_of(today()),
        form=form, compute_form=(compute_form or ComputeForm()) if admin else None,
        runs=_runs() if admin else None), status


def _prefilled(timeline: list[dict], current: dict | None) -> RuleForm:
    """The form for a new version: the first month it may judge (next month, or the one
    after the latest version's), with the weights of the version in force (a new
    version usually changes a few of them)."""
    form = RuleForm(formdata=None)
    first = add_months(first_of(today()), 1)
    if timeline:
        first = max(first, add_months(timeline[-1]["version"].effective_month, 1))
    form.effective_month.data = first
    form.fill(current["weights"] if current else rules.weights_of(None))
    return form


@bp.route("/rules", endpoint="rules")
def rules_page():
    require("health.rule_read")
    return _page()


@bp.route("/rules/new", methods=["POST"])
def new_rule():
    require("health.rules")
    form, status = RuleForm(), 400
    if form.validate():
        in_force = rules.in_force(first_of(today()))
        try:
            version = rules.publish(current_user, effective_month=form.effective_month.data,
                                    weights=form.weights(rules.weights_of(in_force)),
                                    today=today(), note=form.note.data or "")
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status
        else:
            _announce(version)
            db.session.commit()
            flash(_("Version %(num)d is published; it judges the months from %(month)s.",
                    num=version.version, month=month_label(version.effective_month)),
                  "success")
            return redirect(url_for("health.rules"))
    return _page(form=form, status=status)


def _announce(version: HealthRule) -> None:
    """Tell the owners and team leads of every partner, before the new version judges
    their months, from when it applies and what it changes. Mandatory, as for the
    effective-visit rule: a rule that judges people is never changed silently. One text
    for all, so in the portal's language rather than the admin's."""
    previous = rules.in_force(add_months(version.effective_month, -1))
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("The team-health rule changes from %(month)s",
                  month=month_label(version.effective_month))
        lines = changes(previous, version)
        if version.note:
            lines.append(version.note)
        body = "\n".join(lines)
    notify(select(User.id).where(User.partner_id.is_not(None), User.role.in_(ANSWERABLE)),
           "health", title, body=body, link=path_for("health.rules"), mandatory=True)


@bp.route("/compute", methods=["POST"], endpoint="compute_now")
def compute_now():
    require("health.rules")
    form = ComputeForm()
    if not form.validate():
        return _page(compute_form=form, status=400)
    month = first_of(today())
    run = compute_month(month, trigger="page")
    db.session.commit()
    flash(_("%(month)s recomputed: %(rows)d rows in %(seconds)s s.",
            month=month_label(month), rows=run.rows, seconds=_number(float(run.seconds))),
          "success")
    return redirect(url_for("health.rules"))
