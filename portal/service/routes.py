"""The service pages (/service): the ticket list with its filters and CSV export, one
ticket with its times against its rule's targets, the form that opens a ticket and the
one that records its progress, the ticket import. The rule and the monthly summary are
`rule_routes`'.

Every handler checks the action rule first, then loads the ticket inside the user's
reach (`get_or_404`): another partner's ticket is a 404."""
from datetime import date, datetime, time, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select

from portal.core.access import can_change, get_or_404, require, visible
from portal.core.clock import BUSINESS_TZ, now
from portal.core.csv_export import EXPORT_MAX, csv_response
from portal.core.forms import commit_or_show, to_local
from portal.core.imports import limits_shown, template_download, uploaded
from portal.core.lists import partner_filter, partners_by_name
from portal.core.pages import number_arg, paginate, require_login
from portal.extensions import db
from portal.habits.customer_forms import territory_towns, town_choices
from portal.habits.models import Customer
from portal.org.models import Partner
from portal.results.months import add_months
from portal.service import ticket_import, tickets
from portal.service.forms import ProgressForm, TicketFilters, TicketForm, TicketImportForm
from portal.service.labels import (CHANNEL_LABELS, SCALE_LABELS, STATE_LABELS,
                                   TIMING_LABELS)
from portal.service.models import ServiceRule, Ticket
from portal.service.policies import enterable_partners

bp = Blueprint("service", __name__, url_prefix="/service")
require_login(bp)
CUSTOMER_CHOICES_MAX = 500


@bp.context_processor
def _labels():
    return {"ticket_state": tickets.state, "state_labels": STATE_LABELS,
            "scale_labels": SCALE_LABELS, "channel_labels": CHANNEL_LABELS,
            "timing_labels": TIMING_LABELS, "hours_text": hours_text}


def hours_text(value) -> str:
    return "—" if value is None else _("%(num)s h", num=f"{value:.1f}")


def _entry_partner(user) -> Partner | None:
    """The partner a new ticket (or file) is for: the user's own, or the one chosen."""
    options = {ident for ident, _name in partners_by_name(enterable_partners(user))}
    if user.role in ("owner", "manager"):
        wanted = user.partner_id
    else:
        wanted = number_arg("partner_id") or (next(iter(options)) if len(options) == 1
                                              else None)
    return db.session.get(Partner, wanted) if wanted in options else None


def _choose_partner(endpoint: str):
    """The page asking which partner a new ticket (or file) is for."""
    return render_template("service/choose_partner.html",
                           partners=partners_by_name(enterable_partners(current_user)),
                           endpoint=endpoint), 400 if request.method == "POST" else 200


def month_window(month: date) -> tuple[datetime, datetime]:
    """The business-time month starting `month` as a half-open UTC window."""
    def start(day):
        return datetime.combine(day, time(0), BUSINESS_TZ).astimezone(timezone.utc)
    return start(month), start(add_months(month, 1))


def _query(filters: TicketFilters):
    query = (select(Ticket).join(ServiceRule, ServiceRule.id == Ticket.rule_id)
             .where(visible(current_user, Ticket)))
    if filters.state:
        query = query.where(tickets.in_state(filters.state))
    if filters.timing == "overdue":
        query = query.where(tickets.over_target(now()))
    elif filters.timing == "on_time":
        query = query.where(~tickets.over_target(now()))
    if filters.town:
        query = query.where(Ticket.town_code == filters.town)
    if filters.partner_id:
        query = query.where(Ticket.partner_id == filters.partner_id)
    if filters.month:
        start, end = month_window(date.fromisoformat(filters.month + "-01"))
        query = query.where(Ticket.opened_at >= start, Ticket.opened_at < end)
    if filters.q:
        query = query.where(or_(Ticket.subject.contains(filters.q, autoescape=True),
                                Ticket.client_id.contains(filters.q, autoescape=True),
                                Ticket.detail.contains(filters.q, autoescape=True)))
    return query.order_by(Ticket.opened_at.desc(), Ticket.id.desc())


@bp.route("/")
def tickets_list():
    require("service.read")
    filters = TicketFilters.from_args(request.args)
    page = paginate(_query(filters))
    towns = territory_towns(current_user.partner_id) if current_user.partner_id else []
    return render_template("service/index.html", page=page, filters=filters,
                           partners=partner_filter(Ticket), towns=towns, at=now(),
                           timing={t.id: tickets.timing(t) for t in page.items})


