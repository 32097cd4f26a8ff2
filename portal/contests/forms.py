"""The form that sets up a contest. Who may take part is one checkbox list per level
(`participants_<level>`), offered only for the levels the organiser has; ticking none
means all of them. The limits (days, sizes, who is offered) are the service's to check."""
from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from portal.contests.labels import BOARD_LABELS, LEVEL_LABELS, METRIC_LABELS
from portal.contests.models import LEVELS, MIN_PEOPLE_MAX
from portal.core.forms import Checkboxes, PortalForm, choices, plausible_year, strip


class ContestForm(PortalForm):
    name = StringField(_l("Name"), filters=[strip],
                       validators=[InputRequired(message=_l("This field is required."))])
    metric = SelectField(_l("Ranks on"), choices=choices(METRIC_LABELS))
    level = SelectField(_l("Taking part"))
    starts_on = DateField(_l("First day"), validators=[
        InputRequired(message=_l("Enter the first day.")), plausible_year])
    ends_on = DateField(_l("Last day"), validators=[
        InputRequired(message=_l("Enter the last day.")), plausible_year])
    min_people = IntegerField(_l("Minimum size (people; optional)"), validators=[
        Optional(), NumberRange(1, MIN_PEOPLE_MAX, message=_l(
            "A whole number from 1 to %(num)d.", num=MIN_PEOPLE_MAX))])
    board = RadioField(_l("Board"), default="own", choices=choices(BOARD_LABELS))

    def offer(self, options: dict) -> None:
        """Offer the levels and participants of `options` (`services.options`)."""
        self.level.choices = choices({level: LEVEL_LABELS[level] for level in options})
        for level in LEVELS:
            field = self[f"participants_{level}"]
            field.choices = options.get(level, [])

    def levels(self):
        """(level, its checkbox field) of the levels offered."""
        return [(choice.value, self[f"participants_{choice.value}"])
                for choice in self.level.choices]

    def data_for_service(self) -> dict:
        level = self.level.data
        chosen = self[f"participants_{level}"].data if level in LEVELS else []
        return {"name": self.name.data, "metric": self.metric.data, "level": level,
                "starts_on": self.starts_on.data, "ends_on": self.ends_on.data,
                "min_people": self.min_people.data, "board": self.board.data,
                "participants": chosen or []}


for _level in LEVELS:
    setattr(ContestForm, f"participants_{_level}", Checkboxes(
        _l("Who takes part (none ticked: all)"), coerce=int, choices=[],
        validate_choice=True))
