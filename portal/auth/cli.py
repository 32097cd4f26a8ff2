"""`flask --app app create-token`: personal API tokens from the command line."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import User
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