@bp.route("/export.csv")
def export_tickets():
    require("service.read")
    filters = TicketFilters.from_args(request.args)
    found = db.session.execute(_query(filters).limit(EXPORT_MAX)).scalars().all()
    header = (_("Ticket number"), _("Partner"), _("Ticket subject"), _("Town"), _("Customer"),
              _("Ticket received"), _("First response"), _("Resolved"), _("State"),
              _("Hours to first response"), _("Hours to resolution"), _("Within target"),
              _("Satisfaction scale"), _("Satisfaction"), _("Channel"))
    # A customer's name only where the reader may see that customer (a team lead reads
    # every ticket of its partner, but only its team's part of the book).
    seen = set(db.session.execute(select(Customer.id).where(
        Customer.id.in_({t.customer_id for t in found} - {None}),
        visible(current_user, Customer))).scalars())
    rows = []
    for t in found:
        timed = tickets.timing(t)
        rows.append((t.client_id, t.partner.name, t.subject, t.town.name if t.town else "",
                     t.customer.name if t.customer_id in seen else "", _local(t.opened_at),
                     _local(t.first_response_at), _local(t.resolved_at),
                     STATE_LABELS[tickets.state(t)], _round(timed.first_hours),
                     _round(timed.resolution_hours),
                     "" if timed.resolution_met is None else
                     (_("yes") if timed.resolution_met else _("no")),
                     t.satisfaction_scale or "", "" if t.satisfaction is None
                     else t.satisfaction, CHANNEL_LABELS.get(t.channel, t.channel)))
    return csv_response("tickets.csv", header, rows)


def _round(value):
    return "" if value is None else f"{value:.2f}"


def _local(moment) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _offer(form: TicketForm, partner: Partner) -> None:
    form.town_code.choices = town_choices(partner.id)
    # Only the customers the user may see (a team lead: its team's book).
    customers = db.session.execute(select(Customer.id, Customer.name).where(
        Customer.partner_id == partner.id, Customer.active.is_(True),
        visible(current_user, Customer))
        .order_by(Customer.name_key, Customer.id).limit(CUSTOMER_CHOICES_MAX)).all()
    form.customer_id.choices = [("", "—")] + [(str(i), name) for i, name in customers]


@bp.route("/new", methods=["GET", "POST"])
def new_ticket():
    require("service.enter")
    partner = _entry_partner(current_user)
    if partner is None:
        return _choose_partner("service.new_ticket")
    form = TicketForm()
    _offer(form, partner)
    status = 200
    if request.method == "GET":
        form.opened_at.data = to_local(now()).replace(second=0, microsecond=0)
    elif not form.validate():
        status = 400
    else:
        opened, error = commit_or_show(
            form, lambda: tickets.open_ticket(current_user, partner.id, form.values()))
        if error is None:
            flash(_("The ticket is recorded."), "success")
            return redirect(url_for("service.ticket", ticket_id=opened.ticket.id))
        status = error.status
    return render_template("service/new.html", form=form, partner=partner), status


def _page(ticket: Ticket, form: ProgressForm | None = None, status: int = 200):
    if form is None:
        form = ProgressForm(formdata=None, data={
            "first_response_at": to_local(ticket.first_response_at),
            "resolved_at": to_local(ticket.resolved_at),
            "satisfaction_scale": ticket.satisfaction_scale or "",
            "satisfaction": ticket.satisfaction})
    return render_template("service/ticket.html", ticket=ticket, form=form,
                           timed=tickets.timing(ticket), state=tickets.state(ticket),
                           may_change=can_change(current_user, ticket)), status


@bp.route("/<int:ticket_id>")
def ticket(ticket_id):
    require("service.read")
    return _page(get_or_404(current_user, Ticket, ticket_id))


@bp.route("/<int:ticket_id>/progress", methods=["POST"])
def update_ticket(ticket_id):
    require("service.enter")
    found = get_or_404(current_user, Ticket, ticket_id, change=True)
    form = ProgressForm()
    if not form.validate():
        return _page(found, form, 400)
    _updated, error = commit_or_show(form, lambda: tickets.update_ticket(
        found, form.progress()))
    if error is not None:
        return _page(db.session.get(Ticket, ticket_id), form, error.status)
    flash(_("The ticket is updated."), "success")
    return redirect(url_for("service.ticket", ticket_id=found.id))


@bp.route("/import", methods=["GET", "POST"])
def import_tickets():
    require("service.enter")
    partner = _entry_partner(current_user)
    if partner is None:
        return _choose_partner("service.import_tickets")
    form = TicketImportForm()
    upload, status = None, 200
    if form.is_submitted():
        status = 400
        if form.validate():
            upload = ticket_import.read_file(uploaded(form.file.data), partner)
            if upload.ok:
                created = ticket_import.create_tickets(current_user, partner, upload)
                db.session.commit()
                flash(_("%(num)d tickets imported, %(skipped)d already there.",
                        num=len(created), skipped=upload.skipped), "success")
                return redirect(url_for("service.tickets_list", partner_id=partner.id))
            db.session.rollback()
    return render_template("service/import.html", form=form, upload=upload, partner=partner,
                           **limits_shown(ticket_import.TEMPLATE_HEADER)), status


@bp.route("/import/template.csv")
def ticket_import_template():
    require("service.enter")
    return template_download(ticket_import.TEMPLATE_HEADER, "tickets-template.csv")


