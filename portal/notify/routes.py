"""Pages: the notification centre, channel preferences, a partner's webhooks.

The inbox is personal: every query is filtered by the current user's id, so another
person's notification is a 404 for everyone, admins included. Webhooks follow the shared
pipeline: load and check access (`get_or_404`), validate, call a service, commit once."""
from flask import (Blueprint, abort, flash, g, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal.core.access import get_or_404, require
from portal.core.database import write_during_get
from portal.core.pages import paginate
from portal.core.clock import now
from portal.extensions import db
from portal.notify import services
from portal.notify.forms import ConfirmForm, WebhookForm
from portal.notify.labels import (CATEGORY_LABELS, CHANNEL_LABELS, DELIVERY_STATUS_LABELS,
                                  KIND_LABELS)
from portal.notify.models import (ALWAYS_IN_APP, CATEGORIES, CHANNELS, Delivery,
                                  Notification, Webhook)
from portal.notify.policies import may_manage_webhooks, may_view_webhooks
from portal.notify.sending import attempt
from portal.org.models import Partner

bp = Blueprint("notify", __name__)


@bp.app_context_processor
def _template_helpers():
    return {"notify_unread": _unread_for_page, "category_label": CATEGORY_LABELS.get,
            "channel_label": CHANNEL_LABELS.get, "kind_label": KIND_LABELS.get,
            "delivery_status_label": DELIVERY_STATUS_LABELS.get}


def _unread_for_page() -> int:
    """The bell's count, computed at most once per request and only when a page shows it."""
    if not current_user.is_authenticated:
        return 0
    if "notify_unread" not in g:
        g.notify_unread = services.unread_count(current_user)
    return g.notify_unread


@bp.route("/notifications")
@login_required
def centre():
    unread = request.args.get("unread") == "1"
    category = request.args.get("category") if request.args.get("category") in CATEGORIES \
        else None
    page = paginate(services.inbox_query(current_user, unread=unread, category=category))
    return render_template("notify/centre.html", page=page, unread=unread, category=category,
                           categories=CATEGORIES, form=ConfirmForm())


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_notification(notification_id):
    """Opening a notification marks it read, then follows its link when it has one."""
    note = db.session.execute(select(Notification).where(
        Notification.id == notification_id, Notification.user_id == current_user.id)
    ).scalar_one_or_none()
    if note is None:
        abort(404)
    link, unread = note.link, note.read_at is None
    if unread:
        write_during_get(lambda: services.mark_read(current_user, [notification_id]))
    if services.is_local_path(link):
        return redirect(link)
    return redirect(url_for("notify.centre"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    count = services.mark_read(current_user, "all")
    db.session.commit()
    flash(_("Notifications marked read: %(num)d.", num=count), "success")
    return redirect(url_for("notify.centre"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = ConfirmForm()
    email_ready = services.email_configured()
    # Only partner people have a chat group; e-mail is greyed out until SMTP is set up.
    channels = [ch for ch in CHANNELS if ch != "webhook" or current_user.partner_id]
    if form.validate_on_submit():
        editable = [ch for ch in channels if ch != "email" or email_ready]
        chosen = {(c, ch) for c in CATEGORIES for ch in editable
                  if request.form.get(f"{c}-{ch}")}
        services.save_preferences(current_user, chosen, editable)
        db.session.commit()
        flash(_("Your notification preferences are saved."), "success")
        return redirect(url_for("notify.preferences"))
    if request.method == "POST":
        abort(400)
    return render_template("notify/preferences.html", form=form, categories=CATEGORIES,
                           channels=channels, chosen=services.preferences(current_user),
                           always_in_app=ALWAYS_IN_APP, email_ready=email_ready)


def _webhook_partner(partner_id: int, *, manage: bool) -> Partner:
    """The partner whose webhooks the user may see (or manage): 404 for a foreign
    partner, 403 for people of the partner who do not run its webhooks."""
    partner = get_or_404(current_user, Partner, partner_id)
    allowed = may_manage_webhooks if manage else may_view_webhooks
    if not allowed(current_user, partner):
        abort(403)
    return partner


@bp.route("/partners/<int:partner_id>/webhooks")
@login_required
def webhooks(partner_id):
    partner = _webhook_partner(partner_id, manage=False)
    hooks = db.session.execute(select(Webhook).where(Webhook.partner_id == partner.id)
                               .order_by(Webhook.active.desc(), Webhook.name)).scalars().all()
    log = paginate(select(Delivery).join(Webhook, Webhook.id == Delivery.webhook_id)
                    .where(Webhook.partner_id == partner.id)
                    .order_by(Delivery.created_at.desc(), Delivery.id.desc()))
    return render_template("notify/webhooks.html", partner=partner, hooks=hooks, log=log,
                           may_manage=may_manage_webhooks(current_user, partner),
                           form=ConfirmForm())


def _save_webhook(partner: Partner, webhook: Webhook | None):
    form = WebhookForm(obj=webhook)
    if request.method == "GET" and webhook is not None:
        form.categories.data = webhook.category_list
    if form.validate_on_submit():
        services.save_webhook(webhook, partner, current_user, name=form.name.data,
                              kind=form.kind.data, url=form.url.data,
                              categories=form.categories.data, secret=form.secret.data,
                              clear_secret=form.clear_secret.data)
        db.session.commit()
        flash(_("Webhook %(name)s saved.", name=form.name.data), "success")
        return redirect(url_for("notify.webhooks", partner_id=partner.id))
    status = 400 if request.method == "POST" else 200
    return render_template("notify/webhook_form.html", form=form, partner=partner,
                           webhook=webhook), status


@bp.route("/partners/<int:partner_id>/webhooks/new", methods=["GET", "POST"])
@login_required
def new_webhook(partner_id):
    return _save_webhook(_webhook_partner(partner_id, manage=True), None)


@bp.route("/webhooks/<int:webhook_id>/edit", methods=["GET", "POST"])
@login_required
def edit_webhook(webhook_id):
    webhook = get_or_404(current_user, Webhook, webhook_id, change=True)
    return _save_webhook(webhook.partner, webhook)


@bp.route("/webhooks/<int:webhook_id>/<any(deactivate, reactivate):action>",
          methods=["POST"])
@login_required
def webhook_active(webhook_id, action):
    webhook = get_or_404(current_user, Webhook, webhook_id, change=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_webhook_active(webhook, action == "reactivate")
    db.session.commit()
    if webhook.active:
        flash(_("Webhook %(name)s is active again.", name=webhook.name), "success")
    else:
        flash(_("Webhook %(name)s is deactivated.", name=webhook.name), "success")
    return redirect(url_for("notify.webhooks", partner_id=webhook.partner_id))


@bp.route("/webhooks/<int:webhook_id>/test", methods=["POST"])
@login_required
def test_webhook(webhook_id):
    """Send a test message now and say how it went; it stays in the delivery log."""
    webhook = get_or_404(current_user, Webhook, webhook_id, change=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not webhook.active:
        abort(409)
    partner_id, name = webhook.partner_id, webhook.name
    delivery = services.queue_test_message(
        webhook, _("Test message from the partner portal"),
        _("If you can read this, %(name)s is set up correctly.", name=name))
    delivery_id = delivery.id
    db.session.commit()
    # A failed test is not retried: the next test goes to whatever address is fixed.
    status = attempt(delivery_id, now(), retry=False)
    delivery = db.session.get(Delivery, delivery_id)
    if status == "sent":
        flash(_("The test message to %(name)s was delivered.", name=name), "success")
    else:
        flash(_("The test message to %(name)s failed: %(error)s",
                name=name, error=delivery.last_error or "?"), "error")
    return redirect(url_for("notify.webhooks", partner_id=partner_id))


@bp.route("/notifications/deliveries")
@login_required
def deliveries():
    """Every e-mail and group message of the portal, for the principal's admin and
    auditors: what went out, what is waiting, what failed."""
    require("notify.deliveries")
    query = select(Delivery)
    status = request.args.get("status")
    if status in DELIVERY_STATUS_LABELS:
        query = query.where(Delivery.status == status)
    channel = request.args.get("channel")
    if channel in ("email", "webhook"):
        query = query.where(Delivery.channel == channel)
    page = paginate(query.order_by(Delivery.created_at.desc(), Delivery.id.desc()))
    return render_template("notify/deliveries.html", page=page, status=status,
                           channel=channel, statuses=DELIVERY_STATUS_LABELS)
