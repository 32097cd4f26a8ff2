"""The criteria catalogue's forms. Choices and numbers arrive as text and are checked by
`portal.scoring.criteria` and `criteria_comments` (one message per field, in the user's
language), so a form only collects what was typed."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import MonthField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.core.access import assigned_partner_ids, may
from portal.core.forms import PortalForm, choices, plausible_year, strip
from portal.extensions import db
from portal.org.models import TIERS, Partner
from portal.scoring.criteria import MAX_STEPS
from portal.scoring.criteria_comments import MAX_COMMENT
from portal.scoring.labels import DIRECTION_LABELS, GROUP_LABELS, MAPPING_LABELS
from portal.scoring.metrics import METRICS


class CriterionForm(PortalForm):
    code = StringField(_l("Code (a-z, 0-9, _)"), filters=[strip])
    name = StringField(_l("Name"), filters=[strip])
    description = TextAreaField(_l("Description"), filters=[strip])
    metric = SelectField(_l("Metric"), validate_choice=False)
    group = SelectField(_l("Group"), validate_choice=False)
    direction = SelectField(_l("Direction"), validate_choice=False)
    mapping = SelectField(_l("Mapping"), validate_choice=False)
    zero = StringField(_l("Value worth 0 points"), filters=[strip])
    full = StringField(_l("Value worth 100 points"), filters=[strip])
    weight = StringField(_l("Weight (1–100)"), filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric.choices = choices({code: m.label for code, m in METRICS.items()},
                                      blank=_l("Choose a metric"))
        self.group.choices = choices(GROUP_LABELS, blank=_l("The metric's group"))
        self.direction.choices = choices(DIRECTION_LABELS, blank=_l("The metric's direction"))
        self.mapping.choices = choices(MAPPING_LABELS)
        # The service's errors on the anchors show above the anchors' inputs.
        self.group_errors = {"anchors": []}

    def fill(self, criterion) -> None:
        """The form's inputs from a saved criterion."""
        for key in ("code", "name", "description", "metric", "group", "direction",
                    "mapping"):
            self[key].data = getattr(criterion, key)
        self.weight.data = str(criterion.weight)
        anchors = criterion.anchors or {}
        if criterion.mapping == "linear":
            self.zero.data, self.full.data = (_plain(anchors.get("zero")),
                                              _plain(anchors.get("full")))
        for n, (value, pts) in enumerate(anchors.get("steps") or [], start=1):
            self[f"step_value_{n}"].data = _plain(value)
            self[f"step_points_{n}"].data = _plain(pts)

    def values(self) -> dict:
        """What `criteria.save_criterion` takes."""
        if self.mapping.data == "thresholds":
            steps = [[self[f"step_value_{n}"].data, self[f"step_points_{n}"].data]
                     for n in range(1, MAX_STEPS + 1)
                     if self[f"step_value_{n}"].data or self[f"step_points_{n}"].data]
            anchors = {"steps": steps}
        else:
            anchors = {"zero": self.zero.data or None, "full": self.full.data or None}
        return {"code": self.code.data, "name": self.name.data,
                "description": self.description.data, "metric": self.metric.data,
                "group": self.group.data, "direction": self.direction.data,
                "mapping": self.mapping.data, "anchors": anchors, "weight": self.weight.data}

    def steps(self):
        return [(self[f"step_value_{n}"], self[f"step_points_{n}"])
                for n in range(1, MAX_STEPS + 1)]


for _n in range(1, MAX_STEPS + 1):
    setattr(CriterionForm, f"step_value_{_n}", StringField(
        _l("Step %(num)d: value", num=_n), filters=[strip]))
    setattr(CriterionForm, f"step_points_{_n}", StringField(
        _l("Step %(num)d: points", num=_n), filters=[strip]))


def _plain(value) -> str:
    """12.0 -> "12", 12.5 -> "12.5"."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else str(number)


class TiersForm(PortalForm):
    """The gates of each tier, best first; the lowest tier is every scored partner's."""

    def fill(self, tiers: list[dict]) -> None:
        by_tier = {g["tier"]: g for g in tiers or []}
        for tier in TIERS:
            gate = by_tier.get(tier, {})
            self[f"min_total_{tier}"].data = _plain(gate.get("min_total", 0))
            self[f"min_each_{tier}"].data = _plain(gate.get("min_each", 0))

    def tiers(self) -> list[dict]:
        return [{"tier": tier, "min_total": self[f"min_total_{tier}"].data,
                 "min_each": self[f"min_each_{tier}"].data} for tier in TIERS]

    def rows(self):
        return [(tier, self[f"min_total_{tier}"], self[f"min_each_{tier}"]) for tier in TIERS]


for _tier in TIERS:
    setattr(TiersForm, f"min_total_{_tier}", StringField(
        _l("Tier %(tier)s: least total", tier=_tier), filters=[strip],
        validators=[InputRequired(message=_l("Enter a number from 0 to 100."))]))
    setattr(TiersForm, f"min_each_{_tier}", StringField(
        _l("Tier %(tier)s: least points on every criterion", tier=_tier), filters=[strip],
        validators=[InputRequired(message=_l("Enter a number from 0 to 100."))]))


class WeightsForm(PortalForm):
    """Every criterion's weight at once; the inputs are named weight_<criterion id>."""


class PublishForm(PortalForm):
    effective_month = MonthField(
        _l("First month it applies to"),
        validators=[InputRequired(message=_l("Choose a month.")), plausible_year])
    note = TextAreaField(_l("What changes and why (shown to partners)"), filters=[strip],
                         validators=[Length(max=4000)])


class CommentForm(PortalForm):
    body = TextAreaField(_l("Your comment"), filters=[strip],
                         validators=[InputRequired(message=_l("Write a comment.")),
                                     Length(max=MAX_COMMENT)])
    criterion_code = SelectField(_l("About"), validate_choice=False)
    partner_id = SelectField(_l("For partner"), validate_choice=False, validators=[Optional()])

    picks_partner = False

    def offer(self, cset, partners=None) -> None:
        """The version's criteria to comment on, and (`partners` given) the partners
        the commenter chooses from."""
        self.picks_partner = partners is not None
        self.criterion_code.choices = choices(
            [(c.code, c.name) for c in cset.criteria], blank=_l("The whole version"))
        self.partner_id.choices = choices([(str(p.id), p.name) for p in partners or ()],
                                          blank=_l("Choose a partner"))


class ReplyForm(PortalForm):
    body = TextAreaField(_l("Reply"), filters=[strip],
                         validators=[InputRequired(message=_l("Write a reply.")),
                                     Length(max=MAX_COMMENT)])


def comment_form_for(cset, user) -> CommentForm:
    """The comment form on `cset` as `user` fills it: one who comments for one of its
    partners (`scoring.comment_for`) chooses which."""
    form = CommentForm()
    partners = None
    if may(user, "scoring.comment_for"):
        partners = db.session.execute(select(Partner).where(
            Partner.id.in_(assigned_partner_ids(user))).order_by(Partner.id)).scalars()
    form.offer(cset, partners)
    return form
