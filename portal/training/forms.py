"""Forms of training. Track and course choices are filled in by the view."""
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.core.forms import PortalForm, storable, strip
from portal.org.tracks import TRACK_LABELS, TRACKS


class CourseForm(PortalForm):
    track = SelectField(_l("Track"),
                        choices=[SelectChoice(t, TRACK_LABELS[t]) for t in TRACKS],
                        validators=[InputRequired()])
    title = StringField(_l("Title"), filters=[strip],
                        validators=[DataRequired(), Length(max=200), storable])
    summary = TextAreaField(_l("Summary"), filters=[strip],
                            validators=[Length(max=2000), storable])
    position = IntegerField(_l("Order in the track"), default=0,
                            validators=[InputRequired(), NumberRange(min=0, max=9999)])


class LessonForm(PortalForm):
    title = StringField(_l("Title"), filters=[strip],
                        validators=[DataRequired(), Length(max=200), storable])
    body_md = TextAreaField(_l("Text (Markdown)"),
                            validators=[DataRequired(), Length(max=50000), storable])
    minutes = IntegerField(_l("Minutes to read"), default=5,
                           validators=[InputRequired(), NumberRange(min=1, max=600)])


class EnrollForm(PortalForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[InputRequired()])
    username = StringField(_l("Username"), filters=[strip],
                           validators=[DataRequired(), Length(max=80), storable])
