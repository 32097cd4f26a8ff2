"""Pages of broadcasts for their readers: the inbox, reading and acknowledging, the
version history and attachment downloads. The principal's pages (list, compose, reach,
fidelity) live in `compose_routes` and `reach_routes` on the same blueprint.

Every handler follows the shared pipeline: load and check access (`get_or_404`), call a
service, commit once."""
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.broadcasts import attachments, services
from portal.broadcasts.labels import CATEGORY_LABELS, STATUS_LABELS
from portal.broadcasts.models import CATEGORIES, Attachment, Broadcast, Receipt
from portal.broadcasts.policies import may_supersede
from portal.core.access import get_or_404, may
from portal.core.clock import now
from portal.core.database import write_during_get
from portal.core.errors import DomainError
from portal.core.pages import Page, require_login
from portal.core.text import human_seconds
from portal.extensions import db
from portal.notify import services as notices

bp = Blueprint("broadcasts", __name__, url_prefix="/broadcasts")


require_login(bp)


@bp.app_context_processor
def _template_helpers():
    return {"broadcast_counts": _counts_for_page, "broadcast_category": CATEGORY_LABELS.get,
            "broadcast_status": broadcast_status, "human_seconds": human_seconds}


def _counts_for_page() -> tuple[int, int]:
    """(unread, to acknowledge) for the navigation bar: partner people only, counted at
    most once per request."""
    if not may(current_user, "broadcasts.inbox"):
        return 0, 0
    if "broadcast_counts" not in g:
        g.broadcast_counts = services.inbox_counts(current_user)
    return g.broadcast_counts


def broadcast_status(broadcast: Broadcast) -> str:
    """Draft, scheduled, published or superseded, as a translated label."""
    if broadcast.publish_at is None:
        code = "draft"
    elif broadcast.publish_at > now():
        code = "scheduled"
    elif broadcast.superseded_by_id is not None and \
            db.session.get(Broadcast, broadcast.superseded_by_id).is_published:
        code = "superseded"
    else:
        code = "published"
    return str(STATUS_LABELS[code])


@bp.route("/inbox")
def inbox():
    args = request.args
    unread, unacked = args.get("unread") == "1", args.get("unacked") == "1"
    category = args.get("category") if args.get("category") in CATEGORIES else None
    page = Page(services.inbox_query(current_user, unread=unread, unacked=unacked,
                                     category=category), rows=True)
    return render_template("broadcasts/inbox.html", page=page, unread=unread, unacked=unacked,
                           category=category, categories=CATEGORIES,
                           counts=_counts_for_page() if may(current_user, "broadcasts.inbox")
                           else services.inbox_counts(current_user))


def _reading_page(broadcast: Broadcast, receipt: Receipt | None, status: int = 200,
                  answer_error=None, answers=None):
    current = services.current_version(broadcast)
    acked_before = None
    if receipt is not None and receipt.acked_at is None and broadcast.version > 1:
        acked_before = services.acked_version(current_user, broadcast)
    return render_template(
        "broadcasts/read.html", broadcast=broadcast, receipt=receipt, current=current,
        acked_before=acked_before, answer_error=answer_error, answers=answers or {},
        may_reach=may(current_user, "broadcasts.reach"),
        overdue=broadcast.ack_deadline is not None and broadcast.ack_deadline <= now(),
        may_supersede=(may_supersede(current_user, broadcast) and broadcast.is_published
                       and current.id == broadcast.id)), status


@bp.route("/<int:broadcast_id>")
def read(broadcast_id):
    """Reading records the first opening for a recipient."""
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    receipt = services.receipt_for(current_user, broadcast)
    if receipt is not None and receipt.opened_at is None and broadcast.is_published:
        write_during_get(lambda: services.open_broadcast(current_user, broadcast))
        receipt = services.receipt_for(current_user, broadcast)
    if notices.unread_linking(current_user, request.path):
        write_during_get(lambda: notices.mark_read_linking(current_user, request.path))
    return _reading_page(broadcast, receipt)


def _answers(broadcast: Broadcast) -> list[int | None]:
    chosen = []
    for question in broadcast.questions:
        value = request.form.get(f"answer-{question.position}", "")
        chosen.append(int(value) if value.isdigit() and len(value) < 3 else None)
    return chosen


@bp.route("/<int:broadcast_id>/ack", methods=["POST"])
def ack(broadcast_id):
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    receipt = services.receipt_for(current_user, broadcast)
    if receipt is None:
        abort(403)  # an owner may read what reached its people, but not sign for them
    answers = _answers(broadcast)
    try:
        services.acknowledge(current_user, broadcast, answers)
    except DomainError as error:
        if error.field != "answers":
            flash(error.message, "error")
            return redirect(url_for("broadcasts.read", broadcast_id=broadcast.id))
        db.session.commit()  # the failed check is counted
        given = {q.position: a for q, a in zip(broadcast.questions, answers)}
        return _reading_page(broadcast, services.receipt_for(current_user, broadcast), 400,
                             answer_error=error.message, answers=given)
    db.session.commit()
    flash(_("Acknowledged. Thank you."), "success")
    return redirect(url_for("broadcasts.read", broadcast_id=broadcast.id))


@bp.route("/<int:broadcast_id>/history")
def history(broadcast_id):
    """Every version of the series that the user may see, newest first."""
    broadcast = get_or_404(current_user, Broadcast, broadcast_id)
    versions, receipts = services.history(current_user, broadcast)
    return render_template("broadcasts/history.html", broadcast=broadcast, versions=versions,
                           receipts=receipts, current=services.current_version(broadcast))


@bp.route("/attachments/<int:attachment_id>")
def attachment(attachment_id):
    """Always a download, in its stored type, never sniffed or run by the browser."""
    return attachments.download(get_or_404(current_user, Attachment, attachment_id))


from portal.broadcasts import compose_routes, reach_routes  # noqa: E402,F401
