"""Broadcast reach and acknowledgement over a date range, from the reach pages' own
functions: per broadcast published in the range its recipients, how many opened and
acknowledged it and how many did so by the deadline (as rates per recipient), the time
to acknowledge, who is still overdue past the deadline, reach by partner and cascade
fidelity. Every figure is narrowed to the partners the reader may see."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, exists, func, select

from portal.broadcasts import reach
from portal.broadcasts.models import Broadcast, Receipt
from portal.core.access import figures_of, visible
from portal.core.clock import now
from portal.core.text import human_seconds
from portal.extensions import db
from portal.org.labels import role_label
from portal.org.models import Partner, Team
from portal.reports.kinds import ReportData, Section, Table, report
from portal.reports.scope import period_of, scope_of, span

# A broadcast's overdue list is its audience at most; this bounds a runaway one.
OVERDUE_LIMIT = 5000


def percent(part, whole) -> str | None:
    """part ÷ whole as the reach pages show it: "83%"."""
    return None if not whole or part is None else f"{100 * part / whole:.0f}%"


def _rate(value) -> str | None:
    return None if value is None else f"{100 * value:.0f}%"


def _published(user, start, end, partner_ids):
    """SQL: the broadcasts `user` may see published in [start, end) and by now that
    reached someone of `partner_ids` (None: anyone), in publication order."""
    query = select(Broadcast).where(visible(user, Broadcast), Broadcast.publish_at >= start,
                                    Broadcast.publish_at < end, Broadcast.publish_at <= now())
    if partner_ids is not None:
        query = query.where(exists().where(Receipt.broadcast_id == Broadcast.id,
                                           Receipt.partner_id.in_(list(partner_ids))))
    return query.order_by(Broadcast.publish_at, Broadcast.id)


def on_time(broadcast_ids, partner_ids) -> dict[int, int]:
    """Acknowledgements made by the deadline, per broadcast (one GROUP BY)."""
    query = (select(Receipt.broadcast_id, func.count(case(
                (Receipt.acked_at <= Broadcast.ack_deadline, 1))))
             .join(Broadcast, Broadcast.id == Receipt.broadcast_id)
             .where(Receipt.broadcast_id.in_(list(broadcast_ids)))
             .group_by(Receipt.broadcast_id))
    if partner_ids is not None:
        query = query.where(Receipt.partner_id.in_(list(partner_ids)))
    return dict(db.session.execute(query).all())


def _names(model, ids) -> dict:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _line(broadcast, summary, timely, localtime) -> dict:
    """One broadcast's figures; acknowledgement figures only where one was required,
    on-time ones only where there was a deadline."""
    asked = broadcast.requires_ack
    delivered = summary["delivered"]
    timely = timely if asked and broadcast.ack_deadline is not None else None
    return {"id": broadcast.id, "title": broadcast.title, "version": broadcast.version,
            "published": localtime(broadcast.publish_at, "yyyy-MM-dd HH:mm"),
            "deadline": localtime(broadcast.ack_deadline, "yyyy-MM-dd HH:mm")
            if asked and broadcast.ack_deadline else None,
            "requires_ack": asked, "delivered": delivered, "opened": summary["opened"],
            "acknowledged": summary["acknowledged"] if asked else None,
            "on_time": timely, "overdue": summary["overdue"] if asked else None,
            "median_ack_seconds": summary["median_ack_seconds"] if asked else None,
            "p90_ack_seconds": summary["p90_ack_seconds"] if asked else None}


def _title(line) -> str:
    if line["version"] == 1:
        return line["title"]
    return f"{line['title']} · {_('Version %(num)d', num=line['version'])}"


def _reach_table(lines) -> Table:
    return Table(_("Reach per broadcast"), [
        _("Broadcast"), _("Published"), _("Delivered"), _("Opened"), _("Acknowledged"),
        _("Acknowledged on time"), _("Overdue")],
        [[_title(line), line["published"], line["delivered"], line["opened"],
          line["acknowledged"], line["on_time"], line["overdue"]] for line in lines],
        numeric=(2, 3, 4, 5, 6))


def _rates_table(lines) -> Table:
    """Each broadcast's figures as shares of the people it reached, and how long the
    acknowledgements took (the reach page's median and 90th percentile)."""
    def took(seconds):
        return None if seconds is None else human_seconds(seconds)
    return Table(_("Rates per broadcast"), [
        _("Broadcast"), _("Deadline"), _("Opened"), _("Acknowledged"),
        _("Acknowledged on time"), _("Half within"), _("90% within")],
        [[_title(line), line["deadline"], percent(line["opened"], line["delivered"]),
          percent(line["acknowledged"], line["delivered"]),
          percent(line["on_time"], line["delivered"]), took(line["median_ack_seconds"]),
          took(line["p90_ack_seconds"])] for line in lines],
        numeric=(2, 3, 4), note=_("Rates are shares of the people each broadcast reached."))


def _overdue(broadcasts, partner_ids, localtime) -> tuple[list, list]:
    """Who has not acknowledged past the deadline, a table per broadcast (the reach
    page's list)."""
    tables, found = [], []
    for broadcast in broadcasts:
        if not broadcast.requires_ack:
            continue
        people = db.session.execute(reach.overdue_people(broadcast, partner_ids)
                                    .limit(OVERDUE_LIMIT + 1)).all()
        capped = len(people) > OVERDUE_LIMIT
        people = people[:OVERDUE_LIMIT]
        found.append({"broadcast_id": broadcast.id,
                      "usernames": [person.username for person, _r in people]})
        if not people:
            continue
        partners = _names(Partner, [receipt.partner_id for _u, receipt in people])
        teams = _names(Team, [receipt.team_id for _u, receipt in people])
        tables.append(Table(
            _title({"title": broadcast.title, "version": broadcast.version}),
            [_("Name"), _("Username"), _("Partner"), _("Team"), _("Role"), _("Opened"),
             _("Reminders")],
            [[person.display_name, person.username, partners.get(receipt.partner_id),
              teams.get(receipt.team_id) or _("No team"), role_label(receipt.role),
              localtime(receipt.opened_at, "MM-dd HH:mm") if receipt.opened_at
              else _("not yet"), receipt.reminders] for person, receipt in people],
            numeric=(6,), note=_("At most %(count)d people per broadcast.",
                                 count=OVERDUE_LIMIT) if capped else ""))
    return tables, found


def _by_partner(broadcasts, partner_ids) -> Table:
    """Reach per partner over every broadcast of the range, as rates per recipient."""
    totals: dict[int, dict] = {}
    for broadcast in broadcasts:
        for row in reach.reach_breakdown(broadcast, "partner", partner_ids):
            line = totals.setdefault(row["partner_id"], {"name": row["partner_name"],
                                                         **{k: 0 for k in reach.COUNTS},
                                                         "asked": 0})
            for key in ("delivered", "opened"):
                line[key] += row[key]
            if broadcast.requires_ack:
                line["asked"] += row["delivered"]
                line["acknowledged"] += row["acknowledged"]
                line["overdue"] += row["overdue"]
    rows = [[line["name"], line["delivered"], percent(line["opened"], line["delivered"]),
             line["asked"], percent(line["acknowledged"], line["asked"]), line["overdue"]]
            for line in totals.values()]
    return Table(_("By partner"), [_("Partner"), _("Delivered"), _("Opened"),
                                   _("Asked to acknowledge"), _("Acknowledged"),
                                   _("Overdue")], rows, numeric=(1, 2, 3, 4, 5))


def _fidelity(params, start, partner_ids) -> Table:
    rows = [[row["partner_name"], _rate(row["owner_rate"]), _rate(row["manager_rate"]),
             _rate(row["staff_rate"]), _rate(row["gap"])]
            for row in reach.fidelity(start, partner_ids)]
    note = _("Over the broadcasts that required acknowledgement published from %(start)s "
             "until now, as the cascade fidelity page counts them.",
             start=params.start.isoformat())
    return Table(_("Cascade fidelity"), [_("Partner"), role_label("owner"),
                                         role_label("manager"), role_label("staff"), _("Gap")],
                 rows, numeric=(1, 2, 3, 4), note=note)


@report("broadcasts", label=_l("Broadcast reach and acknowledgement"),
        description=_l("Per broadcast published in the period: recipients, opened, "
                       "acknowledged and acknowledged on time; who is overdue; cascade "
                       "fidelity by partner."),
        domain="broadcasts", rule="reports.partner", asks=("partner", "range"))
def build(user, params, progress) -> ReportData:
    partner_ids = ([params.partner_id] if params.partner_id is not None
                   else figures_of(user).partner_ids)
    start, end = span(params)
    period = period_of(params)
    scope_name = scope_of(params, partner_ids)
    title = _("Broadcast reach and acknowledgement")
    if params.partner_id is not None:
        title = _("Broadcast reach and acknowledgement, %(scope)s", scope=scope_name)
    broadcasts = db.session.execute(_published(user, start, end, partner_ids)).scalars().all()
    if not broadcasts:
        return ReportData(title, scope_name, period, now(), empty=_(
            "No broadcast published in this period reached the people of these partners."))
    progress(15, "reach")
    localtime = current_app.jinja_env.filters["localtime"]
    timely = on_time([b.id for b in broadcasts], partner_ids)
    lines = [_line(b, reach.reach_summary(b, partner_ids), timely.get(b.id, 0), localtime)
             for b in broadcasts]
    delivered = sum(line["delivered"] for line in lines)
    asked = [line for line in lines if line["requires_ack"]]
    asked_delivered = sum(line["delivered"] for line in asked)
    timed = [line for line in asked if line["on_time"] is not None]
    summary = Section(_("Summary"), figures=[
        (_("Broadcasts"), len(lines)), (_("Delivered"), delivered),
        (_("Opened"), percent(sum(line["opened"] for line in lines), delivered)),
        (_("Acknowledged"), percent(sum(line["acknowledged"] for line in asked),
                                    asked_delivered)),
        (_("Acknowledged on time"), percent(sum(line["on_time"] for line in timed),
                                            sum(line["delivered"] for line in timed))),
        (_("Overdue"), sum(line["overdue"] for line in asked) if asked else None)],
        tables=[_reach_table(lines), _rates_table(lines)])
    progress(35, "overdue")
    overdue, late = _overdue(broadcasts, partner_ids, localtime)
    still = Section(_("Still overdue"), tables=overdue,
                    paragraphs=[] if overdue else [_("Nobody is overdue.")])
    progress(50, "partners")
    partners = Section(_("Partners"), tables=[_by_partner(broadcasts, partner_ids),
                                              _fidelity(params, start, partner_ids)])
    progress(65, "done")
    return ReportData(title, scope_name, period, now(), sections=[summary, still, partners],
                      source={"broadcasts": lines, "overdue": late, "partner_ids": partner_ids})
