"""Log in, log out, change password, one's API tokens."""
from flask import (Blueprint, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import check_password_hash

from portal.auth import sessions, throttle
from portal.auth.passwords import password_problem
from portal.auth.forms import ChangePasswordForm, LoginForm, TokenForm
from portal.auth.models import ApiToken, User
from portal.core import audit
from portal.core.access import get_or_404, require
from portal.core.pages import Page, number_arg
from portal.core.text import human_seconds
from portal.core.web import safe_next
from portal.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    # Only failed attempts count towards the address's limit; a good login redirects.
    return response.status_code != 302


def _wait_words(wait) -> str:
    return human_seconds(max(1, round(wait.total_seconds())))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_IP"], methods=["POST"],
               deduct_when=_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("org.home"))
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            username, ip = form.username.data, request.remote_addr or ""
            wait = throttle.waiting(username, ip)
            if wait is not None:
                form.password.errors.append(_(
                    "Too many wrong passwords for this account from here: try again in "
                    "%(time)s, or ask your owner or the administrator to unlock it.",
                    time=_wait_words(wait)))
                return render_template("auth/login.html", form=form), 429
            user = sessions.authenticate(username, form.password.data)
            if user is not None:
                throttle.succeeded(username, ip)
                sessions.start_session(user)
                db.session.commit()
                return redirect(safe_next(request.args.get("next")))
            wait = throttle.failed(username, ip)
            db.session.commit()
            # One message for unknown user, wrong password and inactive account alike.
            form.password.errors.append(_("Wrong username or password."))
            if wait is not None:
                form.password.errors.append(_("Try again in %(time)s.",
                                              time=_wait_words(wait)))
            status = 401
    return render_template("auth/login.html", form=form), status


@bp.errorhandler(429)
def too_many_from_here(error):
    """The address's own limit (an office shares one): the login form with a message,
    not a bare error page."""
    db.session.rollback()
    form = LoginForm(formdata=None)
    form.password.errors = [_("Too many failed logins from this network. Please wait a "
                              "few minutes and try again.")]
    return render_template("auth/login.html", form=form), 429


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.end_session(current_user._get_current_object())
    db.session.commit()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    status = 200
    if request.method == "POST":
        status = 400
        user = current_user._get_current_object()
        if form.validate_on_submit():
            problem = password_problem(
                form.new.data, names=(user.username, user.display_name),
                current_hash=user.password_hash)
            if not check_password_hash(user.password_hash, form.current.data):
                form.current.errors.append(_("The current password is wrong."))
            elif problem:
                form.new.errors.append(problem)
            else:
                user.password_hash = sessions.hash_password(form.new.data)
                sessions.end_all_sessions(user)
                audit.record("password_change", user)
                sessions.start_session(user)
                db.session.commit()
                flash(_("Your password has been changed. Other sessions were logged out."),
                      "success")
                return redirect(url_for("org.home"))
    return render_template("auth/password.html", form=form), status


def _holder() -> User:
    """Whose tokens the page shows: the caller's, or (admins) `?user=<id>`'s."""
    asked = number_arg("user")
    if asked is None or asked == current_user.id:
        return current_user._get_current_object()
    require("org.admin")
    return get_or_404(current_user, User, asked)


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens():
    """The API tokens of a person: when made and last used; a new one is shown once."""
    holder = _holder()
    form, created, status = TokenForm(), None, 200
    if request.method == "POST":
        if holder.id != current_user.id:
            abort(403)  # a token is made by the person who will hold it
        status = 400
        if form.validate_on_submit():
            created = sessions.issue_token(holder, form.name.data)
            db.session.commit()
            form, status = TokenForm(formdata=None), 201
    page = Page(select(ApiToken).where(ApiToken.user_id == holder.id)
                .order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc()))
    return render_template("auth/tokens.html", holder=holder, page=page, form=form,
                           created=created, revoke_form=FlaskForm()), status


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id):
    token = get_or_404(current_user, ApiToken, token_id, change=True)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if sessions.revoke_token(token):
        db.session.commit()
        flash(_("Token %(name)s is revoked: programs using it are refused from now on.",
                name=token.name), "success")
    args = {} if token.user_id == current_user.id else {"user": token.user_id}
    return redirect(url_for("auth.tokens", **args))
