"""The customer book pages (/habits/customers): the list with its search, filters and CSV
export; one customer with its class history and visits; adding and editing one, with
"did you mean…?" before a look-alike is created; and the CSV import of many at once.

Every handler follows one pipeline: a named rule or `get_or_404`, parse, call the
service (`portal.habits.customers`), commit once, redirect with a message. What a list
holds is the Customer scope (`visible`), and what it shows of visits and flags the
scopes of those."""
from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, selectinload

from portal.auth.models import User
from portal.core.access import can_view, get_or_404, require, visible
from portal.core.clock import now
from portal.core.csv_export import csv_response
from portal.core.errors import DomainError
from portal.core.forms import choices, show_error
from portal.core.pages import paginate
from portal.extensions import db
from portal.habits import customer_import, customers, labels
from portal.habits.customer_forms import (BookFilters, CustomerForm, CustomerImportForm,
                                          salespeople, territory_towns, town_choices)
from portal.habits.models import CLASSES, Customer, CustomerClassChange, Visit, VisitFlag
from portal.habits.routes import bp
from portal.org.importer import limits
from portal.org.models import Partner, Region

# The export holds at most this many customers (the page says so).
EXPORT_LIMIT = 50_000
# Why a customer's class changed (CustomerClassChange.reason).
CLASS_REASONS = {"created": _l("added"), "edited": _l("edited"),
                 "first_order": _l("its first order"), "import": _l("imported")}


# --- the list and its export ---------------------------------------------------------
def _partner_options() -> list[tuple[int, str]] | None:
    """The partners whose books a principal reads (None for a partner's own people)."""
    if not current_user.is_principal:
        return None
    return db.session.execute(select(Partner.id, Partner.name).where(
        visible(current_user, Partner)).order_by(Partner.name_key)).all()


def _filters(partners) -> BookFilters:
    filters = BookFilters.from_args(request.args)
    if partners is None or filters.partner_id not in {pid for pid, _name in partners}:
        filters.partner_id = None  # a partner's own people read their own book only
    return filters


def _book(filters: BookFilters, *columns):
    """SQL: the customers the user may see that the filters select, by pinyin name."""
    query = select(*(columns or (Customer,))).where(visible(current_user, Customer))
    if filters.partner_id is not None:
        query = query.where(Customer.partner_id == filters.partner_id)
    if filters.q:
        text = filters.q
        found = [Customer.name.icontains(text, autoescape=True),
                 Customer.uscc.contains(text.upper(), autoescape=True),
                 Customer.contact_name.icontains(text, autoescape=True),
                 Customer.contact_phone.contains(text, autoescape=True)]
        if customers.normalise_name(text):
            found.append(Customer.name_norm.contains(customers.normalise_name(text),
                                                     autoescape=True))
        query = query.where(or_(*found))
    if filters.klass:
        query = query.where(Customer.klass == filters.klass)
    if filters.town:
        query = query.where(Customer.town_code == filters.town)
    if filters.owner_id is not None:
        query = query.where(Customer.owner_id == filters.owner_id)
    return query.order_by(Customer.name_key, Customer.id)


def _last_visits(customer_ids: list[int]) -> dict[int, object]:
    """The business day of each customer's latest visit the user may see: one grouped
    query over the page's customers."""
    if not customer_ids:
        return {}
    return dict(db.session.execute(
        select(Visit.customer_id, func.max(Visit.day))
        .where(Visit.customer_id.in_(customer_ids), visible(current_user, Visit))
        .group_by(Visit.customer_id)).all())


@bp.route("/customers/", endpoint="customers")
def book():
    require("habits.customers")
    partners = _partner_options()
    filters = _filters(partners)
    partner_id = filters.partner_id if partners is not None else current_user.partner_id
    page = paginate(_book(filters).options(selectinload(Customer.town),
                                           selectinload(Customer.owner),
                                           selectinload(Customer.partner)))
    towns = territory_towns(partner_id) if partner_id is not None else []
    people = salespeople(current_user, partner_id) if partner_id is not None else []
    return render_template(
        "habits/customers/index.html", page=page, filters=filters, partners=partners,
        towns=towns, people=people, classes=CLASSES, labels=labels,
        last_visits=_last_visits([c.id for c in page.items]), export_limit=EXPORT_LIMIT)


@bp.route("/customers/export.csv", endpoint="export_customers")
def export_customers():
    require("habits.customers")
    partners = _partner_options()
    filters = _filters(partners)
    # Aliases: the scopes' own subqueries over users and regions must not correlate.
    owner, town = aliased(User), aliased(Region)
    last_visit = (select(func.max(Visit.day))
                  .where(Visit.customer_id == Customer.id, visible(current_user, Visit))
                  .correlate(Customer).scalar_subquery())
    query = (_book(filters, Customer.name, Customer.uscc, town.name, Customer.town_code,
                   Customer.address, Customer.contact_name, Customer.contact_phone,
                   Customer.klass, owner.display_name, owner.username, last_visit,
                   Customer.partner_id)
             .outerjoin(town, town.code == Customer.town_code)
             .outerjoin(owner, owner.id == Customer.owner_id).limit(EXPORT_LIMIT))
    header = [_("Name"), _("Unified social credit code"), _("Town"), _("Town code"),
              _("Address"), _("Contact"), _("Phone"), _("Class"), _("Salesperson"),
              _("Salesperson's username"), _("Last visit")]
    partner_names = dict(partners) if partners is not None else None
    if partner_names is not None:
        header.append(_("Partner"))

    def rows():
        for *values, klass, owner_name, username, last, partner_id in db.session.execute(query):
            row = [*values, labels.CLASS_LABELS.get(klass, klass), owner_name, username,
                   last.isoformat() if last else ""]
            yield row + ([partner_names.get(partner_id, "")] if partner_names is not None
                         else [])
    return csv_response(f"customers-{now().date():%Y%m%d}.csv", header, rows())


