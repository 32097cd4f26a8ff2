"""Computing scorecards: a month's metrics for every partner in a few grouped queries
(`metrics.compute_all`), then each partner's card through `mapping.score`, stored in
bulk, then ranks and percentiles among the partners of each tier.

A month's scorecards are open while it runs and until it is closed; closing computes
them one last time and freezes them (a second close changes nothing), then applies the
tier changes they lead to: a promotion at once, a demotion waiting for a person. A frozen
scorecard is never recomputed from the live data again; an accepted appeal rescores it
from its stored values with the corrected one (`rescore`)."""
import bisect
import time as stopwatch
from datetime import date, datetime

from sqlalchemy import delete, insert, select

from portal.core.clock import BUSINESS_TZ, now
from portal.extensions import db
from portal.org.models import TIERS, Partner
from portal.results.months import add_months, first_of
from portal.scoring import mapping, metrics
from portal.scoring.models import (ManualValue, Scorecard, ScoreLine, ScoringRun, TierChange)

# Closing a month waits this many days into the next, for late entries and appeals.
CLOSE_DAY = 3


def set_for(month: date):
    from portal.scoring.criteria import set_for as criteria_set_for
    return criteria_set_for(first_of(month))


def rules_of(cset) -> list[mapping.Rule]:
    return [mapping.Rule.of(c) for c in cset.criteria]


def manual_values(month: date, partner_ids=None) -> dict[tuple[int, int], float]:
    """(partner, criterion) -> corrected value for `month`."""
    query = select(ManualValue.partner_id, ManualValue.criterion_id, ManualValue.value).where(
        ManualValue.month == month)
    if partner_ids is not None:
        query = query.where(ManualValue.partner_id.in_(list(partner_ids)))
    return {(p, c): v for p, c, v in db.session.execute(query).all()}


def month_figures(cset, month: date, at: datetime, partner_ids=None) -> dict:
    """criterion code -> {partner: Figure}, each metric computed once."""
    found = metrics.compute_all([c.metric for c in cset.criteria], metrics.period(month, at),
                                partner_ids)
    return {c.code: found[c.metric] for c in cset.criteria}


def values_of(cset, figures: dict, manual: dict, partner_id: int) -> dict:
    values = {}
    for criterion in cset.criteria:
        if (partner_id, criterion.id) in manual:
            values[criterion.code] = manual[(partner_id, criterion.id)]
        else:
            figure = figures[criterion.code].get(partner_id)
            values[criterion.code] = figure.value if figure else None
    return values


def _line_rows(cset, card: mapping.Card, scorecard_id: int, figures: dict, manual: dict,
               partner_id: int) -> list[dict]:
    rows = []
    for position, (criterion, line) in enumerate(zip(cset.criteria, card.lines)):
        figure = figures.get(criterion.code, {}).get(partner_id) if figures else None
        is_manual = (partner_id, criterion.id) in manual
        rows.append({"scorecard_id": scorecard_id, "criterion_id": criterion.id,
                     "position": position, "value": line.value, "points": line.points,
                     "share": line.share, "contribution": line.contribution,
                     "manual": is_manual,
                     "numerator": None if is_manual or figure is None else figure.numerator,
                     "denominator": None if is_manual or figure is None else
                     figure.denominator})
    return rows


def places(totals: list[float]) -> dict[float, int]:
    """total -> its rank among `totals` (1 = best; equal totals share the better rank)."""
    first: dict[float, int] = {}
    for place, total in enumerate(sorted(totals, reverse=True), start=1):
        first.setdefault(total, place)
    return first


