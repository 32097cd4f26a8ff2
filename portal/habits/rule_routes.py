"""The effective-visit rule's versions as published data ("no silent rule changes"): the
version in force spelled out in plain words, an upcoming one with its date and what it
changes, the whole history, one version's page, and the admin's form that publishes a
new version and tells every partner person when it takes effect."""
from datetime import datetime, time, timedelta

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.auth.models import PARTNER_ROLES, User
from portal.core.access import require
from portal.core.clock import BUSINESS_TZ, now
from portal.core.errors import DomainError
from portal.core.forms import show_error, to_utc
from portal.core.urls import path_for
from portal.extensions import db
from portal.habits import rules
from portal.habits.models import VisitRule
from portal.habits.routes import bp
from portal.habits.rule_forms import RuleForm
from portal.notify.services import notify


def parts(version: VisitRule) -> list[str]:
    """What a visit needs under `version`, one plain clause per part."""
    found = []
    if version.needs_decision_maker:
        found.append(_("the decision maker was met"))
    if version.needs_next_step:
        found.append(_("a next step is recorded with its date")
                     if version.needs_next_step_date else _("a next step is recorded"))
    elif version.needs_next_step_date:
        found.append(_("the next step has a date"))
    if version.max_distance_m is not None:
        found.append(_("when both locations are known, it is within %(num)d m of the "
                       "customer", num=version.max_distance_m))
    return found


def sentence(version: VisitRule) -> str:
    """`version` in one sentence, as the rules page and the notice say it."""
    clauses = parts(version)
    if not clauses:
        return _("Every visit logged counts as effective.")
    # TRANSLATORS: joins the clauses of "A visit counts as effective when: …".
    return _("A visit counts as effective when: %(parts)s",
             parts=_("; ").join(clauses))


def _limit(metres: int | None) -> str:
    return _("no limit") if metres is None else _("%(num)d m", num=metres)


def changes(before: VisitRule | None, after: VisitRule) -> list[str]:
    """What `after` changes compared with `before`, one plain sentence per change."""
    if before is None:
        return []
    found = []
    for column, now_needed, no_longer in (
            ("needs_decision_maker", _("The decision maker must now be met."),
             _("The decision maker no longer needs to be met.")),
            ("needs_next_step", _("A next step must now be recorded."),
             _("A next step is no longer needed.")),
            ("needs_next_step_date", _("The next step must now have a date."),
             _("The next step no longer needs a date."))):
        old, new = getattr(before, column), getattr(after, column)
        if old != new:
            found.append(now_needed if new else no_longer)
    old, new = before.max_distance_m, after.max_distance_m
    if old != new:
        if old is None:
            found.append(_("Visits must now be within %(num)d m of the customer when both "
                           "locations are known.", num=new))
        elif new is None:
            found.append(_("The distance to the customer no longer counts."))
        else:
            found.append(_("The distance limit changes from %(old)s to %(new)s.",
                           old=_limit(old), new=_limit(new)))
    return found or [_("What counts stays the same.")]


def _timeline() -> list[dict]:
    """Every version, oldest first, with the one before it, its end and its state."""
    at = now()
    ordered = sorted(rules.versions(), key=lambda v: (v.effective_from, v.id))
    current = rules.in_force(at)
    rows = []
    for index, version in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        state = ("in_force" if current is not None and version.id == current.id
                 else "upcoming" if version.effective_from > at else "past")
        rows.append({"version": version, "previous": ordered[index - 1] if index else None,
                     "until": following.effective_from if following else None,
                     "state": state})
    return rows


def _render(template: str, **context):
    states = {"in_force": _("In force"), "upcoming": _("Not yet in force"),
              "past": _("Replaced")}
    return render_template(template, sentence=sentence, changes=changes, state_labels=states,
                           **context)


@bp.route("/rules/", endpoint="rules")
def rules_index():
    timeline = _timeline()
    return _render("habits/rules/index.html",
                   current=next((r for r in timeline if r["state"] == "in_force"), None),
                   upcoming=[r for r in timeline if r["state"] == "upcoming"],
                   history=list(reversed(timeline)))


@bp.route("/rules/<int:version>")
def rule(version):
    found = next((r for r in _timeline() if r["version"].version == version), None)
    if found is None:
        abort(404)
    return _render("habits/rules/version.html", row=found)


def _tomorrow() -> datetime:
    """Tomorrow 00:00 in the business time zone, as the naive time the form shows."""
    return datetime.combine(now().astimezone(BUSINESS_TZ).date() + timedelta(days=1), time(0))


@bp.route("/rules/new", methods=["GET", "POST"])
def new_rule():
    require("habits.rules")
    form = RuleForm()
    if not form.is_submitted():
        # The settings of the latest version: a new one usually changes one thing.
        latest = max(rules.versions(), key=lambda v: (v.effective_from, v.id), default=None)
        form.effective_from.data = _tomorrow()
        for column in ("needs_decision_maker", "needs_next_step", "needs_next_step_date",
                       "max_distance_m"):
            if latest is not None:
                form[column].data = getattr(latest, column)
        return render_template("habits/rules/new.html", form=form)
    if form.validate():
        try:
            version = rules.publish(current_user, effective_from=to_utc(
                form.effective_from.data), **form.values())
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            _announce(version)
            db.session.commit()
            flash(_("Version %(num)d is published; it takes effect on %(when)s.",
                    num=version.version, when=_local(version.effective_from)), "success")
            return redirect(url_for("habits.rules"))
    return render_template("habits/rules/new.html", form=form), 400


def _local(moment: datetime) -> str:
    return moment.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")


def _announce(version: VisitRule) -> None:
    """Tell every partner person, before it judges them, when the new version applies.
    Mandatory: a rule that decides what counts is never changed silently. One text for
    all, so in the portal's language rather than the admin's."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = _("The effective-visit rule changes on %(when)s",
                  when=_local(version.effective_from))
        body = sentence(version)
    notify(select(User.id).where(User.role.in_(PARTNER_ROLES)), "habits", title, body=body,
           link=path_for("habits.rule", version=version.version), mandatory=True)
