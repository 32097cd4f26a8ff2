"""Team health of a partner for a month, as the health pages show it: the whole score and
its three parts taken apart measure by measure, the habits behind the process part, the
month's targets against results, the last six months, and the partner's people with
their own scores and habits. Every rate is per person (the rows hold raw counts summed
over people); a rate with nothing to count is no data, never 0."""
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.auth.models import User
from portal.core.access import visible
from portal.core.clock import BUSINESS_TZ, now, today
from portal.extensions import db
from portal.health import read
from portal.health.compute import last_run
from portal.health.measures import BY_CODE, PART_SHORT
from portal.health.models import COUNTS, PARTS, HealthMonth
from portal.health.trend_charts import trend_uri
from portal.org.models import Partner, Team
from portal.reports.kinds import ReportData, Section, Table, report
from portal.results import months as cal
from portal.results import targets
from portal.results.labels import METRIC_LABELS
from portal.results.models import METRICS, MONEY
from portal.results.months import month_label
from portal.results.target_lines import Subject

TREND_MONTHS = 6


def _points(value: float | None) -> float | None:
    """A score as the pages show it: one decimal."""
    return None if value is None else round(value, 1)


def _percent(numerator, denominator) -> float | None:
    """numerator ÷ denominator as a percent with one decimal."""
    return round(100 * numerator / denominator, 1) if denominator else None


def _per(numerator, denominator) -> Decimal | None:
    """A rate per day as the overview shows it: two decimals ("0.30")."""
    return Decimal(f"{numerator / denominator:.2f}") if denominator else None


def _yuan(fen) -> Decimal | None:
    """Fen as yuan with two decimals (a number in the CSV, "600.00" in the PDF)."""
    return None if fen is None else Decimal(int(round(fen))).scaleb(-2)


def _amount(column: str, value):
    """A raw count as a report shows it: money columns (fen) in yuan."""
    return _yuan(value) if column.endswith("_fen") else value


def _share(value: float | None) -> int | None:
    """A share (0–1) as whole percent."""
    return None if value is None else round(value * 100)


def _scores(row: HealthMonth, before: HealthMonth | None, explained: dict) -> Section:
    run = last_run(row.month)
    rule = explained["rule"]
    paragraphs = []
    if run is not None:
        paragraphs.append(_("Computed %(at)s, counting through %(day)s.",
                            at=run.started_at.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M"),
                            day=run.through.isoformat()))
    if rule is not None:
        paragraphs.append(_("Judged by version %(version)d of the health rule, in force from "
                            "%(month)s.", version=rule.version,
                            month=month_label(rule.effective_month)))
    else:
        paragraphs.append(_("Judged by the default weights (no version of the rule was "
                            "published for this month)."))
    paragraphs.append(_("Each measure scores 0 to 100; a part is its measures weighed by "
                        "their published weights, the whole score the parts weighed the same "
                        "way. A measure or part without data does not count as zero: its "
                        "weight goes to the others, as the share shows."))
    parts = explained["parts"]
    figures = [(_("Health"), _points(row.overall)),
               *((str(PART_SHORT[part]), _points(parts[part]["score"])) for part in PARTS),
               (_("Since last month"), read.change(row.overall, getattr(before, "overall", None))),
               (_("People"), row.headcount)]
    summary = Table(_("The three parts"),
                    [_("Part"), _("Score"), _("Since last month"), _("Weight"),
                     _("Share of the whole score (%)")],
                    [[str(parts[part]["label"]), _points(parts[part]["score"]),
                      read.change(parts[part]["score"], getattr(before, part, None)),
                      parts[part]["weight"], _share(parts[part]["share"])] for part in PARTS],
                    numeric=(1, 2, 3, 4))
    return Section(_("Scores"), paragraphs=paragraphs, figures=figures, tables=[summary])


