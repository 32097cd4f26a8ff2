"""`flask --app app results check-rollups`: the daily result roll-ups compared with a
recomputation from the raw orders and payments."""
import click
from flask.cli import with_appcontext

from portal.core import rollups as shared
from portal.results import rollups


@click.group("results")
def results():
    """Results: orders, payments, targets."""


@results.command("check-rollups")
@with_appcontext
def check_rollups():
    """Recompute every person's daily results from the raw rows and compare; exit 1 on
    any difference (each listed, the first 20)."""
    shared.report(rollups.differences())
