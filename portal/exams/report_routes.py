"""Exam reports: coverage and frequency over time with breakdowns, one exam's figures and
item analysis, and who has not taken a sitting (as a page or a CSV for Excel).

Readers are the principal's roles, owners and mid-level managers ("exams.reports");
every figure is narrowed to the partners `figures_of` allows and, for a manager, to its
team, so a partner's people never see another partner's numbers or names."""
from datetime import timedelta

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import Figures, figures_of, get_or_404, may, require
from portal.core.clock import now
from portal.core.csv_export import csv_response
from portal.core.pages import Page
from portal.exams import breakdowns, coverage, item_analysis
from portal.exams.models import TRACKS, Exam, Sitting
from portal.exams.routes import bp
from portal.extensions import db
from portal.org import regions
from portal.org.tracks import TRACK_LABELS

PERIODS = (6, 12)
CSV_LIMIT = 50000  # a sitting's audience is far smaller; this only bounds a runaway export


def _readers_figures(exam: Exam | None = None) -> Figures:
    """Whose figures the current user reads (of `exam`, when given); 403 for anyone who
    may not read reports."""
    require("exams.reports")
    return figures_of(current_user)


def _provinces() -> list[tuple[str, str]]:
    return [(r.code, r.name) for r in regions.children(db.session, None, "province")]


def _filters(provinces) -> tuple[dict, dict]:
    """The overview's filters from the query string, and a message per bad field (the
    field then falls back to its default)."""
    args, errors = request.args, {}
    chosen = {"track": args.get("track", ""), "region": args.get("region", ""),
              "months": args.get("months", str(PERIODS[0])),
              "by": args.get("by", "partner")}
    if chosen["track"] not in ("",) + TRACKS:
        errors["track"], chosen["track"] = _("Choose a track from the list."), ""
    if chosen["region"] not in [""] + [code for code, _name in provinces]:
        errors["region"], chosen["region"] = _("Choose a province from the list."), ""
    if chosen["months"] not in [str(p) for p in PERIODS]:
        errors["months"], chosen["months"] = _("Choose 6 or 12 months."), str(PERIODS[0])
    if chosen["by"] not in breakdowns.DIMENSIONS:
        errors["by"], chosen["by"] = _("Choose how to break the figures down."), "partner"
    chosen["months"] = int(chosen["months"])
    return chosen, errors


def _exams_page(figures: Figures) -> tuple[Page, dict]:
    page = Page(coverage.reported_exams(current_user), per_page=10)
    return page, coverage.coverage_by_exam([e.id for e in page.items], figures.partner_ids,
                                           figures.team_id)


@bp.route("/reports/")
def reports():
    """Coverage and frequency over time, broken down by partner, team, region or track."""
    figures = _readers_figures()
    provinces = _provinces()
    chosen, errors = _filters(provinces)
    scope = breakdowns.Scope(figures.partner_ids, figures.team_id, region=chosen["region"],
                             track=chosen["track"])
    series = breakdowns.over_time(chosen["months"], scope)
    rows = breakdowns.breakdown(chosen["by"], series[0]["start"], series[-1]["end"], scope)
    matrix = breakdowns.coverage_by_month(chosen["by"], chosen["months"], scope)
    exams, exam_coverage = _exams_page(figures)
    return render_template(
        "exams/reports/index.html", series=series, rows=rows, matrix=matrix, chosen=chosen,
        errors=errors,
        provinces=provinces, tracks=[(t, TRACK_LABELS[t]) for t in TRACKS],
        track_label=lambda t: TRACK_LABELS.get(t, t or "—"), periods=PERIODS,
        dimensions=_dimension_labels(), exams=exams, exam_coverage=exam_coverage,
        period_end=series[-1]["end"] - timedelta(days=1)), 400 if errors else 200


def _dimension_labels() -> list[tuple[str, str]]:
    return [("partner", _("Partner")), ("team", _("Team")), ("province", _("Province")),
            ("track", _("Track"))]


@bp.route("/reports/exams/<int:exam_id>")
def exam_report(exam_id):
    """One exam: coverage overall, by sitting, partner and team; pass rate, average;
    item analysis."""
    exam = get_or_404(current_user, Exam, exam_id)
    whose = _readers_figures(exam)
    partner_ids, team_id = whose.partner_ids, whose.team_id
    return render_template(
        "exams/reports/exam.html", exam=exam,
        figures=coverage.exam_coverage(exam, partner_ids, team_id),
        by_team=coverage.coverage_by_team(exam, partner_ids, team_id),
        latest=coverage.latest_sitting(exam, partner_ids, team_id),
        items=item_analysis.item_analysis(exam, partner_ids, team_id),
        track_label=TRACK_LABELS.get(exam.track, exam.track),
        # Question texts stay with the principal's exam readers.
        show_text=may(current_user, "exams.manage"), now=now())


def _not_taken_csv(sitting: Sitting, query):
    rows = db.session.execute(query.limit(CSV_LIMIT))
    return csv_response(f"not-taken-{sitting.exam_id}-{sitting.id}.csv",
                        [_("Name"), _("Username"), _("Partner"), _("Team")],
                        ((row.display_name, row.username, row.partner, row.team)
                         for row in rows))


@bp.route("/reports/sittings/<int:sitting_id>/not-taken")
def not_taken(sitting_id):
    """The people assigned to a sitting without a finished attempt; `?format=csv`."""
    sitting = get_or_404(current_user, Sitting, sitting_id)
    whose = _readers_figures(sitting.exam)
    query = coverage.not_taken(sitting, whose.partner_ids, whose.team_id)
    wanted = request.args.get("format", "html")
    if wanted == "csv":
        return _not_taken_csv(sitting, query)
    if wanted != "html":
        abort(400)
    return render_template("exams/reports/not_taken.html", sitting=sitting, exam=sitting.exam,
                           people=Page(query, per_page=25, rows=True), now=now())
