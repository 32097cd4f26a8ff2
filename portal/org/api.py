"""Partner and account endpoints: thin handlers that parse, load through the access
policy and call the same services as the partner pages; the schemas shape the data."""
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import RAISE

from portal.api.fields import INT32_MAX
from portal.api.schemas import ErrorSchema
from portal.auth.models import User
from portal.core.access import get_or_404
from portal.core.pages import Page
from portal.org import schemas, services
from portal.org.models import Partner

account = Blueprint("account", __name__, url_prefix="/api/v1",
                    description="The caller's own account.")
partners = Blueprint("partners", __name__, url_prefix="/api/v1",
                     description="Partner agencies, their territories, teams and people.")

# Larger ids cannot exist in an integer column; the route does not match, so 404.
PARTNER_PATH = f"/partners/<int(max={INT32_MAX}):partner_id>"
NOT_FOUND = {"schema": ErrorSchema, "description": "Not found, or not yours to see."}
# An unknown query parameter is refused, so a misspelt filter is an error rather than
# a silently unfiltered list.
QUERY = {"location": "query", "as_kwargs": True, "unknown": RAISE}


@account.route("/me")
@account.response(200, schemas.MeSchema)
def me():
    """The account the token belongs to."""
    return current_user


@partners.route("/partners")
@partners.arguments(schemas.PartnerArgs, **QUERY)
@partners.response(200, schemas.PartnerPageSchema)
def partner_list(page, per_page, **filters):
    """Partners the caller may see, by name."""
    query = services.partner_query(current_user, **filters)
    return Page(query, page=page, per_page=per_page).as_dict()


@partners.route(PARTNER_PATH)
@partners.response(200, schemas.PartnerDetailSchema)
@partners.alt_response(404, **NOT_FOUND)
def partner_detail(partner_id):
    """A partner with its territories, the teams the caller may open, and headcount."""
    partner = get_or_404(current_user, Partner, partner_id)
    sizes = services.team_sizes(partner.id)
    teams = [{"id": t.id, "name": t.name, "leader_id": t.leader_id, "size": sizes.get(t.id, 0)}
             for t in services.visible_teams(current_user, partner.id)]
    attributes = {name: getattr(partner, name) for name in schemas.PartnerSchema().fields}
    return {**attributes, "territories": partner.territories, "teams": teams,
            "headcount": services.headcount_by_role(partner.id)}


@partners.route(f"{PARTNER_PATH}/people")
@partners.arguments(schemas.PeopleArgs, **QUERY)
@partners.response(200, schemas.PersonPageSchema)
@partners.alt_response(404, **NOT_FOUND)
def partner_people(partner_id, page, per_page, **filters):
    """Active people of a partner the caller may see one by one (a manager: its team)."""
    partner = get_or_404(current_user, Partner, partner_id)
    query = services.people_query(current_user, partner_id=partner.id, **filters)
    # Names repeat; the id keeps pages from overlapping.
    return Page(query.order_by(User.id), page=page, per_page=per_page).as_dict()
