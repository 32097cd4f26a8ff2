"""The order pages (/results/orders): the list with its filters, totals and CSV export;
one order with its payments; recording one; and the CSV import of many (shared with
the payments' import, `import_page`).

Every handler follows one pipeline: a named rule or `get_or_404`, parse, call the
service (`portal.results.entries`), commit once, redirect with a message. What a list
holds is the Order scope (`visible`); its totals are summed in SQL over the same rows."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from portal.auth.models import User
from portal.core.access import get_or_404, require, visible
from portal.core.clock import now, today
from portal.core.csv_export import csv_response
from portal.core.errors import DomainError
from portal.core.forms import choices, show_error
from portal.core.pages import number_arg, paginate
from portal.extensions import db
from portal.habits.models import Customer
from portal.org.importer import limits
from portal.org.models import Partner
from portal.results import entries, result_import
from portal.results.labels import yuan
from portal.results.models import Order, Payment
from portal.results.result_forms import (ImportForm, OrderForm, chosen_id, customer_choices,
                                         linked_customers, list_filters, new_client_id,
                                         pickable_customer, plain_yuan, product_lines,
                                         recorders, salesperson_choices)
from portal.results.routes import bp

# An export holds at most this many rows (the page says so).
EXPORT_LIMIT = 50_000


@bp.context_processor
def _money():
    """Every results template shows money as yuan."""
    return {"yuan": yuan}


# --- the list and its export -----------------------------------------------------------
def _orders(filters, *columns):
    """SQL: the orders the user may see that the filters select, newest first."""
    return (select(*(columns or (Order,))).where(visible(current_user, Order),
                                                 *filters.conditions(Order, Order.ordered_on))
            .order_by(Order.ordered_on.desc(), Order.id.desc()))


def _totals(filters) -> dict:
    count, revenue, paid = db.session.execute(_orders(
        filters, func.count(), func.coalesce(func.sum(Order.amount_fen), 0),
        func.coalesce(func.sum(Order.paid_fen), 0)).order_by(None)).one()
    return {"count": count, "revenue": revenue, "paid": paid, "open": revenue - paid}


@bp.route("/orders/", endpoint="orders")
def order_list():
    require("results.read")
    partners, filters, people = list_filters(current_user)
    page = paginate(_orders(filters).options(selectinload(Order.customer),
                                             selectinload(Order.salesperson)))
    return render_template(
        "results/orders/index.html", page=page, filters=filters, partners=partners,
        partner_names=dict(partners or ()), people=people, totals=_totals(filters),
        lines=product_lines(current_user), export_limit=EXPORT_LIMIT,
        linked=linked_customers(current_user, [o.customer_id for o in page.items]))


def entries_csv(filename: str, select_entries, model, day_label, columns, header,
                convert, partners):
    """A CSV of orders or payments (`model`, selected by `select_entries(*columns)`):
    each one's day, customer, credit code, salesperson and username, then `columns` as
    `convert(values)` writes them, and the partner for a principal; EXPORT_LIMIT rows."""
    # Aliases: the scopes' own subqueries over users must not correlate with these.
    person = aliased(User)
    day = model.ordered_on if model is Order else model.received_on
    query = (select_entries(day, Customer.name, Customer.uscc, person.display_name,
                            person.username, *columns, model.partner_id)
             .join(Customer, Customer.id == model.customer_id)
             .join(person, person.id == model.salesperson_id).limit(EXPORT_LIMIT))
    names = dict(partners or ())
    head = [day_label, _("Customer"), _("Unified social credit code"), _("Salesperson"),
            _("Salesperson's username"), *header] + (
        [_("Partner")] if partners is not None else [])

    def rows():
        for on, name, uscc, salesperson, username, *values, partner_id in \
                db.session.execute(query):
            yield [on.isoformat(), name, uscc or "", salesperson, username,
                   *convert(*values)] + ([names.get(partner_id, "")]
                                         if partners is not None else [])
    return csv_response(f"{filename}-{now().date():%Y%m%d}.csv", head, rows())


@bp.route("/orders/export.csv", endpoint="export_orders")
def export_orders():
    require("results.read")
    partners, filters, _people = list_filters(current_user)
    yes, no = _("yes"), _("no")

    def convert(line, amount, paid, developed, note, client_id):
        return [line, plain_yuan(amount), plain_yuan(paid), plain_yuan(amount - paid),
                yes if developed else no, note, client_id]
    return entries_csv(
        "orders", lambda *columns: _orders(filters, *columns), Order, _("Order date"),
        (Order.product_line, Order.amount_fen, Order.paid_fen, Order.developed, Order.note,
         Order.client_id),
        (_("Product line"), _("Amount (yuan)"), _("Paid (yuan)"), _("Open (yuan)"),
         _("New customer developed"), _("Note"), _("Entry id")), convert, partners)


# --- one order -------------------------------------------------------------------------
@bp.route("/orders/<int:order_id>", endpoint="order")
def show_order(order_id):
    order = get_or_404(current_user, Order, order_id)
    payments = db.session.execute(select(Payment).where(
        Payment.order_id == order.id, visible(current_user, Payment))
        .options(selectinload(Payment.salesperson))
        .order_by(Payment.received_on, Payment.id)).scalars().all()
    recorder = db.session.execute(select(User.display_name).where(
        User.id == order.recorded_by, visible(current_user, User))).scalar() \
        if order.recorded_by else None
    partner = db.session.get(Partner, order.partner_id) if current_user.is_principal else None
    return render_template("results/orders/detail.html", order=order, payments=payments,
                           recorder=recorder, partner=partner,
                           linked=linked_customers(current_user, [order.customer_id]))


# --- recording an order ------------------------------------------------------------------
def show_entry_error(form, error: DomainError) -> None:
    """A service's refusal under its field; the hidden entry id's above the form, with a
    fresh id when the old one was used for another entry (the form was sent before)."""
    if error.field == "client_id":
        form.form_errors.append(error.message)
        if error.status == 409:
            form.client_id.data = new_client_id()
            form.form_errors.append(_("An entry was already saved from this form. Check "
                                      "the list first: saving again now records another "
                                      "one."))
        return
    show_error(form, error)


def start_form(form) -> None:
    """A form rendered afresh: its own entry id, dated today."""
    form.client_id.data = new_client_id()
    form[form.day_field].data = today()


def save_entry(form, record, messages: tuple, target):
    """A posted entry form through the service `record`: (a redirect to `target(entry)`,
    None) once stored, with `messages` (stored now, stored before); else (None, the
    status to show the form again with), the refusal under its field, nothing kept."""
    if not form.is_submitted():
        return None, 200
    if not form.validate():
        return None, 400
    try:
        recorded = record(current_user, form.values())
    except DomainError as error:
        db.session.rollback()
        show_entry_error(form, error)
        return None, error.status
    db.session.commit()
    flash(messages[0] if recorded.created else messages[1], "success")
    return redirect(target(recorded.entry)), None


def search_text() -> str:
    return (request.args.get("q") or "").strip()[:60]


@bp.route("/orders/new", methods=["GET", "POST"], endpoint="new_order")
def new_order():
    require("results.record")
    form = OrderForm()
    people = recorders(current_user)
    salesperson_choices(form, people)
    preset = pickable_customer(current_user, number_arg("customer_id"))
    if not form.is_submitted():
        start_form(form)
        if preset is not None:
            form.customer_id.data = str(preset.id)
        if "salesperson_id" in form:
            leads = {p.id for p in people}
            owner = preset.owner_id if preset is not None else None
            form.salesperson_id.data = str(owner if owner in leads else current_user.id)
    saved, status = save_entry(form, entries.record_order, (
        _("Order saved."), _("This order was already saved.")),
        lambda order: url_for("results.order", order_id=order.id))
    if saved is not None:
        return saved
    found, more = customer_choices(current_user, search_text(), also=chosen_id(form))
    form.customer_id.choices = choices(found, blank=_("Choose a customer"))
    return render_template("results/orders/form.html", form=form, q=search_text(),
                           more=more, lines=product_lines(current_user),
                           today=today()), status


# --- the imports (orders here, payments in payment_routes) -----------------------------
def import_page(kind: result_import.Kind, template: str, done: str):
    """The upload form of `kind`, the file checked and stored all or nothing, then the
    list `done` with how many rows went in and how many were there already."""
    partner = db.session.get(Partner, current_user.partner_id)
    form = ImportForm()
    max_rows, max_bytes = limits()
    upload, status = None, 200
    if form.is_submitted():
        status = 400
        if form.validate():
            # Read one byte past the limit: enough to know the file is too large.
            upload = result_import.read_file(form.file.data.read(max_bytes + 1), kind,
                                             partner, current_user)
            if upload.ok:
                result_import.record(current_user, partner, upload)
                if upload.ok:
                    db.session.commit()
                    flash(_("%(num)d rows imported, %(already)d already there.",
                            num=upload.created, already=upload.already), "success")
                    return redirect(url_for(done))
            db.session.rollback()
    return render_template(template, form=form, upload=upload, header=kind.template,
                           max_rows=max_rows, max_kb=max_bytes // 1024), status


def template_download(kind: result_import.Kind) -> Response:
    return Response(result_import.template_csv(kind), mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={kind.name}-template.csv"})


@bp.route("/orders/import", methods=["GET", "POST"], endpoint="import_orders")
def import_orders():
    require("results.import")
    return import_page(result_import.ORDERS, "results/orders/import.html", "results.orders")


@bp.route("/orders/import/template.csv", endpoint="order_import_template")
def order_import_template():
    require("results.import")
    return template_download(result_import.ORDERS)
