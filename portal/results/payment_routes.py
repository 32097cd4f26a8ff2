"""The payment pages (/results/payments): the list with its filters, totals and CSV
export; recording a payment against one of a customer's open orders or on account; the
CSV import of many. Handlers follow the orders' pipeline (`order_routes`)."""
from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from portal.core.access import require, visible
from portal.core.clock import today
from portal.core.forms import choices
from portal.core.pages import number_arg, paginate
from portal.extensions import db
from portal.results import entries, result_import
from portal.results.models import Order, Payment
from portal.results.order_routes import (EXPORT_LIMIT, entries_csv, import_page,
                                         save_entry, search_text, start_form,
                                         template_download)
from portal.results.result_forms import (PaymentForm, chosen_id, customer_choices,
                                         linked_customers, list_filters, open_orders,
                                         order_label, pickable_customer, plain_yuan,
                                         recorders, salesperson_choices)
from portal.results.routes import bp


def _payments(filters, *columns):
    """SQL: the payments the user may see that the filters select, newest first."""
    return (select(*(columns or (Payment,))).where(
        visible(current_user, Payment), *filters.conditions(Payment, Payment.received_on))
        .order_by(Payment.received_on.desc(), Payment.id.desc()))


def _totals(filters) -> dict:
    on_account = case((Payment.order_id.is_(None), Payment.amount_fen), else_=0)
    count, total, loose = db.session.execute(_payments(
        filters, func.count(), func.coalesce(func.sum(Payment.amount_fen), 0),
        func.coalesce(func.sum(on_account), 0)).order_by(None)).one()
    return {"count": count, "total": total, "on_account": loose}


@bp.route("/payments/", endpoint="payments")
def payment_list():
    require("results.read")
    partners, filters, people = list_filters(current_user)
    page = paginate(_payments(filters).options(selectinload(Payment.customer),
                                               selectinload(Payment.salesperson),
                                               selectinload(Payment.order)))
    return render_template(
        "results/payments/index.html", page=page, filters=filters, partners=partners,
        partner_names=dict(partners or ()), people=people, totals=_totals(filters),
        export_limit=EXPORT_LIMIT,
        linked=linked_customers(current_user, [p.customer_id for p in page.items]))


@bp.route("/payments/export.csv", endpoint="export_payments")
def export_payments():
    require("results.read")
    partners, filters, _people = list_filters(current_user)

    def convert(amount, order_entry, ordered_on, note, client_id):
        return [plain_yuan(amount), order_entry or "",
                ordered_on.isoformat() if ordered_on else "", note, client_id]
    return entries_csv(
        "payments", lambda *columns: _payments(filters, *columns).outerjoin(
            Order, Order.id == Payment.order_id), Payment, _("Received on"),
        (Payment.amount_fen, Order.client_id, Order.ordered_on, Payment.note,
         Payment.client_id),
        (_("Amount (yuan)"), _("Order's entry id"), _("Order date"), _("Note"),
         _("Entry id")), convert, partners)


# --- recording a payment ------------------------------------------------------------------
def _preset_order() -> Order | None:
    """The order a payment is opened for (?order_id=), when the user may pay it."""
    order_id = number_arg("order_id")
    if order_id is None:
        return None
    order = db.session.execute(select(Order).where(
        Order.id == order_id, Order.partner_id == current_user.partner_id,
        visible(current_user, Order))).scalar_one_or_none()
    return order if order is not None and order.open_fen > 0 else None


@bp.route("/payments/new", methods=["GET", "POST"], endpoint="new_payment")
def new_payment():
    """First the customer (preset from an order or ?customer_id=, else picked), then the
    payment against one of its open orders or on account."""
    require("results.record")
    form = PaymentForm()
    salesperson_choices(form, recorders(current_user),
                        blank=_("The order's salesperson (or you, on account)"))
    preset = _preset_order()
    if not form.is_submitted():
        start_form(form)
        if preset is not None:
            form.customer_id.data = str(preset.customer_id)
            form.order_id.data = str(preset.id)
        elif number_arg("customer_id") is not None:
            form.customer_id.data = str(number_arg("customer_id"))
    saved, status = save_entry(form, entries.record_payment, (
        _("Payment saved."), _("This payment was already saved.")),
        lambda payment: url_for("results.order", order_id=payment.order_id)
        if payment.order_id else url_for("results.payments"))
    if saved is not None:
        return saved
    customer = pickable_customer(current_user, chosen_id(form))
    orders = open_orders(current_user, customer.id) if customer is not None else []
    form.order_id.choices = choices(((str(o.id), order_label(o)) for o in orders),
                                    blank=_("On account (against no order)"))
    found, more = ([], False) if customer is not None else customer_choices(
        current_user, search_text())
    return render_template("results/payments/form.html", form=form, customer=customer,
                           orders={str(o.id): o for o in orders}, found=found, more=more,
                           q=search_text(), today=today()), status


@bp.route("/payments/import", methods=["GET", "POST"], endpoint="import_payments")
def import_payments():
    require("results.import")
    return import_page(result_import.PAYMENTS, "results/payments/import.html",
                       "results.payments")


@bp.route("/payments/import/template.csv", endpoint="payment_import_template")
def payment_import_template():
    require("results.import")
    return template_download(result_import.PAYMENTS)
