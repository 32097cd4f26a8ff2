"""What a list page offers beside its rows: the partners its partner filter (or a form's
partner choice) names, by name."""
from flask_login import current_user
from sqlalchemy import select

from portal.core.access import visible
from portal.extensions import db
from portal.org.models import Partner


def partners_by_name(ids_query) -> list[tuple[int, str]]:
    """(id, name) of the partners `ids_query` selects, by name."""
    return [(ident, name) for ident, name in db.session.execute(
        select(Partner.id, Partner.name).where(Partner.id.in_(ids_query))
        .order_by(Partner.name_key, Partner.id))]


def partner_filter(model) -> list[tuple[int, str]]:
    """The partner filter of a list of `model`: the partners of the rows the reader sees;
    none for a partner's own people, who see their own partner's only."""
    if current_user.partner_id is not None:
        return []
    return partners_by_name(select(model.partner_id).where(visible(current_user, model)))
