"""`flask --app app create-token` and `flask --app app tokens list/revoke`: personal API
tokens from the command line."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import ApiToken, User
from portal.core.audit import cli_actor
from portal.extensions import db


@click.command("create-token")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
@with_appcontext
def create_token(username, name):
    """Print a new personal API token for USERNAME (shown only once)."""
    cli_actor("create-token")
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.active:
        raise click.ClickException(f"no active user {username!r}")
    token = sessions.issue_token(user, name)
    db.session.commit()
    click.echo(token)


@click.group("tokens")
def tokens():
    """List and revoke personal API tokens."""


@tokens.command("list")
@click.argument("username", required=False)
@click.option("--all", "show_all", is_flag=True, help="Include revoked tokens.")
@with_appcontext
def list_tokens(username, show_all):
    """Print the tokens of USERNAME (or of everyone): id, holder, name, created, last used."""
    query = select(ApiToken, User.username).join(User, User.id == ApiToken.user_id)
    if username:
        query = query.where(User.username == username)
    if not show_all:
        query = query.where(ApiToken.revoked_at.is_(None))
    rows = db.session.execute(query.order_by(User.username, ApiToken.id)).all()
    for token, holder in rows:
        revoked = f"  revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else ""
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        click.echo(f"{token.id}\t{holder}\t{token.name}\tcreated "
                   f"{token.created_at:%Y-%m-%d %H:%M}\tlast used {used}{revoked}")
    click.echo(f"{len(rows)} token(s)")


@tokens.command("revoke")
@click.argument("token_ids", nargs=-1, type=int)
@click.option("--user", "username", help="Revoke every token of this user instead.")
@with_appcontext
def revoke_tokens(token_ids, username):
    """Revoke the tokens TOKEN_IDS, or every token of --user."""
    cli_actor("tokens revoke")
    if bool(token_ids) == bool(username):
        raise click.UsageError("give token ids or --user, not both")
    if username:
        user = db.session.execute(select(User).where(User.username == username)
                                  ).scalar_one_or_none()
        if user is None:
            raise click.ClickException(f"no user {username!r}")
        chosen = db.session.execute(select(ApiToken).where(ApiToken.user_id == user.id)
                                    ).scalars().all()
    else:
        chosen = db.session.execute(select(ApiToken).where(ApiToken.id.in_(token_ids))
                                    ).scalars().all()
        missing = set(token_ids) - {t.id for t in chosen}
        if missing:
            raise click.ClickException(f"no token {sorted(missing)}")
    revoked = sum(sessions.revoke_token(token) for token in chosen)
    db.session.commit()
    click.echo(f"{revoked} token(s) revoked")
