"""The principal's pages: the list of broadcasts, composing (with a preview of text and
audience), editing before publication and superseding with a new version."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import false, func, or_, select

from portal.broadcasts import reach, services
from portal.org.audience import normalise_spec, preview
from portal.core.errors import DomainError
from portal.broadcasts.forms import BroadcastForm, to_local, to_utc
from portal.broadcasts.labels import STATUS_LABELS
from portal.broadcasts.models import CATEGORIES, Broadcast
from portal.org.audience import AUDIENCE_ROLES
from portal.broadcasts.policies import COMPOSER_ROLES, assigned_partner_ids
from portal.broadcasts.routes import Page, bp
from portal.core.pages import require_role
from portal.core.access import get_or_404, visible
from portal.core.clock import now
from portal.extensions import db
from portal.org import regions
from portal.org.models import Partner, Region

PRINCIPAL_ROLES = ("admin", "auditor", "channel_manager")


def _status_filter(query, status: str | None):
    at = now()
    if status == "draft":
        return query.where(Broadcast.publish_at.is_(None))
    if status == "scheduled":
        return query.where(Broadcast.publish_at > at)
    if status == "published":
        return query.where(Broadcast.publish_at <= at, services.is_current(at))
    if status == "superseded":
        return query.where(Broadcast.publish_at <= at, ~services.is_current(at))
    return query


@bp.route("/")
def index():
    require_role(*PRINCIPAL_ROLES)
    args = request.args
    query = select(Broadcast).where(visible(current_user, Broadcast))
    text = (args.get("q") or "").replace("\x00", "").strip()[:100]
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(Broadcast.title.ilike(pattern, escape="\\"))
    category = args.get("category") if args.get("category") in CATEGORIES else None
    if category:
        query = query.where(Broadcast.category == category)
    status = args.get("status") if args.get("status") in STATUS_LABELS else None
    query = _status_filter(query, status).order_by(
        func.coalesce(Broadcast.publish_at, Broadcast.created_at).desc(), Broadcast.id.desc())
    page = Page(query)
    successors = [b.superseded_by_id for b in page.items if b.superseded_by_id]
    if successors:  # loaded once so each row's status needs no query of its own
        db.session.execute(select(Broadcast).where(Broadcast.id.in_(successors))).all()
    limited = current_user.role == "channel_manager"
    figures = reach.totals([b.id for b in page.items],
                           partner_ids=assigned_partner_ids(current_user) if limited else None,
                           author_id=current_user.id if limited else None)
    return render_template("broadcasts/index.html", page=page, figures=figures, q=text,
                           category=category, status=status, categories=CATEGORIES,
                           statuses=STATUS_LABELS, may_compose=current_user.role in COMPOSER_ROLES)


def fill_audience_choices(form, source: Broadcast | None = None) -> None:
    """Fill the audience pickers of `form` (a broadcast's, or any form with the same
    audience fields, as the exam form has) with what the current user may pick."""
    provinces = [(r.code, r.name) for r in regions.children(db.session, None)]
    form.provinces.choices = provinces
    form.city_province.choices = [("", "—")] + provinces
    picked = [c for c in (form.cities.data or []) if isinstance(c, str) and c.isdigit()
              and len(c) == 4]
    parent = form.city_province.data if form.city_province.data in dict(provinces) else None
    cities = db.session.execute(select(Region.code, Region.name).where(
        Region.level == "city",
        or_(Region.code.in_(picked), Region.parent_code == parent if parent else false()))
        .order_by(Region.code)).all()
    form.cities.choices = [(code, name) for code, name in cities]
    partners = db.session.execute(select(Partner.id, Partner.name).where(
        visible(current_user, Partner), Partner.status == "active").order_by(Partner.name)).all()
    shown = {pid for pid, _name in partners}
    # A partner named in an earlier version but outside this user's partners keeps its
    # place without showing its name.
    hidden = [pid for pid in (form.partner_ids.data or []) if isinstance(pid, int)
              and pid not in shown]
    form.partner_ids.choices = [(pid, name) for pid, name in partners] + [
        (pid, _("Partner #%(id)d", id=pid)) for pid in hidden]
    if "keep_attachments" in form:
        form.keep_attachments.choices = [(a.id, a.filename) for a in source.attachments]


def _show_error(form: BroadcastForm, error: DomainError) -> None:
    if error.field in form.group_errors:
        form.group_errors[error.field].append(error.message)
    elif error.field in form._fields:
        form[error.field].errors = list(form[error.field].errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def _preview(form: BroadcastForm) -> dict | None:
    """The rendered text and who would receive it, counted per partner and role;
    partners the user does not manage are counted together without their names."""
    try:
        spec = normalise_spec(form.audience())
    except DomainError as error:
        _show_error(form, error)
        return None
    counts = preview(spec)
    mine = set(db.session.execute(select(Partner.id).where(
        visible(current_user, Partner))).scalars())
    table, others = {}, {role: 0 for role in AUDIENCE_ROLES}
    for row in counts["rows"]:
        if row["partner_id"] in mine:
            line = table.setdefault(row["partner_id"], {"name": row["partner_name"],
                                                        **{r: 0 for r in AUDIENCE_ROLES}})
            line[row["role"]] += row["count"]
        else:
            others[row["role"]] += row["count"]
    body = form.body_md.data if not form.body_md.errors and isinstance(form.body_md.data, str) \
        else ""
    return {"total": counts["total"], "partners": list(table.values()),
            "others": others if any(others.values()) else None,
            "html": services.render_markdown(body.replace("\x00", ""))}


def _uploads() -> list[tuple[str, bytes]]:
    return [(f.filename, f.read()) for f in request.files.getlist("attachments")
            if f and f.filename]


def _save(form: BroadcastForm, mode: str, broadcast: Broadcast | None,
          draft: bool) -> Broadcast | None:
    if not form.validate():
        return None
    fields = {"title": form.title.data, "body_md": form.body_md.data or "",
              "category": form.category.data, "audience": form.audience(),
              "requires_ack": form.requires_ack.data,
              "ack_deadline": to_utc(form.ack_deadline.data),
              "questions": form.question_values(), "attachments": _uploads(),
              "publish_at": None if draft else (to_utc(form.publish_at.data) or now())}
    try:
        if mode == "new":
            return services.create_broadcast(current_user, **fields)
        keep = form.keep_attachments.data or []
        if mode == "edit":
            return services.update_broadcast(broadcast, keep_attachments=keep, **fields)
        return services.supersede(broadcast, current_user, keep_attachments=keep, **fields)
    except DomainError as error:
        _show_error(form, error)
        return None


def _compose(mode: str, broadcast: Broadcast | None = None):
    form = BroadcastForm()
    if mode == "new":
        del form.keep_attachments
    if request.method == "GET" and broadcast is not None:
        form.fill(broadcast)
        if mode == "edit":
            form.publish_at.data = to_local(broadcast.publish_at)
    fill_audience_choices(form, broadcast)
    shown, status = None, 200
    if request.method == "POST":
        action = request.form.get("action")
        if action == "preview":
            shown = _preview(form)
            status = 400 if shown is None else 200
        else:
            saved = _save(form, mode, broadcast, draft=action == "draft" and mode != "supersede")
            if saved is not None:
                db.session.commit()
                return _after_save(saved)
            status = 400
    return render_template("broadcasts/compose.html", form=form, mode=mode,
                           broadcast=broadcast, preview=shown), status


def _after_save(broadcast: Broadcast):
    if broadcast.publish_at is None:
        flash(_("Draft %(title)s saved.", title=broadcast.title), "success")
        return redirect(url_for("broadcasts.edit", broadcast_id=broadcast.id))
    if broadcast.publish_at > now():
        flash(_("%(title)s will be published to %(num)d people.", title=broadcast.title,
                num=broadcast.recipient_count), "success")
    else:
        flash(_("%(title)s is published to %(num)d people.", title=broadcast.title,
                num=broadcast.recipient_count), "success")
    return redirect(url_for("broadcasts.reach", broadcast_id=broadcast.id))


@bp.route("/new", methods=["GET", "POST"])
def new():
    require_role(*COMPOSER_ROLES)
    return _compose("new")


@bp.route("/<int:broadcast_id>/edit", methods=["GET", "POST"])
def edit(broadcast_id):
    """A draft or a scheduled broadcast, until it is published."""
    return _compose("edit", get_or_404(current_user, Broadcast, broadcast_id, change=True))


@bp.route("/<int:broadcast_id>/supersede", methods=["GET", "POST"])
def supersede(broadcast_id):
    """A new version of a published broadcast, filled in with the current text."""
    require_role(*COMPOSER_ROLES)
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    if not broadcast.is_published or services.current_version(broadcast).id != broadcast.id \
            or broadcast.superseded_by_id is not None:
        abort(409)
    return _compose("supersede", broadcast)
