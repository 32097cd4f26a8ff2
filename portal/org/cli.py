"""`flask --app app create-user | load-regions`: accounts and regions from the command line."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from portal.auth.models import ROLES
from portal.core.audit import cli_actor
from portal.core.errors import DomainError
from portal.extensions import db
from portal.org.models import Partner, Team


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
    from portal.auth.passwords import password_problem
    from portal.org.people import create_person
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
    problem = password_problem(password, names=(username, display_name or ""))
    if problem:
        raise click.BadParameter(str(problem), param_hint="--password")
    try:
        user = create_person(username=username, display_name=display_name or username,
                             role=role, partner=partner, team=team, password=password)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"created {user.username} ({user.role})")


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
