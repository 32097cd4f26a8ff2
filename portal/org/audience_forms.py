"""The audience pickers of any form that addresses partner people (a broadcast, an exam):
the same fields, filled with the same choices, checked again by `org.audience`."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, or_, select
from wtforms import SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice

from portal.core.access import visible
from portal.core.forms import Checkboxes
from portal.extensions import db
from portal.org import regions
from portal.org.audience import AUDIENCE_ROLES, SPEC_KEYS
from portal.org.labels import ROLE_LABELS, STRUCTURE_LABELS
from portal.org.models import STRUCTURES, TIERS, Partner, Region


class AudienceFields:
    """Mixed into a FlaskForm: the audience pickers and the spec they make."""

    provinces = SelectMultipleField(_l("Provinces"))
    city_province = SelectField(_l("Cities of"), validate_choice=False)
    cities = SelectMultipleField(_l("Cities"), validate_choice=False)
    tiers = Checkboxes(_l("Tiers"), choices=[SelectChoice(t, t) for t in TIERS])
    structures = Checkboxes(_l("Structures"),
                            choices=[SelectChoice(s, STRUCTURE_LABELS[s]) for s in STRUCTURES])
    partner_ids = SelectMultipleField(_l("Named partners"), coerce=int)
    roles = Checkboxes(_l("Roles"), choices=[SelectChoice(r, ROLE_LABELS[r])
                                             for r in AUDIENCE_ROLES])

    def audience(self) -> dict:
        return {key: list(self[key].data or []) for key in SPEC_KEYS}

    def fill_audience(self, spec: dict | None) -> None:
        for key in SPEC_KEYS:
            self[key].data = list((spec or {}).get(key) or [])


def fill_audience_choices(form, user) -> None:
    """Fill the audience pickers of `form` with what `user` may pick: every province, the
    cities of the chosen province (and those already picked), and the partners `user`
    may see."""
    provinces = [(r.code, r.name) for r in regions.children(db.session, None)]
    form.provinces.choices = provinces
    form.city_province.choices = [("", "—")] + provinces
    picked = [c for c in (form.cities.data or []) if isinstance(c, str) and c.isdigit()
              and len(c) == 4]
    parent = form.city_province.data if form.city_province.data in dict(provinces) else None
    cities = db.session.execute(select(Region.code, Region.name).where(
        Region.level == "city",
        or_(Region.code.in_(picked), Region.parent_code == parent if parent else false()))
        .order_by(Region.code)).all()
    form.cities.choices = [(code, name) for code, name in cities]
    partners = db.session.execute(select(Partner.id, Partner.name).where(
        visible(user, Partner), Partner.status == "active").order_by(Partner.name_key)).all()
    shown = {pid for pid, _name in partners}
    # A partner named in an earlier version but outside this user's partners keeps its
    # place without showing its name.
    hidden = [pid for pid in (form.partner_ids.data or []) if isinstance(pid, int)
              and pid not in shown]
    form.partner_ids.choices = [(pid, name) for pid, name in partners] + [
        (pid, _("Partner #%(id)d", id=pid)) for pid in hidden]