# --- one customer ----------------------------------------------------------------------
@bp.route("/customers/<int:customer_id>", endpoint="customer")
def show_customer(customer_id):
    customer = get_or_404(current_user, Customer, customer_id)
    history = db.session.execute(select(CustomerClassChange).where(
        CustomerClassChange.customer_id == customer.id)
        .order_by(CustomerClassChange.changed_at, CustomerClassChange.id)).scalars().all()
    changers = {change.changed_by for change in history if change.changed_by}
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_(changers), visible(current_user, User))).all()) if changers else {}
    visits = paginate(select(Visit).where(Visit.customer_id == customer.id,
                                          visible(current_user, Visit))
                      .options(selectinload(Visit.user))
                      .order_by(Visit.visited_at.desc(), Visit.id.desc()))
    flags: dict[int, list[str]] = {}
    if visits.items:
        for visit_id, reason in db.session.execute(select(VisitFlag.visit_id, VisitFlag.reason)
                                                   .where(VisitFlag.visit_id.in_(
                                                       [v.id for v in visits.items]),
                                                       visible(current_user, VisitFlag))
                                                   .order_by(VisitFlag.id)):
            flags.setdefault(visit_id, []).append(reason)
    return render_template("habits/customers/detail.html", customer=customer,
                           history=history, names=names, visits=visits, flags=flags,
                           labels=labels, class_reasons=CLASS_REASONS)


def _customer_form(partner_id: int, customer: Customer | None):
    """The add / edit page: the partner's towns, the salespeople the user may pick, and
    on a look-alike the "did you mean…?" question (answered by `confirm_duplicate`)."""
    form = CustomerForm(obj=customer)
    form.town_code.choices = town_choices(partner_id, customer.town_code if customer else None)
    people = salespeople(current_user, partner_id)
    form.owner_id.choices = choices((str(p.id), p.display_name) for p in people)
    pickable = {str(p.id) for p in people}
    if not form.is_submitted():
        current = str(customer.owner_id) if customer and customer.owner_id else None
        form.owner_id.data = current if current in pickable else str(current_user.id)
    matches, status = None, 200
    if form.is_submitted():
        status = 400
        if form.validate():
            if form.owner_id.data not in pickable:
                form.owner_id.errors.append(_("Choose a salesperson from the list."))
            else:
                try:
                    if customer is None:
                        saved = customers.create_customer(
                            current_user, partner_id, form.values(),
                            confirm_duplicate=form.confirm_duplicate.data)
                    else:
                        saved = customers.update_customer(
                            current_user, customer, form.values(),
                            confirm_duplicate=form.confirm_duplicate.data)
                except customers.Duplicate as asked:
                    matches = [(m, can_view(current_user, m)) for m in asked.matches]
                    status = asked.status
                except DomainError as error:
                    show_error(form, error)
                    status = error.status
                else:
                    db.session.commit()
                    flash(_("Customer %(name)s saved.", name=saved.name), "success")
                    return redirect(url_for("habits.customer", customer_id=saved.id))
                db.session.rollback()
    return render_template("habits/customers/form.html", form=form, customer=customer,
                           matches=matches, labels=labels), status


@bp.route("/customers/new", methods=["GET", "POST"], endpoint="new_customer")
def new_customer():
    require("habits.log")
    return _customer_form(current_user.partner_id, None)


@bp.route("/customers/<int:customer_id>/edit", methods=["GET", "POST"],
          endpoint="edit_customer")
def edit_customer(customer_id):
    customer = get_or_404(current_user, Customer, customer_id, change=True)
    return _customer_form(customer.partner_id, customer)


# --- the import ------------------------------------------------------------------------
@bp.route("/customers/import", methods=["GET", "POST"], endpoint="import_customers")
def import_customers():
    require("habits.import")
    partner = db.session.get(Partner, current_user.partner_id)
    form = CustomerImportForm()
    max_rows, max_bytes = limits()
    upload, status = None, 200
    if form.is_submitted():
        status = 400
        if form.validate():
            # Read one byte past the limit: enough to know the file is too large.
            upload = customer_import.read_file(form.file.data.read(max_bytes + 1), partner,
                                               current_user)
            if upload.ok:
                created = customer_import.create_customers(current_user, partner, upload)
                if upload.ok:
                    db.session.commit()
                    flash(_("%(num)d customers imported.", num=len(created)), "success")
                    return redirect(url_for("habits.customers"))
            db.session.rollback()
    return render_template("habits/customers/import.html", form=form, upload=upload,
                           header=customer_import.TEMPLATE_HEADER, max_rows=max_rows,
                           max_kb=max_bytes // 1024), status


@bp.route("/customers/import/template.csv", endpoint="customer_import_template")
def customer_import_template():
    require("habits.import")
    return Response(customer_import.template_csv(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=customers-template.csv"})
