"""Contest endpoints: the contests the caller may see, in pages, and one contest's
standings exactly as its page shows them to the caller (the whole board, or the
caller's own standing and the thresholds). A contest the caller neither organises nor
takes part in is a 404, as one that does not exist."""
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import select

from portal.api.auth import allowed
from portal.api.batches import QUERY
from portal.api.fields import INT32_MAX
from portal.api.schemas import ErrorSchema
from portal.contests import read, schemas
from portal.contests.models import Contest
from portal.core.access import get_or_404, visible
from portal.core.clock import now, today
from portal.core.pages import Page

bp = Blueprint("contests_api", __name__, url_prefix="/api/v1",
               description="Contests (日常短期激励和PK): standings on fair rates.")

ID = f"<int(max={INT32_MAX})"


def contest_json(contest: Contest, day) -> dict:
    return {"id": contest.id, "name": contest.name, "metric": contest.metric,
            "level": contest.level, "starts_on": contest.starts_on,
            "ends_on": contest.ends_on, "state": contest.state(day), "board": contest.board,
            "min_people": contest.min_people, "organiser_id": contest.organiser_id,
            "organiser_name": contest.organiser.display_name,
            "participants": len(contest.entries)}


@bp.route("/contests")
@allowed("contests.read")
@bp.arguments(schemas.ContestArgs, **QUERY)
@bp.response(200, schemas.ContestPageSchema)
def contest_list(page, per_page, when=None):
    """The contests the caller organises or takes part in (its partner, its team or
    itself), latest last day first; the principal's admin and auditors see all."""
    day = today()
    query = select(Contest).where(visible(current_user, Contest))
    if when is not None:
        query = query.where(read.in_tab(when, day))
    found = Page(query.order_by(Contest.ends_on.desc(), Contest.id.desc()),
                 page=page, per_page=per_page).as_dict()
    found["items"] = [contest_json(c, day) for c in found["items"]]
    return found


@bp.route(f"/contests/{ID}:contest_id>/standings")
@allowed("contests.read")
@bp.response(200, schemas.StandingsSchema)
@bp.alt_response(404, schema=ErrorSchema, description=(
    "No such contest, or the caller neither organises nor takes part in it."))
def standings(contest_id):
    """A contest's standings as the caller may see them: the organiser, the principal's
    readers and (on a full board) every participant see every standing; otherwise only
    the caller's own, without its rank until the results are final. Ranked first, then
    those with too few people, then those without data."""
    contest = get_or_404(current_user, Contest, contest_id)
    seen = read.view(current_user, contest, now())
    board = seen.board
    return {"contest": contest_json(contest, today()), "final": board.final,
            "through": board.through, "full_board": seen.full, "ranked": board.ranked,
            "thresholds": {f"top_{p}": board.thresholds.get(p) for p in (10, 25, 50)},
            "standings": [{"entry_id": s.entry_id, "name": s.name, "status": s.status,
                           "rate": s.rate, "rank": s.rank if seen.ranks_shown else None,
                           "band": s.band, "numerator": s.numerator,
                           "denominator": s.denominator, "people": s.people,
                           "own": s.entry_id in seen.own} for s in seen.shown]}
