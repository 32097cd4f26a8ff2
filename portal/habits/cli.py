"""`flask --app app habits check-rollups`: the daily roll-ups the habits pages read,
compared with a recomputation from the raw visits, follow-ups and customers."""
import click
from flask.cli import with_appcontext

from portal.core import rollups as shared
from portal.habits import rollups


@click.group("habits")
def habits():
    """Sales habits: customers, visits and their roll-ups."""


@habits.command("check-rollups")
@with_appcontext
def check_rollups():
    """Recompute every person's daily counts from the raw rows and compare; exit 1 on
    any difference (each listed, the first 20)."""
    shared.report(rollups.differences())
