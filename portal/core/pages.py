"""Small helpers every page handler uses: the login guard of a blueprint and one `Page`
of a query's results, for pages (`?page=`) and the API (`page`, `per_page`) alike."""
import math

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db

# The largest id a database integer column holds (PostgreSQL's `integer`, and the bound
# every path and query-string number is held to, so none reaches the database too big).
MAX_ID = 2**31 - 1
# Past this, a page number is only a way to make the database count for nothing.
MAX_PAGE = 100_000


def number_arg(name: str, default: int | None = None, *, low: int = 1,
               high: int = MAX_ID) -> int | None:
    """The query-string number `name` when it is a whole number from `low` to `high`,
    else `default`: what arrives in a URL never reaches the database out of range."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 12:
        return default
    value = int(raw)
    return value if low <= value <= high else default


def require_login(bp) -> None:
    """Every route of `bp` needs a logged-in user (redirect to the login page otherwise)."""
    @bp.before_request
    def _require_login():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return None


def page_number() -> int:
    """The requested page: 1 for anything missing, not a number or past MAX_PAGE (and
    `Page` shows the last page for a number past it)."""
    return number_arg("page", 1, high=MAX_PAGE)


class Page:
    """One page of a select: `items`, `page`, `per_page`, `total`, `pages`, what the
    `pager` macro and the API's page schema read. `rows=True` keeps whole rows (several
    entities or columns); otherwise each item is the row's first entity."""

    def __init__(self, query, *, page: int | None = None, per_page: int | None = None,
                 rows: bool = False):
        self.per_page = per_page or current_app.config["PAGE_SIZE"]
        self.total = db.session.execute(select(func.count()).select_from(
            query.order_by(None).subquery())).scalar()
        if page is None:  # a page of the portal's own: one past the end shows the last
            page = min(page_number(), max(1, math.ceil(self.total / self.per_page)))
        self.page = page
        result = db.session.execute(query.limit(self.per_page)
                                    .offset((self.page - 1) * self.per_page))
        self.items = result.all() if rows else result.scalars().all()
        self.pages = math.ceil(self.total / self.per_page)
        self.has_prev, self.has_next = self.page > 1, self.page < self.pages

    def as_dict(self) -> dict:
        """What the API's page schemas dump."""
        return {"items": self.items, "total": self.total, "page": self.page,
                "per_page": self.per_page, "pages": self.pages}


def paginate(query, **kwargs) -> Page:
    """One page of `query` (first entity of each row), `PAGE_SIZE` rows long."""
    return Page(query, **kwargs)