def _measures(explained: dict) -> Section:
    columns = [_("Measure"), _("Counted"), _("Of"), _("Score"), _("Weight"), _("Share (%)"),
               _("Note")]
    tables = []
    for part in PARTS:
        p = explained["parts"][part]
        rows = []
        for line in p["lines"]:
            measure = BY_CODE[line.code]
            if line.why:
                note = str(line.why)
            elif not line.weight:
                note = _("not counted")
            elif line.score is None:
                note = _("went to the others")
            else:
                note = ""
            rows.append([str(line.label), _amount(measure.numerator, line.numerator),
                         _amount(measure.denominator, line.denominator), _points(line.score),
                         line.weight, _share(line.share), note])
        note = ""
        if p["score"] is None:
            note = _("No data for this part this month: its weight went to the other parts.") \
                if p["weight"] else _("This part has no weight in the rule: it does not count.")
        tables.append(Table(str(p["label"]), columns, rows, numeric=(1, 2, 3, 4, 5),
                            note=note))
    return Section(_("How the score is made"), tables=tables)


# The habits of the process part: (label, numerator, denominator, per day or a share).
HABITS = (
    (_l("All visits per salesperson-day"), "visits", "sales_days", _per),
    (_l("Effective visits per salesperson-day"), "effective", "sales_days", _per),
    (_l("Effective-visit rate (%)"), "effective", "visits", _percent),
    (_l("Follow-ups done in time (%)"), "follow_ups_in_time", "follow_ups_due", _percent),
    (_l("Working days with a visit logged (%)"), "logged_days", "sales_days", _percent),
    (_l("Customers not visited for 30 days (%)"), "customers_forgotten", "customers_kept",
     _percent),
)


def _habits(row: HealthMonth) -> Table:
    """The partner's habits of the month as rates per salesperson-day or shares."""
    rows = [[str(label), rate(getattr(row, num), getattr(row, den)), getattr(row, num),
             getattr(row, den)] for label, num, den, rate in HABITS]
    return Table(_("Habits"), [_("Habit"), _("Value"), _("Counted"), _("Of")], rows,
                 numeric=(1, 2, 3),
                 note=_("Per salesperson-day: over the working days the partner's "
                        "salespeople were present."))


def _shown(metric: str, value):
    """A target metric's value: money in yuan, counts whole."""
    if value is None:
        return None
    return _yuan(value) if metric in MONEY else round(value)


def _targets(partner: Partner, month) -> tuple[Table, dict]:
    """The partner's month against its targets, as the targets page shows it today."""
    day = today()
    progress = targets.progress(Subject.of("partner", partner), month, day)
    rows = [[str(METRIC_LABELS[m]), _shown(m, progress[m].value), _shown(m, progress[m].actual),
             _share(progress[m].of_target), _shown(m, progress[m].expected),
             _share(progress[m].of_pace)] for m in METRICS]
    table = Table(_("Targets against results"),
                  [_("Metric"), _("Target"), _("Month to date"), _("Of target (%)"),
                   _("Expected by now (pace)"), _("Of pace (%)")], rows,
                  numeric=(1, 2, 3, 4, 5),
                  note=_("Working days: %(gone)d of %(days)d gone. The pace is the target × "
                         "the working days gone ÷ the month's working days.",
                         gone=cal.gone(month, day), days=cal.in_month(month)))
    source = {m: {"target": p.value, "actual": p.actual, "expected": p.expected}
              for m, p in progress.items()}
    return table, source


def _trend(user, subject: str, month) -> tuple[Section, list]:
    history = read.history(user, subject, month, TREND_MONTHS)
    uri = trend_uri(history, _("Health"), _("No data"))
    rows = [[month_label(m), _points(getattr(r, "overall", None)),
             *(_points(getattr(r, part, None)) for part in PARTS)] for m, r in history]
    table = Table(_("Scores by month"),
                  [_("Month"), _("Health"), *(str(PART_SHORT[part]) for part in PARTS)],
                  rows, numeric=(1, 2, 3, 4),
                  note=_("A month without data is a gap in its line, not a zero."))
    charts = [(_("Health and its three parts, the last six months"), uri)] if uri else []
    return Section(_("The last six months"), tables=[table], charts=charts), history


