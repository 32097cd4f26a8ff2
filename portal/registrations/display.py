"""How registration pages show things: the time left, the verdict in words, the labels
every template reads (a context processor of the blueprint)."""
from datetime import datetime

from flask_babel import gettext as _

from portal.core.clock import BUSINESS_TZ
from portal.registrations import labels
from portal.registrations.services import state


def left(registration, at: datetime) -> str:
    """What is left of a live registration's protection ("3 days 4 hours"), else ""."""
    if state(registration, at) != "protected":
        return ""
    seconds = int((registration.expires_at - at).total_seconds())
    days, hours = seconds // 86400, (seconds % 86400) // 3600
    if days:
        return _("%(days)d d %(hours)d h left", days=days, hours=hours)
    return _("%(hours)d h %(minutes)d min left", hours=hours, minutes=(seconds % 3600) // 60)


def local(moment: datetime | None) -> str:
    return "" if moment is None else moment.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")


def verdict(registration) -> str:
    """Why a registration is refused or under review, in one sentence (never naming
    another partner)."""
    reason = registration.reason
    if reason is None:
        return ""
    detail = registration.detail or {}
    if registration.status == "review":
        return str(labels.REVIEW_REASONS.get(reason, labels.REASON_LABELS.get(reason, reason)))
    text = str(labels.REASON_LABELS.get(reason, reason))
    if reason in ("protected", "under_review") and detail.get("yours"):
        text = _("Your partner already has this customer registered.")
    if detail.get("matched_on"):
        text += " " + _("Matched on: %(keys)s.", keys=_(", ").join(
            str(labels.KEY_LABELS.get(k, k)) for k in detail["matched_on"]))
    if reason == "cooldown" and detail.get("until"):
        text += " " + _("You may register it again from %(when)s.",
                        when=local(datetime.fromisoformat(detail["until"])))
    if reason in ("live_cap", "daily_cap"):
        text += " " + _("%(count)d of %(cap)d.", count=detail.get("count", 0),
                        cap=detail.get("cap", 0))
    if reason == "refused_in_review" and registration.decision_note:
        text += " " + registration.decision_note
    return text


def context() -> dict:
    return {"state_label": lambda c: labels.STATE_LABELS.get(c, c),
            "source_label": lambda c: labels.SOURCE_LABELS.get(c, c),
            "side_label": lambda c: labels.SIDE_LABELS.get(c, c),
            "decision_label": lambda c: labels.DECISION_LABELS.get(c, c),
            "case_state_label": lambda c: labels.CASE_STATE_LABELS.get(c, c),
            "event_label": lambda c: labels.EVENT_LABELS.get(c, c),
            "lookup_label": lambda c: labels.LOOKUP_LABELS.get(c, c),
            "outside_label": lambda c: labels.OUTSIDE_LABELS.get(c, c),
            "setting_labels": labels.SETTING_LABELS, "time_left": left,
            "local_time": local, "verdict": verdict, "reg_state": state}
