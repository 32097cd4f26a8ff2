"""Small helpers every page handler uses: the login guard of a blueprint, role checks and
pagination from `?page=`."""
from flask import abort, current_app, request
from flask_login import current_user

from portal.extensions import db


def require_login(bp) -> None:
    """Every route of `bp` needs a logged-in user (redirect to the login page otherwise)."""
    @bp.before_request
    def _require_login():
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        return None


def require_role(*roles: str) -> None:
    """403 unless the current user has one of `roles`."""
    if current_user.role not in roles:
        abort(403)


def page_number() -> int:
    """The requested page, 1 for anything missing or out of range."""
    return max(request.args.get("page", 1, type=int) or 1, 1)


def paginate(query):
    """One page of `query` (first entity of each row), `PAGE_SIZE` rows long."""
    return db.paginate(query, page=page_number(), per_page=current_app.config["PAGE_SIZE"],
                       error_out=False)
