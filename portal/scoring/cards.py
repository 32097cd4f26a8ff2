"""Reading scorecards: the month a page opens on, the list of the scorecards a user may
see with their filters, and one scorecard as its page shows it — lines grouped by the
criteria groups, the data each came from, the gates, the rank among the tier, the gap
to the next tier with what would close it, the last months' totals and the appeals.

Nothing here writes. Every figure comes from the stored scorecard and its lines; the
gates and the gap go through `compute.card_of` (the same `mapping.score` as the
computation), so a page can never explain a score other than the one stored."""
from dataclasses import dataclass, field
from datetime import date

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from werkzeug.routing import BuildError

from portal.core.access import figures_of, visible
from portal.extensions import db
from portal.org.models import Partner
from portal.results.months import add_months, first_of
from portal.scoring import compute, mapping
from portal.scoring.labels import number
from portal.scoring.metrics import METRICS, UNIT_SUFFIX
from portal.scoring.models import GROUPS, Appeal, ManualValue, Scorecard

HISTORY_MONTHS = 6
SORTS = ("total", "name")


def link(endpoint: str | None, **values) -> str | None:
    """A link to `endpoint`, or None when that page does not exist (yet) or takes other
    arguments: a missing page never breaks the scorecard."""
    if not endpoint:
        return None
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def source_link(metric_code: str, partner_id: int, month: date) -> str | None:
    """Where the rows behind a partner's figure are listed: the metric's page for the
    partner and month, for the partner, or the page alone, whichever it takes."""
    metric = METRICS.get(metric_code)
    endpoint = metric.source if metric else None
    text = month.strftime("%Y-%m")
    for values in ({"partner_id": partner_id, "month": text}, {"partner_id": partner_id},
                   {"month": text}, {}):
        found = link(endpoint, **values)
        if found is not None:
            return found
    return None


def criteria_link(set_id: int) -> str | None:
    return link("scoring.criteria_set", set_id=set_id)


def value_text(metric_code: str, value) -> str:
    """A metric value with its unit: "62.5%", "3.2 h", "—" for no data."""
    if value is None:
        return "—"
    metric = METRICS.get(metric_code)
    return number(value) + (UNIT_SUFFIX.get(metric.unit, "") if metric else "")


def in_reach(user, partner_id: int) -> bool:
    """Is `partner_id` a partner whose scorecards `user` may read (the Scorecard scope's
    answer, also for a month without a scorecard)?"""
    if user.role not in ("admin", "auditor", "channel_manager", "owner") or \
            db.session.get(Partner, partner_id) is None:
        return False
    reach = figures_of(user)
    return reach.partner_ids is None or partner_id in reach.partner_ids


def months(user, partner_id: int | None = None) -> list[date]:
    """The months with scorecards the user may see, the latest first."""
    query = select(Scorecard.month).where(visible(user, Scorecard)).distinct()
    if partner_id is not None:
        query = query.where(Scorecard.partner_id == partner_id)
    return list(db.session.execute(query.order_by(Scorecard.month.desc())).scalars())


def month_of(raw: str | None, known: list[date], fallback: date) -> date:
    """The month "YYYY-MM" of a URL when it is well formed, else the latest known one."""
    try:
        year, number_ = (raw or "").split("-")
        if len(year) == 4 and len(number_) == 2:
            return date(int(year), int(number_), 1)
    except ValueError:
        pass
    return known[0] if known else first_of(fallback)


def scorecard_of(user, partner_id: int, month: date) -> Scorecard | None:
    return db.session.execute(select(Scorecard).where(
        Scorecard.partner_id == partner_id, Scorecard.month == first_of(month),
        visible(user, Scorecard))).scalar_one_or_none()


# -- the list ----------------------------------------------------------------------------

def open_appeals():
    """SQL: open appeals per scorecard, for a list's column."""
    return (select(Appeal.scorecard_id, func.count().label("open_appeals"))
            .where(Appeal.state == "open").group_by(Appeal.scorecard_id).subquery())


def list_query(user, month: date, *, tier=None, province=None, earned=None, q=None,
               sort="total"):
    """SQL rows (Scorecard, Partner, open appeals) of `month` the user may see."""
    appeals = open_appeals()
    query = (select(Scorecard, Partner, func.coalesce(appeals.c.open_appeals, 0))
             .join(Partner, Partner.id == Scorecard.partner_id)
             .outerjoin(appeals, appeals.c.scorecard_id == Scorecard.id)
             .where(Scorecard.month == month, visible(user, Scorecard)))
    if tier:
        query = query.where(Scorecard.tier == tier)
    if earned:
        query = query.where(Scorecard.earned_tier == earned)
    if province:
        query = query.where(Partner.province_code == province)
    if q:
        query = query.where(Partner.name.contains(q, autoescape=True))
    if sort == "name":
        return query.order_by(Partner.name_key, Partner.id)
    return query.order_by(Scorecard.total.desc().nulls_last(), Partner.name_key, Partner.id)


# -- one scorecard -----------------------------------------------------------------------

@dataclass
class LineView:
    line: object                     # the stored ScoreLine
    criterion: object
    metric: object | None
    value_text: str
    source: str | None
    appeal_id: int | None = None     # the accepted appeal that corrected the value
    open_appeal: object | None = None

    @property
    def no_data(self) -> bool:
        return self.line.value is None


@dataclass
class CardView:
    scorecard: Scorecard
    groups: list                     # [(group code, [LineView])]
    card: mapping.Card               # recomputed from the stored values
    failing: list = field(default_factory=list)   # [(tier, [reasons])] better tiers lack
    gap: dict | None = None
    gap_words: list = field(default_factory=list)
    history: list = field(default_factory=list)   # [(month, Scorecard | None)]
    appeals: list = field(default_factory=list)
    criteria_url: str | None = None


