"""TEMPORARY scaffold: replaced by the manage pages."""
from flask import Blueprint, abort

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.route("/users")
def users():
    abort(404)


@bp.route("/audit")
def audit_log():
    abort(404)


@bp.route("/partners/new")
def new_partner():
    abort(404)


@bp.route("/partners/<int:partner_id>/edit")
def edit_partner(partner_id):
    abort(404)


@bp.route("/partners/<int:partner_id>/import")
def import_people(partner_id):
    abort(404)


@bp.route("/partners/<int:partner_id>/teams/new")
def new_team(partner_id):
    abort(404)


@bp.route("/partners/<int:partner_id>/people/new")
def new_person(partner_id):
    abort(404)


@bp.route("/teams/<int:team_id>/edit")
def edit_team(team_id):
    abort(404)


@bp.route("/people/<int:user_id>/edit")
def edit_person(user_id):
    abort(404)
