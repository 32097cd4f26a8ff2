"""The principal's pages: the list of broadcasts, composing (with a preview of text and
audience), editing before publication and superseding with a new version."""
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.broadcasts import reach, services
from portal.broadcasts.forms import BroadcastForm
from portal.broadcasts.labels import STATUS_LABELS
from portal.broadcasts.models import CATEGORIES, Broadcast
from portal.broadcasts.policies import may_supersede
from portal.broadcasts.routes import bp
from portal.core.access import figures_of, get_or_404, require
from portal.core.clock import now
from portal.core.errors import DomainError
from portal.core.forms import show_error, to_local, to_utc
from portal.core.markdown import render_markdown
from portal.core.pages import MAX_ID, Page
from portal.extensions import db
from portal.org.audience import addressed_by, confirmation, normalise_spec
from portal.org.audience_forms import fill_audience_choices


@bp.route("/")
def index():
    require("broadcasts.list")
    args = request.args
    text = (args.get("q") or "").replace("\x00", "").strip()[:100]
    category = args.get("category") if args.get("category") in CATEGORIES else None
    status = args.get("status") if args.get("status") in STATUS_LABELS else None
    page = Page(services.list_query(current_user, text=text, category=category, status=status))
    successors = [b.superseded_by_id for b in page.items if b.superseded_by_id]
    if successors:  # loaded once so each row's status needs no query of its own
        db.session.execute(select(Broadcast).where(Broadcast.id.in_(successors))).all()
    figures = reach.totals([b.id for b in page.items],
                           partner_ids=figures_of(current_user).partner_ids)
    return render_template("broadcasts/index.html", page=page, figures=figures, q=text,
                           category=category, status=status, categories=CATEGORIES,
                           statuses=STATUS_LABELS)


def _fill_choices(form: BroadcastForm, source: Broadcast | None) -> None:
    """The audience pickers, and the files of `source` that a new version may keep."""
    fill_audience_choices(form, current_user)
    if "keep_attachments" in form:
        form.keep_attachments.choices = [(a.id, a.filename) for a in source.attachments]


def _audience(form: BroadcastForm, source: Broadcast | None) -> dict:
    """The audience the form asks for, bounded by the current user (raises DomainError)."""
    return addressed_by(current_user, normalise_spec(form.audience()),
                        source.audience if source is not None else None)


def _confirm_text(code: str) -> str:
    people, partners = (int(n) for n in code.split(":"))
    return _("Send to %(people)d people in %(partners)d partners?", people=people,
             partners=partners)


def _unconfirmed(mode: str, source: Broadcast | None, fields: dict, keep) -> str | None:
    """Publishing (now or later) asks first with the exact count: once everything else
    holds (raises DomainError otherwise), the count to confirm when the form's `confirm`
    does not match the audience as it stands, else None."""
    values = services.check(current_user, fields, source=None if mode == "new" else source,
                            keep_attachments=keep, superseding=mode == "supersede")
    code = confirmation(values["audience"])
    return None if request.form.get("confirm") == code else code


def _preview(form: BroadcastForm, source: Broadcast | None) -> dict | None:
    """The rendered text and who would receive it, counted per partner and role;
    partners the user does not manage are counted together without their names."""
    try:
        spec = _audience(form, source)
    except DomainError as error:
        show_error(form, error)
        return None
    body = form.body_md.data if not form.body_md.errors and isinstance(form.body_md.data, str) \
        else ""
    return {**reach.audience_preview(current_user, spec),
            "html": render_markdown(body.replace("\x00", ""))}


def _uploads() -> list[tuple[str, bytes]]:
    return [(f.filename, f.read()) for f in request.files.getlist("attachments")
            if f and f.filename]


def _fields(form: BroadcastForm, draft: bool) -> dict:
    return {"title": form.title.data, "body_md": form.body_md.data or "",
            "category": form.category.data, "audience": form.audience(),
            "requires_ack": form.requires_ack.data,
            "ack_deadline": to_utc(form.ack_deadline.data),
            "questions": form.question_values(), "attachments": _uploads(),
            "publish_at": None if draft else (to_utc(form.publish_at.data) or now())}


def _save(mode: str, broadcast: Broadcast | None, fields: dict, keep) -> Broadcast:
    if mode == "new":
        return services.create_broadcast(current_user, **fields)
    if mode == "edit":
        return services.update_broadcast(broadcast, current_user, keep_attachments=keep,
                                         **fields)
    return services.supersede(broadcast, current_user, keep_attachments=keep, **fields)


def _compose(mode: str, broadcast: Broadcast | None = None):
    form = BroadcastForm()
    if mode == "new":
        del form.keep_attachments
    if request.method == "GET" and broadcast is not None:
        form.fill(broadcast)
        if mode == "edit":
            form.publish_at.data = to_local(broadcast.publish_at)
    _fill_choices(form, broadcast)
    shown, status, ask = None, 200, None
    if request.method == "POST":
        action = request.form.get("action")
        publishing = action != "draft" or mode == "supersede"
        if action == "preview":
            shown = _preview(form, broadcast)
            status = 400 if shown is None else 200
        elif not form.validate():
            status = 400
        else:
            fields = _fields(form, draft=not publishing)
            keep = (form.keep_attachments.data or []) if "keep_attachments" in form else []
            try:
                ask = _unconfirmed(mode, broadcast, fields, keep) if publishing else None
                if ask is None:
                    saved = _save(mode, broadcast, fields, keep)
                    db.session.commit()
                    return _after_save(saved)
            except DomainError as error:
                db.session.rollback()
                show_error(form, error)
                status = 400
            else:
                shown = _preview(form, broadcast)
    return render_template("broadcasts/compose.html", form=form, mode=mode,
                           broadcast=broadcast, preview=shown, ask=ask,
                           ask_text=_confirm_text(ask) if ask else None,
                           files_again=bool(ask and _uploads())), status


@bp.route("/audience-count", methods=["POST"])
def audience_count():
    """What publishing the form as it stands would ask to confirm (for the page's
    script, so attached files need not be chosen again)."""
    require("broadcasts.compose")
    source_id = request.form.get("source", "")
    source = get_or_404(current_user, Broadcast, int(source_id)) \
        if source_id.isascii() and source_id.isdigit() and int(source_id) <= MAX_ID else None
    form = BroadcastForm()
    fill_audience_choices(form, current_user)
    try:
        code = confirmation(_audience(form, source))
    except DomainError as error:
        return jsonify(errors={"audience": [str(error.message)]}), 400
    return jsonify(confirm=code, message=_confirm_text(code))


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
    require("broadcasts.compose")
    return _compose("new")


@bp.route("/<int:broadcast_id>/edit", methods=["GET", "POST"])
def edit(broadcast_id):
    """A draft or a scheduled broadcast, until it is published."""
    return _compose("edit", get_or_404(current_user, Broadcast, broadcast_id, change=True))


@bp.route("/<int:broadcast_id>/supersede", methods=["GET", "POST"])
def supersede(broadcast_id):
    """A new version of a published broadcast, filled in with the current text."""
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    if not may_supersede(current_user, broadcast):
        abort(403)
    if not broadcast.is_published or services.current_version(broadcast).id != broadcast.id \
            or broadcast.superseded_by_id is not None:
        abort(409)
    return _compose("supersede", broadcast)

