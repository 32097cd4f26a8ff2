"""Exam coverage and results over a date range, from the exam reports' own functions:
coverage and frequency per month and by track, partner and province (the overview at
/exams/reports/), then per exam with a sitting closed in the range its sittings'
coverage, pass rate and average score, who has not taken them, and its item analysis
(the exam's report page). Every figure is narrowed to the partners the reader may see."""
import re
from datetime import datetime

from flask import current_app, get_template_attribute
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from portal.core.access import figures_of, may
from portal.core.clock import BUSINESS_TZ, now
from portal.exams import breakdowns, coverage, item_analysis
from portal.exams.models import Exam, Sitting
from portal.extensions import db
from portal.org.tracks import TRACK_LABELS
from portal.reports.kinds import ReportData, Section, Table, report
from portal.reports.scope import period_of, scope_of, span
from portal.results.charts import data_uri

# A sitting's audience is far smaller; this only bounds a runaway list.
NOT_TAKEN_LIMIT = 5000


def rate(value) -> str | None:
    """A share as the exam pages show it: "83.3%"."""
    return None if value is None else f"{100 * value:.1f}%"


def _index(value) -> float | None:
    return None if value is None else round(value, 1)


def _months(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) cut at the first of each month in the business time zone."""
    bounds, local = [start], start.astimezone(BUSINESS_TZ)
    y, m = local.year, local.month
    while True:
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        first = datetime(y, m, 1, tzinfo=BUSINESS_TZ)
        if first >= end:
            break
        bounds.append(first)
    return list(zip(bounds, bounds[1:] + [end]))


def _coverage_cells(row) -> list:
    return [row["assigned"], row["covered"], rate(row["coverage"])]


def _frequency_cells(row) -> list:
    return [row["attempts"], row["people"],
            None if row["frequency"] is None else round(row["frequency"], 2)]


def _monthly(scope, start, end) -> list[dict]:
    """The overview's "Over time" rows for the months of the range."""
    rows = []
    for first, after in _months(start, end):
        found = breakdowns.coverage_by(None, first, after, scope)
        rows.append({"month": f"{first.astimezone(BUSINESS_TZ):%Y-%m}",
                     **(found[0] if found else {"assigned": 0, "covered": 0,
                                                "coverage": None}),
                     **{k: v for k, v in breakdowns.frequency(first, after, scope).items()
                        if k not in ("key", "labels")}})
    return rows


def _chart(series) -> str:
    """The overview's coverage bars (its own macro) as a data URI, drawn on a year's
    width however few the months, so that its bars and text keep their page size."""
    bars = get_template_attribute("exams/reports/_macros.html", "bars")
    drawn = str(bars("chart-coverage", _("Coverage by month"), [m["month"] for m in series],
                     [m["coverage"] for m in series], 1, [rate(m["coverage"]) or "—"
                                                          for m in series]))
    svg = re.search(r"<svg.*</svg>", drawn, re.S).group(0)
    width = 40 * len(series) + 10
    wide = max(width, 40 * 12 + 10)
    svg = svg.replace(f'viewBox="0 0 {width} 140"',
                      f'viewBox="{(width - wide) // 2} 0 {wide} 140"', 1)
    svg = svg.replace(f'width="{width * 2}"', f'width="{wide * 2}"', 1)
    return data_uri(svg)


def _group_name(by: str, labels: list) -> str | None:
    if by == "track":
        return str(TRACK_LABELS.get(labels[0], labels[0] or "—"))
    return labels[0]


def _breakdown_table(title, heading, by, scope, start, end) -> Table:
    columns = [heading, _("Assigned"), _("Took it"), _("Coverage"), _("Attempts"),
               _("Active people"), _("Frequency")]
    rows = [[_group_name(by, row["labels"]), *_coverage_cells(row), *_frequency_cells(row)]
            for row in breakdowns.breakdown(by, start, end, scope)]
    return Table(title, columns, rows, numeric=(1, 2, 3, 4, 5, 6))


def _in_range(start, end):
    return (Sitting.closes_at >= start, Sitting.closes_at < end)


def _exams(user, start, end, partner_ids, team_id) -> list[Exam]:
    """The exams `user` reads with a sitting closed in the range that someone in view
    was assigned to, newest first (as the overview lists them)."""
    assigned = coverage.assigned_rows(*_in_range(start, end), partner_ids=partner_ids,
                                      team_id=team_id).subquery()
    query = coverage.reported_exams(user).where(
        Exam.id.in_(select(assigned.c.exam_id).distinct()))
    return db.session.execute(query).scalars().all()


