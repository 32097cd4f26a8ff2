"""The principal's home (/health/): every partner the reader may see with its health for
a month, last month's move, the headline figures and what needs looking at now; sorted,
filtered and paged in one query, with the same list as a CSV download and two charts
(partners per band of health, each province's average).

What arrives in the query string is checked here: a value that is not one of the
filter's options is ignored, so a hand-edited URL shows the unfiltered list, never an
error."""
from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.core.access import require
from portal.core.clock import now, today
from portal.core.csv_export import csv_response
from portal.core.pages import number_arg, paginate
from portal.domains import partner_flags
from portal.extensions import db
from portal.health import health_charts, overview, read
from portal.health.compute import last_run
from portal.health.measures import PART_LABELS, PART_SHORT
from portal.health.routes import bp
from portal.org.labels import STRUCTURE_LABELS
from portal.org.models import STRUCTURES, TIERS
from portal.results.months import month_label

PER_PAGE = 50
SEARCH_LENGTH = 100
# Region codes: a province has 2 digits, a city 4.
CODE_LENGTHS = {"province": 2, "city": 4}


def _code(name: str) -> str:
    raw = (request.args.get(name) or "").strip()
    return raw if raw.isascii() and raw.isdigit() and len(raw) == CODE_LENGTHS[name] else ""


def _one_of(name: str, allowed) -> str:
    raw = request.args.get(name) or ""
    return raw if raw in allowed else ""


def _filters(months) -> overview.Filters:
    """The month (a computed one, else the default) and filters the URL names."""
    month = read.month_named(request.args.get("month"), months, today())
    sort = _one_of("sort", overview.SORTS) or "overall"
    direction = _one_of("dir", ("asc", "desc")) or ("asc" if sort == "name" else "desc")
    manager = number_arg("manager") if overview.reads_every_partner(current_user) else None
    return overview.Filters(
        month=month, q=(request.args.get("q") or "").strip()[:SEARCH_LENGTH],
        province=_code("province"), city=_code("city"), tier=_one_of("tier", TIERS),
        structure=_one_of("structure", STRUCTURES), manager=manager, sort=sort,
        dir=direction)


def _band_label(low: int | None) -> str:
    if low is None:
        return _("No data")
    return f"{low}–{low + overview.BAND_WIDTH}"


def _charts(f: overview.Filters) -> dict:
    """Each chart as (data URI, the numbers it draws) for the image and its table."""
    bands = [(_band_label(low), count) for low, count in overview.bands(current_user, f)]
    provinces = overview.provinces(current_user, f)
    labelled = [(_("%(province)s (%(count)d)", province=p.name or _("No province"),
                   count=p.partners), p.average) for p in provinces]
    return {"bands": (health_charts.bands_chart(bands, _("Partners"), _("No data")), bands),
            "provinces": (health_charts.provinces_chart(
                labelled, _("Average health"), _("No data")), provinces)}


# The endpoint is `health.overview`, the name the home page and the access rule use.
@bp.route("/", endpoint="overview")
def overview_page():
    """Every partner at a glance (the principal's home)."""
    require("health.overview")
    months = read.computed_months()
    if not months:
        return render_template("health/overview.html", months=months, f=None)
    f = _filters(months)
    page = paginate(overview.table(current_user, f), per_page=PER_PAGE, rows=True)
    flags = overview.red_flags([result.Partner.id for result in page.items], now())
    return render_template(
        "health/overview.html", months=months, f=f, page=page,
        lines=overview.lines(page.items, flags), choices=overview.choices(current_user),
        charts=_charts(f), run=last_run(f.month), part_labels=PART_LABELS, part_short=PART_SHORT,
        structure_labels=STRUCTURE_LABELS, tiers=TIERS, structures=STRUCTURES,
        month_label=month_label, raised_flags=partner_flags())



def _number(value: float | None, digits: int = 1, scale: float = 1) -> str:
    return _("no data") if value is None else f"{value * scale:.{digits}f}"


def _csv_line(line: overview.Line) -> list:
    p, flags = line.partner, line.flags
    cells = [p.name, p.uscc, line.province or "", p.tier, str(STRUCTURE_LABELS.get(
        p.structure, p.structure))]
    for part in overview.SCORES:
        cells += [_number(line.scores[part][0]), _number(line.before[part])]
    cells.append(_("no data") if line.headcount is None else line.headcount)
    cells += [_number(line.figures["revenue"], scale=100),
              _number(line.figures["effective"], 2),
              _number(line.figures["coverage"], scale=100),
              _number(line.figures["acks"], scale=100)]
    cells += [_("Yes") if flags.no_logging else _("No"), flags.overdue_acks, flags.open_flags]
    cells += [flags.raised.get(flag.code, 0) for flag in partner_flags()]
    return cells


@bp.route("/overview.csv")
def overview_csv():
    """The overview's list as filtered and sorted, all pages, as a CSV download."""
    require("health.overview")
    f = _filters(read.computed_months())
    results = db.session.execute(overview.table(current_user, f)).all()
    made = overview.lines(results, overview.red_flags(
        overview.partner_ids(current_user, f), now()))
    header = [_("Partner"), _("Credit code"), _("Province"), _("Tier"), _("Structure")]
    for part in overview.SCORES:
        name = _("Health") if part == "overall" else str(PART_LABELS[part])
        header += [name, _("%(score)s last month", score=name)]
    header += [_("Headcount"), _("Revenue against target (%)"),
               _("Effective visits per person-day"), _("Exam coverage (%)"),
               _("Acknowledged (%)"), _("No logging this week"),
               _("Overdue acknowledgements"), _("Open flagged visits")]
    header += [str(flag.heading) for flag in partner_flags()]
    return csv_response(f"health-{f.month:%Y-%m}.csv", header, map(_csv_line, made))
