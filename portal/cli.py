"""Command-line commands: `flask --app app <command>`."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.auth import sessions
from portal.auth.models import ROLES, User
from portal.core import audit
from portal.extensions import db
from portal.org.models import Partner, Team


def cli_actor(ctx_name: str):
    """Changes made by a CLI command are logged as made by that command."""
    return audit.set_actor(audit.Actor(None, f"cli:{ctx_name}"))


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", "display_name", help="Display name (defaults to the username).")
@click.option("--partner", "partner_name", help="Partner name, for partner roles.")
@click.option("--team", "team_name", help="Team name inside the partner.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@with_appcontext
def create_user(username, role, display_name, partner_name, team_name, password):
    """Create an account."""
    from portal.org.people import PersonError, create_person
    cli_actor("create-user")
    partner = team = None
    if partner_name:
        partner = db.session.execute(select(Partner).where(Partner.name == partner_name)
                                     ).scalar_one_or_none()
        if partner is None:
            raise click.BadParameter(f"no partner named {partner_name!r}", param_hint="--partner")
    if team_name:
        if partner is None:
            raise click.BadParameter("--team needs --partner", param_hint="--team")
        team = db.session.execute(select(Team).where(Team.partner_id == partner.id,
                                                     Team.name == team_name)).scalar_one_or_none()
        if team is None:
            raise click.BadParameter(f"no team named {team_name!r}", param_hint="--team")
    try:
        user = create_person(username=username, display_name=display_name or username,
                             role=role, partner=partner, team=team, password=password)
    except PersonError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.username} ({user.role})")


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


@click.command("load-regions")
@click.option("--province", "provinces", multiple=True,
              help="Province code(s) to load (default: all).")
@click.option("--no-towns", is_flag=True, help="Provinces, cities and counties only.")
@with_appcontext
def load_regions_command(provinces, no_towns):
    """Load China's administrative divisions (idempotent)."""
    from portal.org.regions import load_regions
    count = load_regions(db.session, provinces=set(provinces) or None, towns=not no_towns)
    db.session.commit()
    click.echo(f"{count} regions added")


def register(app) -> None:
    for command in (create_user, create_token, load_regions_command):
        app.cli.add_command(command)
    from portal.exams.bank.cli import quizzes
    app.cli.add_command(quizzes)
    from portal.jobs.scheduler import scheduler_cli
    app.cli.add_command(scheduler_cli)
    from portal.org.seed import COMMANDS as seed_commands
    for command in seed_commands:
        app.cli.add_command(command)
