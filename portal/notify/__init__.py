"""Notifications: an in-app inbox with an unread bell, e-mail, and partner chat groups.

API for other domains (services add to the session; the caller commits):

    from portal.notify.services import notify
    notify(recipient_ids, "exam", _("Exam %(name)s closes tomorrow", name=...),
           body="...", link=url_for("exams.sitting", sitting_id=...), mandatory=False)

- `recipients` is an iterable of user ids or a `select(User.id)...` statement; inactive
  accounts are skipped. The fan-out is set-based (INSERT ... SELECT), 100,000 people in
  a few statements. Returns how many inbox rows were made.
- `category` is one of models.CATEGORIES: policy, notice, training, exam, scoring, system.
- `link` is a path on this site; e-mails and chat messages make it absolute with
  PUBLIC_URL when that is configured.
- People choose per category and channel (preferences page): in-app on, e-mail off,
  chat group on by default. `mandatory=True` and the "policy" category always land in
  the inbox; e-mail and chat groups still follow each person's choice.
- E-mail is queued only when SMTP_HOST and MAIL_FROM are configured (also SMTP_PORT,
  SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS, SMTP_SSL), for people with an address who
  chose e-mail for the category.
- Each active webhook of a partner that subscribes to the category gets one group
  message when at least one recipient of that partner has not turned chat groups off.
  Pass `group=False` for news about one person (a result, an appeal): the partner's
  whole chat group must not read it.
- `services.unread_count(user)`, `services.mark_read(user, ids | "all")`.

Deliveries are sent by the `notify.deliver` job every minute (`sending.deliver_due`),
claimed atomically, retried after 1, 5, 25 and 125 minutes, and given up after five
attempts. Webhook hosts on private networks are refused unless WEBHOOK_ALLOW_PRIVATE."""

from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="notify",
    models=("portal.notify.models",),
    policies=("portal.notify.policies",),
    jobs=("portal.notify.jobs",),
    blueprints=("portal.notify.routes:bp",),
    demo="portal.notify.demo:seed_demo",
    notifications={"system": _l("System")},
    walk="portal.notify.walk",
)