def rank_month(month: date) -> None:
    """Ranks (1 = best; ties share a rank) and percentiles (share of the tier's scored
    partners with a lower total) among the partners of each tier. Relative by nature:
    the page says so; the total never depends on other partners."""
    cards = db.session.execute(select(Scorecard).where(Scorecard.month == month)).scalars().all()
    by_tier: dict[str, list[Scorecard]] = {}
    for card in cards:
        card.rank = card.ranked = card.percentile = None
        if card.total is not None:
            by_tier.setdefault(card.tier, []).append(card)
    for group in by_tier.values():
        first = places([c.total for c in group])
        size, ascending = len(group), sorted(c.total for c in group)
        for card in group:
            card.rank, card.ranked = first[card.total], size
            lower = bisect.bisect_left(ascending, card.total)  # the tier's lower totals
            card.percentile = round(lower / (size - 1) * 100, 1) if size > 1 else None


def compute_month(month: date, *, at: datetime | None = None, partner_ids=None,
                  trigger: str = "job", actor=None, close: bool = False) -> ScoringRun | None:
    """(Re)compute the open scorecards of `month` (every active partner, or those of
    `partner_ids`) under the criteria in force that month; `close` freezes them and
    applies their tier changes. Frozen scorecards are left as they are."""
    at, started = at or now(), stopwatch.perf_counter()
    month = first_of(month)
    cset = set_for(month)
    if cset is None:
        return None
    partners = {pid: tier for pid, tier in db.session.execute(
        select(Partner.id, Partner.tier).where(
            Partner.id.in_(metrics.active_partner_ids(partner_ids)))).all()}
    kept = {card.partner_id: card for card in db.session.execute(
        select(Scorecard).where(Scorecard.month == month,
                                Scorecard.partner_id.in_(list(partners)))).scalars()}
    todo = [pid for pid in partners if pid not in kept or kept[pid].frozen_at is None]
    if not todo:
        return None
    figures = month_figures(cset, month, at, todo)
    manual = manual_values(month, todo)
    rules = rules_of(cset)
    open_ids = [kept[pid].id for pid in todo if pid in kept]
    if open_ids:
        db.session.execute(delete(ScoreLine).where(ScoreLine.scorecard_id.in_(open_ids))
                           .execution_options(synchronize_session=False))
    cards = {}
    for pid in todo:
        card = mapping.score(rules, values_of(cset, figures, manual, pid), cset.tiers)
        row = kept.get(pid) or Scorecard(partner_id=pid, month=month)
        row.set_id, row.tier, row.total, row.earned_tier = cset.id, partners[pid], \
            card.total, card.tier
        row.computed_at = at
        if close:
            row.frozen_at = at
        db.session.add(row)
        cards[pid] = (row, card)
    db.session.flush()
    lines = [line for pid, (row, card) in cards.items()
             for line in _line_rows(cset, card, row.id, figures, manual, pid)]
    if lines:
        db.session.execute(insert(ScoreLine), lines)
    rank_month(month)
    if close:
        for row, _card in cards.values():
            tier_change(row, at)
    only = list(partner_ids or ())
    run = ScoringRun(month=month, partner_id=only[0] if len(only) == 1 else None,
                     closed=close, rows=len(cards),
                     seconds=round(stopwatch.perf_counter() - started, 3), started_at=at,
                     trigger=trigger, started_by=getattr(actor, "id", None))
    db.session.add(run)
    db.session.flush()
    return run


def tier_change(card: Scorecard, at: datetime) -> TierChange | None:
    """The tier change a frozen scorecard leads to: a promotion applied at once, a
    demotion pending a person's review. Once per partner and month."""
    earned, current = card.earned_tier, card.tier
    if earned is None or earned == current or earned not in TIERS or current not in TIERS:
        return None
    exists = db.session.execute(select(TierChange.id).where(
        TierChange.partner_id == card.partner_id, TierChange.month == card.month)).first()
    if exists:
        return None
    promotion = TIERS.index(earned) < TIERS.index(current)
    change = TierChange(partner_id=card.partner_id, month=card.month, scorecard_id=card.id,
                        from_tier=current, to_tier=earned,
                        state="applied" if promotion else "pending", created_at=at)
    if promotion:
        db.session.get(Partner, card.partner_id).tier = earned
        change.decided_at = at
    db.session.add(change)
    return change


