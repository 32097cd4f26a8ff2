"""The forms of the team-health rule page: publishing a new version (the month it
judges from, the parts' and measures' weights, the norms, a note) and confirming a
recomputation of this month. The fields are named as `rules.check_weights` names its
errors (`part_<part>`, `measure_<code>`, `norm_<code>`), so a refused value lands under
its own field; the limits themselves are the service's to check."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FloatField, IntegerField, TextAreaField
from wtforms.fields import MonthField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.core.forms import PortalForm, plausible_year, storable, strip
from portal.health.measures import MEASURES, PART_LABELS
from portal.health.models import PARTS
from portal.health.rules import NORM_LIMITS

WEIGHT = _l("A whole number from 0 to 100.")


class RuleForm(PortalForm):
    effective_month = MonthField(_l("Judges the months from"), validators=[
        InputRequired(message=_l("Choose a month.")), plausible_year])
    note = TextAreaField(_l("Note (why the rule changes)"), filters=[strip],
                         validators=[Length(max=2000), storable])

    def weights(self, base: dict | None = None) -> dict:
        """The weights as `rules.publish` takes them; what the form does not edit (a
        person's assessment) is kept from `base`, the version in force."""
        kept = {key: value for key, value in (base or {}).items()
                if key not in ("parts", "measures", "norms")}
        return {**kept,
                "parts": {part: self[f"part_{part}"].data for part in PARTS},
                "measures": {m.code: self[f"measure_{m.code}"].data for m in MEASURES},
                "norms": {code: self[f"norm_{code}"].data for code in NORM_LIMITS}}

    def fill(self, weights: dict) -> None:
        """Prefill every weight and norm from `weights` (the version in force)."""
        for part in PARTS:
            self[f"part_{part}"].data = weights["parts"][part]
        for measure in MEASURES:
            self[f"measure_{measure.code}"].data = weights["measures"][measure.code]
        for code in NORM_LIMITS:
            self[f"norm_{code}"].data = weights["norms"][code]

    def part_fields(self):
        return [self[f"part_{part}"] for part in PARTS]

    def measure_fields(self, part: str):
        """(measure, its weight field, its norm field or None) of `part`, in order."""
        return [(m, self[f"measure_{m.code}"],
                 self[f"norm_{m.code}"] if m.code in NORM_LIMITS else None)
                for m in MEASURES if m.part == part]


# One field per part, measure and norm, declared from the domain's own lists so a new
# measure appears on the form without touching it.
for _part in PARTS:
    setattr(RuleForm, f"part_{_part}", IntegerField(
        PART_LABELS[_part], validators=[InputRequired(message=WEIGHT)]))
for _measure in MEASURES:
    setattr(RuleForm, f"measure_{_measure.code}", IntegerField(
        _measure.label, validators=[InputRequired(message=WEIGHT)]))
for _code, (_low, _high) in NORM_LIMITS.items():
    setattr(RuleForm, f"norm_{_code}", FloatField(
        _l("Norm (%(low)s to %(high)s)", low=_low, high=_high),
        validators=[InputRequired(message=_l("Enter a number."))]))
del _part, _measure, _code, _low, _high


class ComputeForm(PortalForm):
    confirm = BooleanField(_l("Yes, recompute this month now: its figures are replaced "
                              "by new ones counted up to now"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])