def _results(exam, start, end, partner_ids, team_id) -> dict:
    """Pass rate and average of the attempts that count in the range's sittings, as the
    exam's page computes them over all of its sittings."""
    counted = coverage.counted_attempts(exam, partner_ids, team_id).where(
        *_in_range(start, end)).subquery()
    graded, passed, total = db.session.execute(
        select(func.count(), func.sum(case((counted.c.passed.is_(True), 1), else_=0)),
               func.sum(counted.c.percent)).where(counted.c.rank == 1)).one()
    average = coverage.ratio(None if total is None else float(total), graded)
    return {"graded": graded, "pass_rate": coverage.ratio(int(passed or 0), graded),
            "average_percent": None if average is None else round(average, 2)}


def _window(localtime, sitting) -> str:
    return (f"{localtime(sitting['opens_at'], 'yyyy-MM-dd HH:mm')} – "
            f"{localtime(sitting['closes_at'], 'MM-dd HH:mm')}")


def _exam_section(user, exam, start, end, partner_ids, team_id, localtime) -> tuple:
    """One exam's section and its source data."""
    figures = coverage.exam_coverage(exam, partner_ids, team_id)
    sittings = [s for s in figures["by_sitting"] if start <= s["closes_at"] < end]
    assigned = sum(s["assigned"] for s in sittings)
    covered = sum(s["covered"] for s in sittings)
    results = _results(exam, start, end, partner_ids, team_id)
    summary = {"exam_id": exam.id, "title": exam.title, "track": exam.track,
               "sittings": len(sittings), "assigned": assigned, "covered": covered,
               "coverage": coverage.ratio(covered, assigned), **results}
    average = results["average_percent"]
    grading = (_("the last attempt counts") if exam.grading == "last"
               else _("the highest attempt counts"))
    section = Section(exam.title, paragraphs=[
        " · ".join([str(TRACK_LABELS.get(exam.track, exam.track)),
                    _("pass mark %(percent)s%%", percent=f"{float(exam.pass_percent):.0f}"),
                    grading] + ([_("Cancelled")] if exam.status == "cancelled" else []))],
        figures=[(_("Assigned"), assigned), (_("Took it"), covered),
                 (_("Coverage"), rate(summary["coverage"])),
                 (_("Pass rate"), rate(results["pass_rate"])),
                 (_("Average score"), None if average is None else f"{average:.1f}%")])
    section.tables.append(Table(
        _("By sitting"), [_("Window"), _("Assigned"), _("Took it"), _("Coverage")],
        [[_window(localtime, s), *_coverage_cells(s)] for s in sittings], numeric=(1, 2, 3)))
    missing, several = [], len(sittings) > 1
    rows, capped = [], False
    for sitting in sittings:
        query = coverage.not_taken(db.session.get(Sitting, sitting["sitting_id"]),
                                   partner_ids, team_id).limit(NOT_TAKEN_LIMIT + 1)
        people = db.session.execute(query).all()
        capped = capped or len(people) > NOT_TAKEN_LIMIT
        people = people[:NOT_TAKEN_LIMIT]
        missing.append({"sitting_id": sitting["sitting_id"],
                        "usernames": [p.username for p in people]})
        window = [_window(localtime, sitting)] if several else []
        rows += [[*window, p.display_name, p.username, p.partner, p.team or _("No team")]
                 for p in people]
    if rows:
        section.tables.append(Table(
            _("Who has not taken it"),
            [_("Window")] * several + [_("Name"), _("Username"), _("Partner"), _("Team")],
            rows, note=_("At most %(count)d people per sitting.", count=NOT_TAKEN_LIMIT)
            if capped else ""))
    else:
        section.paragraphs.append(_("Everyone assigned has taken it."))
    items = item_analysis.item_analysis(exam, partner_ids, team_id)
    if items["enough"]:
        section.tables += _items_tables(user, items,
                                        wider=len(figures["by_sitting"]) > len(sittings))
    else:
        section.paragraphs.append(_("Not enough attempts: item analysis needs at least 2 "
                                    "finished attempts."))
    return section, {**summary, "not_taken": missing, "item_analysis": items}


