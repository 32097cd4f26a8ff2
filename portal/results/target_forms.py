"""The form that sets a subject's targets for a month: one field per metric (counts as
whole numbers, money in yuan with at most two decimals) and beside each a "confirm" box,
shown when the value lies outside the reference lines. An empty field clears the
target; a field the request does not carry leaves it as it is."""
import re
import unicodedata
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import ValidationError

from portal.core.forms import PortalForm, strip
from portal.results.labels import METRIC_LABELS
from portal.results.models import METRICS, MONEY

MAX_COUNT = 10_000_000
MAX_YUAN = 10_000_000_000
_YUAN = re.compile(r"\d{1,11}(\.\d{1,2})?")


def _plain(text: str) -> str:
    """Full-width digits and ￥ as typed on a Chinese keyboard, without thousands commas."""
    return unicodedata.normalize("NFKC", text).replace(",", "").replace("¥", "").strip()


def parse(metric: str, text: str | None) -> int | None:
    """A typed value as stored (fen for money); None for an empty field. Raises
    ValidationError with the field's message."""
    text = _plain(text or "")
    if not text:
        return None
    if metric in MONEY:
        if not text.isascii() or not _YUAN.fullmatch(text) or Decimal(text) > MAX_YUAN:
            raise ValidationError(_l("Give an amount in yuan from 0 to %(num)s, with at most "
                                     "two decimals.", num=f"{MAX_YUAN:,}"))
        return int(Decimal(text) * 100)
    if not text.isascii() or not text.isdigit() or int(text) > MAX_COUNT:
        raise ValidationError(_l("Give a whole number from 0 to %(num)s.",
                                 num=f"{MAX_COUNT:,}"))
    return int(text)


def shown(metric: str, value: int | None) -> str:
    """A stored value as the field shows it (yuan for money)."""
    if value is None:
        return ""
    return f"{Decimal(value) / 100:.2f}" if metric in MONEY else str(value)


def _checked(form, field):
    form.parsed[field.name] = parse(field.name, field.data)


class TargetForm(PortalForm):
    """Six values and six confirmations; `values()` after validation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed: dict[str, int | None] = {}

    def values(self) -> dict[str, int | None]:
        """{metric: value or None} for the fields the request carried."""
        return {metric: self.parsed.get(metric) for metric in METRICS
                if self[metric].raw_data}

    def confirmed(self) -> set[str]:
        return {metric for metric in METRICS if self[f"confirm_{metric}"].data}


for _metric in METRICS:
    setattr(TargetForm, _metric, StringField(
        METRIC_LABELS[_metric], filters=[strip], validators=[_checked],
        render_kw={"inputmode": "decimal" if _metric in MONEY else "numeric",
                   "autocomplete": "off"}))
    setattr(TargetForm, f"confirm_{_metric}", BooleanField(_l("Yes, set this target")))