def card_of(scorecard: Scorecard, values: dict | None = None) -> mapping.Card:
    """The scorecard's card from its stored values (or with some replaced: what-if)."""
    cset = scorecard.criteria_set
    stored = {line.criterion.code: line.value for line in scorecard.lines}
    if values:
        stored.update(values)
    return mapping.score(rules_of(cset), stored, cset.tiers)


def rescore(scorecard: Scorecard, at: datetime | None = None) -> None:
    """Rescore one scorecard from its stored values and the month's manual values (an
    accepted appeal), open or frozen, then re-rank its month."""
    manual = manual_values(scorecard.month, [scorecard.partner_id])
    by_id = {line.criterion_id: line for line in scorecard.lines}
    for (pid, criterion_id), value in manual.items():
        if criterion_id in by_id:
            line = by_id[criterion_id]
            line.value, line.manual, line.numerator, line.denominator = value, True, None, None
    card = card_of(scorecard)
    for line, scored in zip(scorecard.lines, card.lines):
        line.points, line.share, line.contribution = scored.points, scored.share, \
            scored.contribution
    scorecard.total, scorecard.earned_tier = card.total, card.tier
    scorecard.computed_at = at or now()
    db.session.flush()
    rank_month(scorecard.month)


def months_to_close(at: datetime | None = None) -> list[date]:
    """Months whose period is over and past the close day, with open scorecards or none
    at all yet, under a published criteria set (the last three months at most)."""
    today = (at or now()).astimezone(BUSINESS_TZ).date()
    current = first_of(today)
    last = add_months(current, -1) if today.day >= CLOSE_DAY else add_months(current, -2)
    months = []
    for back in range(3):
        month = add_months(last, -back)
        if set_for(month) is None:
            continue
        frozen = db.session.execute(select(Scorecard.id).where(
            Scorecard.month == month, Scorecard.frozen_at.is_not(None)).limit(1)).first()
        if frozen is None:
            months.append(month)
    return sorted(months)


def preview(cset, month: date, at: datetime | None = None) -> list[dict]:
    """How every active partner's total and rank would move if `cset` (a draft or an
    upcoming version) judged `month` instead of the version that does: one row per
    partner, sorted by the change."""
    at = at or now()
    month = first_of(month)
    partners = db.session.execute(select(Partner.id, Partner.name, Partner.tier).where(
        Partner.id.in_(metrics.active_partner_ids()))).all()
    current = set_for(month)
    ids = [p.id for p in partners]
    manual = manual_values(month, ids)

    def totals(criteria_set):
        if criteria_set is None or not criteria_set.criteria:
            return {}
        figures = month_figures(criteria_set, month, at, ids)
        rules = rules_of(criteria_set)
        return {pid: mapping.score(rules, values_of(criteria_set, figures, manual, pid),
                                   criteria_set.tiers) for pid in ids}

    before, after = totals(current), totals(cset)

    def ranks(cards):
        by_tier: dict[str, list[float]] = {}
        for p in partners:
            card = cards.get(p.id)
            if card is not None and card.total is not None:
                by_tier.setdefault(p.tier, []).append(card.total)
        first = {tier: places(totals) for tier, totals in by_tier.items()}
        return {p.id: first[p.tier][cards[p.id].total] for p in partners
                if cards.get(p.id) is not None and cards[p.id].total is not None}

    rank_before, rank_after = ranks(before), ranks(after)
    rows = []
    for p in partners:
        b, a = before.get(p.id), after.get(p.id)
        rows.append({"partner_id": p.id, "partner": p.name, "tier": p.tier,
                     "before_total": b.total if b else None,
                     "after_total": a.total if a else None,
                     "before_rank": rank_before.get(p.id), "after_rank": rank_after.get(p.id),
                     "before_tier": b.tier if b else None, "after_tier": a.tier if a else None})
    rows.sort(key=lambda r: -abs((r["after_total"] or 0) - (r["before_total"] or 0)))
    return rows
