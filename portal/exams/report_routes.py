"""Exam reports: coverage and frequency over time with breakdowns, one exam's figures and
item analysis, and who has not taken a sitting (as a page or a CSV for Excel).

Readers are the principal's roles, owners and mid-level managers (`may_report`); every
figure is narrowed to the partners `report_partner_ids` allows and, for a manager, to
its team, so a partner's people never see another partner's numbers or names."""
import csv
import io
import math
from datetime import timedelta

from flask import Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.core.access import get_or_404, visible
from portal.core.clock import now
from portal.core.pages import page_number
from portal.exams import item_analysis, stats
from portal.exams.models import TRACKS, Exam, Sitting
from portal.exams.policies import may_report, report_partner_ids, report_team_id
from portal.exams.routes import bp
from portal.extensions import db
from portal.org.models import Region
from portal.org.tracks import TRACK_LABELS

PERIODS = (6, 12)
CSV_LIMIT = 50000  # a sitting's audience is far smaller; this only bounds a runaway export


def _readers_scope(exam: Exam | None = None) -> tuple[list[int] | None, int | None]:
    """(partner ids, team id) the current user's figures are narrowed to; 403 for
    anyone who may not read reports."""
    if not may_report(current_user):
        abort(403)
    return report_partner_ids(current_user, exam), report_team_id(current_user)


class Page:
    """One page of rows, with what the `pager` macro reads."""

    def __init__(self, items, page: int, per_page: int, total: int):
        self.items, self.page, self.total = items, page, total
        self.pages = max(math.ceil(total / per_page), 1)
        self.has_prev, self.has_next = page > 1, page < self.pages


def _page_of(query, per_page: int = 25) -> Page:
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar()
    page = page_number()
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows, page, per_page, total)


def _provinces() -> list[tuple[str, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Region.code, Region.name).where(Region.level == "province")
        .order_by(Region.code))]


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
    if chosen["by"] not in stats.DIMENSIONS:
        errors["by"], chosen["by"] = _("Choose how to break the figures down."), "partner"
    chosen["months"] = int(chosen["months"])
    return chosen, errors


def _exams_page(partner_ids, team_id) -> tuple[Page, dict]:
    query = (select(Exam).where(visible(current_user, Exam), Exam.status != "draft")
             .order_by(Exam.created_at.desc(), Exam.id.desc()))
    page = _page_of(query, 10)
    exams = [row[0] for row in page.items]
    page.items = exams
    # A channel manager reads every partner of the exams it wrote (as on the exam's page).
    own = [e.id for e in exams if report_partner_ids(current_user, e) is None]
    figures = stats.coverage_by_exam([e.id for e in exams if e.id not in own],
                                     partner_ids, team_id)
    if own:
        figures.update(stats.coverage_by_exam(own, None, team_id))
    return page, figures


@bp.route("/reports/")
def reports():
    """Coverage and frequency over time, broken down by partner, team, region or track."""
    partner_ids, team_id = _readers_scope()
    provinces = _provinces()
    chosen, errors = _filters(provinces)
    scope = stats.Scope(partner_ids, team_id, region=chosen["region"], track=chosen["track"])
    series = stats.over_time(chosen["months"], scope)
    rows = stats.breakdown(chosen["by"], series[0]["start"], series[-1]["end"], scope)
    matrix = stats.coverage_by_month(chosen["by"], chosen["months"], scope)
    exams, exam_coverage = _exams_page(partner_ids, team_id)
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
    partner_ids, team_id = _readers_scope(exam)
    figures = stats.exam_coverage(exam, partner_ids, team_id)
    latest = stats.latest_sitting(exam, partner_ids, team_id)
    return render_template(
        "exams/reports/exam.html", exam=exam, figures=figures,
        by_team=stats.coverage_by_team(exam, partner_ids, team_id), latest=latest,
        items=item_analysis.item_analysis(exam, partner_ids, team_id),
        track_label=TRACK_LABELS.get(exam.track, exam.track),
        show_text=current_user.is_principal, now=now())


def _csv_cell(value) -> str:
    """A cell Excel will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _not_taken_csv(sitting: Sitting, query) -> Response:
    out = io.StringIO()
    # The byte-order mark tells Excel the file is UTF-8, so Chinese names open correctly.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([_("Name"), _("Username"), _("Partner"), _("Team")])
    for row in db.session.execute(query.limit(CSV_LIMIT)):
        writer.writerow([_csv_cell(row.display_name), _csv_cell(row.username),
                         _csv_cell(row.partner), _csv_cell(row.team)])
    name = f"not-taken-{sitting.exam_id}-{sitting.id}.csv"
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/reports/sittings/<int:sitting_id>/not-taken")
def not_taken(sitting_id):
    """The people assigned to a sitting without a finished attempt; `?format=csv`."""
    sitting = get_or_404(current_user, Sitting, sitting_id)
    partner_ids, team_id = _readers_scope(sitting.exam)
    query = stats.not_taken(sitting, partner_ids, team_id)
    wanted = request.args.get("format", "html")
    if wanted == "csv":
        return _not_taken_csv(sitting, query)
    if wanted != "html":
        abort(400)
    return render_template("exams/reports/not_taken.html", sitting=sitting, exam=sitting.exam,
                           people=_page_of(query), now=now())
