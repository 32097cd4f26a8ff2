"""The form publishing a new version of the effective-visit rule. The time is typed in
the business time zone; the limits themselves are checked by `rules.publish`."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, IntegerField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.core.forms import TIME_FORMAT, PortalForm, plausible_year, storable, strip


class RuleForm(PortalForm):
    effective_from = DateTimeLocalField(
        _l("Takes effect at (Beijing time)"), format=TIME_FORMAT,
        validators=[InputRequired(message=_l("Enter a date and time.")), plausible_year])
    needs_decision_maker = BooleanField(_l("The decision maker must be met"), default=True)
    needs_next_step = BooleanField(_l("A next step must be recorded"), default=True)
    needs_next_step_date = BooleanField(_l("The next step must have a date"), default=True)
    # Its range is the service's to check (a field error from `rules.publish`).
    max_distance_m = IntegerField(
        _l("Distance limit in metres (empty: distance does not count)"),
        default=300, validators=[Optional()])
    note = TextAreaField(_l("Note (why the rule changes)"), filters=[strip],
                         validators=[Length(max=2000), storable])

    def values(self) -> dict:
        """The settings as `rules.publish` takes them (the time still local)."""
        return {"needs_decision_maker": self.needs_decision_maker.data,
                "needs_next_step": self.needs_next_step.data,
                "needs_next_step_date": self.needs_next_step_date.data,
                "max_distance_m": self.max_distance_m.data, "note": self.note.data or ""}