def _people(user, partner: Partner, month) -> tuple[Section, list]:
    """One row per person of the partner that month (their person rows), a table per
    team as the drill-down goes from the partner to its teams to their people."""
    found = db.session.execute(
        select(HealthMonth, User.display_name, Team.name)
        .join(User, User.id == HealthMonth.user_id)
        .outerjoin(Team, Team.id == HealthMonth.team_id)
        .where(HealthMonth.level == "person", HealthMonth.partner_id == partner.id,
               HealthMonth.month == month, visible(user, HealthMonth))
        .order_by(Team.name_key.is_(None), Team.name_key, User.name_key, User.id)).all()
    columns = [_("Person"), _("Health"), *(str(PART_SHORT[part]) for part in PARTS),
               _("Effective/day"), _("Follow-ups (%)"), _("Revenue (yuan)")]
    teams: dict[str, list] = {}
    for r, name, team in found:
        teams.setdefault(team or _("No team"), []).append([
            name, _points(r.overall), *(_points(getattr(r, part)) for part in PARTS),
            _per(r.effective, r.sales_days), _percent(r.follow_ups_in_time, r.follow_ups_due),
            _yuan(r.revenue_fen)])
    note = _("Effective/day: effective visits per working day present. Follow-ups: done by "
             "their day, of those due.")
    tables = [Table(team, columns, rows, numeric=(1, 2, 3, 4, 5, 6, 7))
              for team, rows in teams.items()]
    source = [{"user_id": r.user_id, "team_id": r.team_id, "overall": r.overall,
               **{part: getattr(r, part) for part in PARTS},
               "effective": r.effective, "sales_days": r.sales_days,
               "follow_ups_in_time": r.follow_ups_in_time,
               "follow_ups_due": r.follow_ups_due, "revenue_fen": r.revenue_fen}
              for r, _name, _team in found]
    return Section(_("The people behind them"), paragraphs=[note], tables=tables), source


@report("health", label=_l("Team health"),
        description=_l("One partner's month: the three parts of its health measure by "
                       "measure, its habits, targets against results, the last six months "
                       "and its people."),
        domain="health", rule="reports.partner", asks=("partner", "month"),
        partner_required=True)
def build(user, params, progress) -> ReportData:
    partner = db.session.get(Partner, params.partner_id)
    month, period = params.month, month_label(params.month)
    title = _("Team health of %(partner)s, %(month)s", partner=partner.name, month=period)
    subject = f"partner:{partner.id}"
    row = read.subject_row(user, month, subject)
    if row is None:
        return ReportData(title, partner.name, period, now(), empty=_(
            "No team health for this partner and month: the month was not computed, or "
            "nothing was counted for the partner then."))
    progress(15, "scores")
    explained = read.explain(row)
    trend, history = _trend(user, subject, month)
    before = history[-2][1] if len(history) > 1 else None
    progress(35, "targets")
    goals, goal_source = _targets(partner, month)
    progress(55, "people")
    people, people_source = _people(user, partner, month)
    progress(65, "sections")
    return ReportData(title, partner.name, period, row.computed_at, sections=[
        _scores(row, before, explained), _measures(explained),
        Section(_("Habits and targets"), tables=[_habits(row), goals]), trend, people],
        source={"health": {
            "partner_id": partner.id, "month": month.isoformat(),
            "rule_version": getattr(explained["rule"], "version", None),
            "overall": row.overall, **{part: getattr(row, part) for part in PARTS},
            "work_days": row.work_days, "counts": {name: getattr(row, name) for name in COUNTS},
            "targets": goal_source, "people": people_source,
            "history": [{"month": m.isoformat(), "overall": getattr(r, "overall", None)}
                        for m, r in history]}})