def _items_tables(user, items, wider: bool) -> list[Table]:
    """The exam page's item analysis (enough attempts for one), and the questions' texts
    for the principal's exam readers only, as there; `wider` when the exam has sittings
    outside the period, which the analysis counts too."""
    rows, texts = [], []
    english = str(get_locale()) == "en"
    for q in items["questions"]:
        name = f"{q['key']} v{q['version']}"
        flag = ""
        if q["review"]:
            flag = _("Review this question")
        elif q["attempts"] < item_analysis.MIN_ATTEMPTS:
            flag = _("Not enough attempts")
        rows.append([name, q["attempts"], _index(q["facility"]), _index(q["sd"]),
                     _index(q["discrimination"]), _index(q["efficiency"]), flag])
        texts.append([name, (q["text_en"] if english and q["text_en"] else q["text"]) or ""])
    note = _("Computed as Moodle's quiz statistics do, over each person's first finished "
             "attempt in each sitting (%(count)d attempts). Facility: average score as a "
             "share of the points (higher is easier). Discrimination: correlation between "
             "the question and the rest of the attempt. Efficiency: that discrimination as "
             "a share of the most the question could reach.", count=items["attempts"])
    if wider:
        note += " " + _("The item analysis covers every sitting of this exam, as the exam's "
                        "page does; the other figures only the sittings that closed in the "
                        "period.")
    tables = [Table(_("Item analysis"), [
        _("Question"), _("Attempts"), f"{_('Facility')} (%)", f"{_('SD')} (%)",
        f"{_('Discrimination')} (%)", f"{_('Efficiency')} (%)", _("Note")], rows,
        numeric=(1, 2, 3, 4, 5), note=note)]
    if texts and may(user, "exams.manage"):
        tables.append(Table(_("Question texts"), [_("Question"), _("Text")], texts))
    return tables


@report("exams", label=_l("Exam coverage and results"),
        description=_l("Per exam closed in the period: coverage, pass rate and average "
                       "score; by track, partner and province; who has not taken it; "
                       "item analysis."),
        domain="exams", rule="reports.partner", asks=("partner", "range"))
def build(user, params, progress) -> ReportData:
    whose = figures_of(user)
    partner_ids = [params.partner_id] if params.partner_id is not None else whose.partner_ids
    team_id = whose.team_id
    start, end = span(params)
    period = period_of(params)
    scope_name = scope_of(params, partner_ids)
    title = _("Exam coverage and results")
    if params.partner_id is not None:
        title = _("Exam coverage and results, %(scope)s", scope=scope_name)
    exams = _exams(user, start, end, partner_ids, team_id)
    if not exams:
        return ReportData(title, scope_name, period, now(), empty=_(
            "No exam sitting closed in this period for the people of these partners."))
    progress(15, "coverage")
    scope = breakdowns.Scope(partner_ids, team_id)
    series = _monthly(scope, start, end)
    overall = breakdowns.coverage_by(None, start, end, scope)
    overall = overall[0] if overall else {"assigned": 0, "covered": 0, "coverage": None}
    frequency = breakdowns.frequency(start, end, scope)
    summary = Section(_("Summary"), paragraphs=[_(
        "Coverage: people assigned who submitted at least one attempt in the window ÷ "
        "people assigned, by the month a sitting closes. Frequency: submitted attempts per "
        "active person per 30 days.")],
        figures=[(_("Exams"), len(exams)), (_("Assigned"), overall["assigned"]),
                 (_("Took it"), overall["covered"]), (_("Coverage"), rate(overall["coverage"])),
                 (_("Frequency"), None if frequency["frequency"] is None
                  else round(frequency["frequency"], 2))],
        charts=[(_("Coverage by month"), _chart(series))],
        tables=[Table(_("Over time"), [_("Month"), _("Assigned"), _("Took it"), _("Coverage"),
                                       _("Attempts"), _("Active people"), _("Frequency")],
                      [[m["month"], *_coverage_cells(m), *_frequency_cells(m)] for m in series],
                      numeric=(1, 2, 3, 4, 5, 6))])
    progress(30, "breakdowns")
    groups = Section(_("Breakdown, %(start)s to %(end)s", start=params.start.isoformat(),
                       end=params.end.isoformat()), tables=[
        _breakdown_table(_("By track"), _("Track"), "track", scope, start, end),
        _breakdown_table(_("By partner"), _("Partner"), "partner", scope, start, end),
        _breakdown_table(_("By province"), _("Province"), "province", scope, start, end)])
    progress(45, "exams")
    localtime = current_app.jinja_env.filters["localtime"]
    sections, found = [], []
    for exam in exams:
        section, data = _exam_section(user, exam, start, end, partner_ids, team_id, localtime)
        sections.append(section)
        found.append(data)
    listing = Table(_("Exams"), [_("Exam"), _("Track"), _("Sittings"), _("Assigned"),
                                 _("Took it"), _("Coverage"), _("Pass rate"),
                                 _("Average score")],
                    [[e["title"], str(TRACK_LABELS.get(e["track"], e["track"])), e["sittings"],
                      e["assigned"], e["covered"], rate(e["coverage"]), rate(e["pass_rate"]),
                      None if e["average_percent"] is None else f"{e['average_percent']:.1f}%"]
                     for e in found], numeric=(2, 3, 4, 5, 6, 7))
    summary.tables.insert(0, listing)
    progress(65, "exams listed")
    return ReportData(title, scope_name, period, now(), sections=[summary, groups, *sections],
                      source={"exams": found, "over_time": series,
                              "partner_ids": partner_ids})