def reasons(view_lines: dict, missed: list[str], gate: dict) -> list[str]:
    """Why a tier's gate is missed, in words."""
    words = []
    for code in missed:
        if code == "total":
            words.append(_("the total is under %(total)s points",
                           total=number(gate.get("min_total") or 0)))
        elif code in view_lines:
            words.append(_("“%(name)s” has %(points)s points, under the floor of %(floor)s",
                           name=view_lines[code].criterion.name,
                           points=number(view_lines[code].line.points),
                           floor=number(gate.get("min_each"))))
    return words


def gap_words(gap: dict | None, by_code: dict) -> list[str]:
    """The gap to the next tier in sentences: the points short, then each criterion that
    alone would close it, then the floors still missed."""
    if not gap:
        return []
    words = []
    if gap["points"] > 0:
        words.append(_("%(points)s points short of tier %(tier)s.",
                       points=number(gap["points"]), tier=gap["tier"]))
    else:
        words.append(_("The total is enough for tier %(tier)s.", tier=gap["tier"]))
    for closer in gap["closers"]:
        view = by_code.get(closer.code)
        if view is None:
            continue
        metric = view.criterion.metric
        words.append(_("Raising “%(name)s” alone from %(before)s to %(after)s would "
                       "close it.", name=view.criterion.name,
                       before=value_text(metric, closer.from_value),
                       after=value_text(metric, closer.to_value))
                     if view.criterion.direction == "higher" else
                     _("Lowering “%(name)s” alone from %(before)s to %(after)s would "
                       "close it.", name=view.criterion.name,
                       before=value_text(metric, closer.from_value),
                       after=value_text(metric, closer.to_value)))
    if gap["points"] > 0 and not gap["closers"]:
        words.append(_("No single criterion can close it alone: several must improve."))
    for code in gap["under_floor"]:
        view = by_code.get(code)
        if view is not None:
            words.append(_("“%(name)s” must also reach the tier's floor on every "
                           "criterion.", name=view.criterion.name))
    return words


def history(user, scorecard: Scorecard, count: int = HISTORY_MONTHS) -> list:
    """(month, Scorecard or None) for the `count` months up to the scorecard's."""
    first = add_months(scorecard.month, -(count - 1))
    found = {card.month: card for card in db.session.execute(select(Scorecard).where(
        Scorecard.partner_id == scorecard.partner_id, Scorecard.month >= first,
        Scorecard.month <= scorecard.month, visible(user, Scorecard))).scalars()}
    return [(m, found.get(m)) for m in (add_months(first, i) for i in range(count))]


def view(user, scorecard: Scorecard) -> CardView:
    """Everything the scorecard page shows."""
    corrected = dict(db.session.execute(select(ManualValue.criterion_id, ManualValue.appeal_id)
                                        .where(ManualValue.partner_id == scorecard.partner_id,
                                               ManualValue.month == scorecard.month)).all())
    appeals = list(db.session.execute(select(Appeal).where(
        Appeal.scorecard_id == scorecard.id, visible(user, Appeal))
        .order_by(Appeal.state != "open", Appeal.id.desc())).scalars())
    open_by = {a.criterion_id: a for a in appeals if a.state == "open"}
    lines = []
    for line in scorecard.lines:
        criterion = line.criterion
        lines.append(LineView(line, criterion, METRICS.get(criterion.metric),
                              value_text(criterion.metric, line.value),
                              source_link(criterion.metric, scorecard.partner_id,
                                          scorecard.month),
                              corrected.get(line.criterion_id) if line.manual else None,
                              open_by.get(line.criterion_id)))
    by_code = {v.criterion.code: v for v in lines}
    groups = [(g, [v for v in lines if v.criterion.group == g]) for g in GROUPS]
    groups += [(None, [v for v in lines if v.criterion.group not in GROUPS])]
    card = compute.card_of(scorecard)
    cset = scorecard.criteria_set
    tiers = list(cset.tiers or [])
    failing = [(gate["tier"], reasons(by_code, card.failing[gate["tier"]], gate))
               for gate in tiers if gate["tier"] in card.failing]
    gap = mapping.gap(compute.rules_of(cset), card, tiers, card.tier)
    return CardView(scorecard, [g for g in groups if g[1]], card, failing, gap,
                    gap_words(gap, by_code), history(user, scorecard), appeals,
                    criteria_link(cset.id))


# -- what-if -----------------------------------------------------------------------------

@dataclass
class WhatIf:
    current: mapping.Card
    changed: mapping.Card
    current_gap: dict | None
    changed_gap: dict | None
    current_words: list
    changed_words: list


def what_if(scorecard: Scorecard, values: dict) -> WhatIf:
    """The scorecard beside a copy with `values` (code -> value or None) in place of its
    own; nothing is stored."""
    cset = scorecard.criteria_set
    rules, tiers = compute.rules_of(cset), list(cset.tiers or [])
    current, changed = compute.card_of(scorecard), compute.card_of(scorecard, values)
    by_code = {line.criterion.code: LineView(line, line.criterion, None, "", None)
               for line in scorecard.lines}
    current_gap = mapping.gap(rules, current, tiers, current.tier)
    changed_gap = mapping.gap(rules, changed, tiers, changed.tier)
    return WhatIf(current, changed, current_gap, changed_gap,
                  gap_words(current_gap, by_code), gap_words(changed_gap, by_code))


def closed(month: date) -> bool:
    """Has `month` been closed (some of its scorecards frozen)?"""
    return db.session.execute(select(Scorecard.id).where(
        Scorecard.month == first_of(month), Scorecard.frozen_at.is_not(None)).limit(1)
    ).first() is not None
