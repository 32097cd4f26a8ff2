"""Checking what a channel manager asks for: every setting of an exam, its draw rules
against the live bank and its weekly rhythm, each problem named by its field."""
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, select

from portal.org.audience import normalise_spec
from portal.core.errors import DomainError
from portal.core.clock import BUSINESS_TZ
from portal.exams.bank.questions import TAG_PATTERN
from portal.exams.models import GRADINGS, REVIEWS, TRACKS, Question, QuestionTag
from portal.extensions import db
from portal.org.tracks import TRACK_ROLE

MAX_RULES, MAX_PER_RULE = 20, 100
MAX_MINUTES = 600
MAX_ATTEMPTS = 20
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _int(value, field, low, high, message) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise DomainError(field, message) from None
    # int() would quietly cut 2.5 down to 2; a fractional count is a mistake to show.
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()) \
            or not low <= number <= high:
        raise DomainError(field, message)
    return number


def available(track: str, tag: str = "") -> int:
    """How many current questions of `track` carry `tag` (any tag when empty)."""
    query = (select(func.count(Question.id)).where(
        Question.track == track, Question.retired_at.is_(None),
        Question.current_version_id.is_not(None)))
    if tag:
        query = query.where(exists().where(
            QuestionTag.question_version_id == Question.current_version_id,
            QuestionTag.tag == tag))
    return db.session.execute(query).scalar()


def check_draw(rules) -> list[dict]:
    """Draw rules as stored; each rule must find enough questions in the bank."""
    if not isinstance(rules, list) or not rules:
        raise DomainError("draw", _l("Add at least one rule: how many questions from which "
                                   "track and tag."))
    if len(rules) > MAX_RULES:
        raise DomainError("draw", _l("At most %(count)s rules.", count=MAX_RULES))
    checked, wanted = [], {}
    for rule in rules:
        if not isinstance(rule, dict) or set(rule) - {"track", "tag", "count"}:
            raise DomainError("draw", _l("A rule has a track, a tag and a count."))
        track, tag = str(rule.get("track") or ""), str(rule.get("tag") or "").strip()
        if track not in TRACKS:
            raise DomainError("draw", _l("Unknown track."))
        if tag and not TAG_PATTERN.fullmatch(tag):
            raise DomainError("draw", _l("Tags are lower-case letters, digits and hyphens."))
        count = _int(rule.get("count"), "draw", 1, MAX_PER_RULE,
                     _l("Each rule draws 1 to %(most)s questions.", most=MAX_PER_RULE))
        have = available(track, tag)
        wanted[(track, tag)] = wanted.get((track, tag), 0) + count
        if wanted[(track, tag)] > have:
            raise DomainError("draw", _l(
                "The %(track)s bank has only %(have)s questions tagged “%(tag)s”.",
                track=track, have=have, tag=tag or "*"))
        checked.append({"track": track, "tag": tag, "count": count})
    # Overlapping rules (a tag and "any") still need enough distinct questions in all.
    for track in {rule["track"] for rule in checked}:
        total = sum(rule["count"] for rule in checked if rule["track"] == track)
        if total > available(track):
            raise DomainError("draw", _l("The %(track)s bank has only %(have)s questions.",
                                       track=track, have=available(track)))
    return checked


def _when(value, field) -> datetime:
    if not isinstance(value, datetime):
        raise DomainError(field, _l("Enter a date and time."))
    return value if value.tzinfo else value.replace(tzinfo=BUSINESS_TZ)


def check_recurrence(raw) -> dict | None:
    if raw in (None, {}, ""):
        return None
    if not isinstance(raw, dict) or set(raw) - {"weekdays", "open", "close", "until"}:
        raise DomainError("recurrence", _l("Unknown repeat setting."))
    days = raw.get("weekdays")
    if not isinstance(days, list) or not days or any(
            isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in days):
        raise DomainError("recurrence", _l("Choose the weekdays it repeats on."))
    opens, closes = str(raw.get("open") or ""), str(raw.get("close") or "")
    if not _HHMM.fullmatch(opens) or not _HHMM.fullmatch(closes):
        raise DomainError("recurrence", _l("Times are written as HH:MM."))
    if closes <= opens:
        raise DomainError("recurrence", _l("The window closes after it opens, on the same day."))
    until = raw.get("until")
    if until not in (None, ""):
        try:
            until = date.fromisoformat(str(until)).isoformat()
        except ValueError:
            raise DomainError("recurrence", _l("Enter the last day as YYYY-MM-DD.")) from None
    return {"weekdays": sorted(set(days)), "open": opens, "close": closes,
            "until": until or None}


def check_exam(values: dict) -> dict:
    """Every setting of an exam checked and normalised; raises DomainError on the first
    problem, naming its field."""
    title = str(values.get("title") or "").strip()
    if not title or len(title) > 200:
        raise DomainError("title", _l("Enter a title of at most 200 characters."))
    track = values.get("track")
    if track not in TRACKS:
        raise DomainError("track", _l("Unknown track."))
    limit = values.get("time_limit_minutes")
    if limit not in (None, "", 0):
        limit = _int(limit, "time_limit_minutes", 1, MAX_MINUTES,
                     _l("The time limit is 1 to %(most)s minutes.", most=MAX_MINUTES))
    else:
        limit = None
    try:
        pass_percent = Decimal(str(values.get("pass_percent", "60"))).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError("pass_percent", _l("The pass mark is a percentage from 0 to 100.")) \
            from None
    # NaN passes quantize() and then fails any comparison with an exception.
    if not pass_percent.is_finite() or not Decimal(0) <= pass_percent <= Decimal(100):
        raise DomainError("pass_percent", _l("The pass mark is a percentage from 0 to 100."))
    attempts = _int(values.get("attempts_allowed", 1), "attempts_allowed", 1, MAX_ATTEMPTS,
                    _l("Allow 1 to %(most)s attempts.", most=MAX_ATTEMPTS))
    grading = values.get("grading", "highest")
    if grading not in GRADINGS:
        raise DomainError("grading", _l("Choose which attempt counts."))
    review = values.get("review", "after_submit")
    if review not in REVIEWS:
        raise DomainError("review", _l("Choose when takers may review their answers."))
    try:
        audience = normalise_spec(values.get("audience") or {})
    except DomainError as error:
        raise DomainError("audience", error.message) from None
    if not audience["roles"]:
        audience["roles"] = [TRACK_ROLE[track]]
    recurrence = check_recurrence(values.get("recurrence"))
    opens_at = _when(values.get("opens_at"), "opens_at")
    closes_at = None
    if recurrence is None:
        closes_at = _when(values.get("closes_at"), "closes_at")
        if closes_at <= opens_at:
            raise DomainError("closes_at", _l("The window closes after it opens."))
    elif recurrence["until"] and date.fromisoformat(recurrence["until"]) < \
            opens_at.astimezone(BUSINESS_TZ).date():
        raise DomainError("recurrence", _l("The last day is before the first."))
    description = str(values.get("description") or "")
    if len(description) > 5000:
        raise DomainError("description", _l("At most 5,000 characters."))
    return {"title": title, "description": description, "track": track,
            "draw": check_draw(values.get("draw")),
            "shuffle_options": bool(values.get("shuffle_options", True)),
            "time_limit_minutes": limit, "pass_percent": pass_percent,
            "attempts_allowed": attempts, "grading": grading, "review": review,
            "audience": audience, "is_final": bool(values.get("is_final", False)),
            "opens_at": opens_at, "closes_at": closes_at, "recurrence": recurrence}
