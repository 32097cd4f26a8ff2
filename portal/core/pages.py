"""Small helpers every page handler uses: the login guard of a blueprint and one `Page`
of a query's results, for pages (`?page=`) and the API (`page`, `per_page`) alike."""
import math

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db


def require_login(bp) -> None:
    """Every route of `bp` needs a logged-in user (redirect to the login page otherwise)."""
    @bp.before_request
    def _require_login():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return None


def page_number() -> int:
    """The requested page, 1 for anything missing or out of range."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


class Page:
    """One page of a select: `items`, `page`, `per_page`, `total`, `pages`, what the
    `pager` macro and the API's page schema read. `rows=True` keeps whole rows (several
    entities or columns); otherwise each item is the row's first entity."""

    def __init__(self, query, *, page: int | None = None, per_page: int | None = None,
                 rows: bool = False):
        self.per_page = per_page or current_app.config["PAGE_SIZE"]
        self.page = page if page is not None else page_number()
        self.total = db.session.execute(select(func.count()).select_from(
            query.order_by(None).subquery())).scalar()
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
