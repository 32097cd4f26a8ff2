"""The partner scorecard for a month: every criterion with its data (value, the
numerator and denominator it came from, points, weight and contribution), the criteria
version that judged it, the tier gates and the gap, the appeals and their outcomes, and
the last six months."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.core.clock import now
from portal.extensions import db
from portal.org.models import Partner
from portal.reports.kinds import ReportData, Section, Table, report
from portal.results.months import month_label
from portal.scoring import cards
from portal.scoring.labels import APPEAL_STATE_LABELS, GROUP_LABELS, number


def _share(value):
    return None if value is None else f"{value * 100:.1f}%"


@report("scorecard", label=_l("Partner scorecard"),
        description=_l("One partner's month: every criterion with its data, the criteria "
                       "version, the gap to the next tier, appeals and their outcomes."),
        domain="scoring", rule="reports.partner", asks=("partner", "month"),
        partner_required=True)
def build(user, params, progress) -> ReportData:
    partner = db.session.get(Partner, params.partner_id)
    period = month_label(params.month)
    title = _("Scorecard of %(partner)s, %(month)s", partner=partner.name, month=period)
    scorecard = cards.scorecard_of(user, partner.id, params.month)
    if scorecard is None:
        return ReportData(title, partner.name, period, now(), empty=_(
            "No scorecard for this partner and month: the month was not scored (no "
            "criteria version in force, or the partner was not active)."))
    progress(20, "scorecard")
    view = cards.view(user, scorecard)
    cset = scorecard.criteria_set
    summary = Section(_("Summary"), figures=[
        (_("Total"), None if scorecard.total is None else number(scorecard.total)),
        (_("Tier"), scorecard.tier), (_("Earned tier"), scorecard.earned_tier),
        (_("Rank in the tier"), _("%(rank)d of %(count)d", rank=scorecard.rank,
                                  count=scorecard.ranked) if scorecard.rank else None),
        (_("Criteria version"), _("Version %(version)d", version=cset.version))],
        paragraphs=[_("Computed %(at)s; %(state)s.", at=scorecard.computed_at.strftime(
            "%Y-%m-%d %H:%M UTC"), state=_("frozen at the month's close")
            if scorecard.frozen_at else _("the month is still open"))]
        + list(view.gap_words)
        + [_("Tier %(tier)s is missed: %(why)s.", tier=tier, why=_(", ").join(why))
           for tier, why in view.failing])
    columns = [_("Criterion"), _("Value"), _("Numerator"), _("Denominator"), _("Points"),
               _("Weight share"), _("Contribution"), _("Note")]
    criteria = []
    for group, items in view.groups:
        rows = []
        for item in items:
            line = item.line
            note = ""
            if item.no_data:
                note = _("No data: left out, the other weights renormalised.")
            elif item.appeal_id:
                note = _("Corrected by appeal #%(id)d", id=item.appeal_id)
            rows.append([item.criterion.name, None if item.no_data else item.value_text,
                         None if line.numerator is None else number(line.numerator),
                         None if line.denominator is None else number(line.denominator),
                         None if line.points is None else number(line.points),
                         _share(line.share),
                         None if line.contribution is None else number(line.contribution),
                         note])
        criteria.append(Table(str(GROUP_LABELS.get(group, group or _("Other"))), columns, rows,
                              numeric=(1, 2, 3, 4, 5, 6)))
    progress(45, "appeals")
    appeals = Table(_("Appeals"), [_("Appeal"), _("Criterion"), _("State"), _("Filed"),
                                   _("Claimed value"), _("Corrected value"), _("Decided"),
                                   _("Reason given")],
                    [[f"#{a.id}", a.criterion.name, str(APPEAL_STATE_LABELS.get(a.state, a.state)),
                      a.filed_at.strftime("%Y-%m-%d"),
                      None if a.claimed_value is None else number(a.claimed_value),
                      None if a.corrected_value is None else number(a.corrected_value),
                      a.decided_at.strftime("%Y-%m-%d") if a.decided_at else None,
                      a.decision_reason or a.reason] for a in view.appeals])
    history = Table(_("The last six months"), [_("Month"), _("Total"), _("Earned tier")],
                    [[month_label(m), None if c is None or c.total is None else number(c.total),
                      None if c is None else c.earned_tier] for m, c in view.history],
                    numeric=(1,))
    return ReportData(title, partner.name, period, scorecard.computed_at, sections=[
        summary, Section(_("Criteria and data"), tables=criteria),
        Section(_("Appeals and history"), tables=[appeals, history])],
        source={"scorecard": {"partner_id": partner.id, "month": params.month.isoformat(),
                              "total": scorecard.total, "tier": scorecard.tier,
                              "earned_tier": scorecard.earned_tier,
                              "criteria_version": cset.version,
                              "lines": [{"criterion": v.criterion.code,
                                         "value": v.line.value, "numerator": v.line.numerator,
                                         "denominator": v.line.denominator,
                                         "points": v.line.points, "share": v.line.share,
                                         "contribution": v.line.contribution,
                                         "manual": v.line.manual}
                                        for _g, items in view.groups for v in items]}})
