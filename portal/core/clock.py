"""The one clock of the portal. Tests freeze it with `freeze(...)`; code calls `now()`.

Times are timezone-aware UTC in the database; `today()` is the calendar day in the
portal's business timezone (Asia/Shanghai by default)."""
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

BUSINESS_TZ = ZoneInfo("Asia/Shanghai")
_frozen: datetime | None = None


def now() -> datetime:
    """Current time, aware, in UTC."""
    return _frozen if _frozen is not None else datetime.now(timezone.utc)


def today() -> date:
    """Calendar date in the business timezone."""
    return now().astimezone(BUSINESS_TZ).date()


def set_now(value: datetime | None) -> None:
    """Freeze the clock at `value` (aware datetime), or unfreeze with None."""
    global _frozen
    if value is not None and value.tzinfo is None:
        raise ValueError("freeze the clock with an aware datetime")
    _frozen = value


def advance(delta: timedelta) -> None:
    """Move a frozen clock forward."""
    set_now(now() + delta)


@contextmanager
def frozen(value: datetime):
    """Freeze the clock for the duration of a with-block."""
    previous = _frozen
    set_now(value)
    try:
        yield
    finally:
        set_now(previous)
