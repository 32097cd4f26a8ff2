"""`flask --app app scoring compute [--month YYYY-MM] [--close]`: compute (or close) a
month's partner scorecards, printing how many and how long."""
import click
from flask.cli import with_appcontext

from portal.extensions import db
from portal.health.cli import parse_month
from portal.scoring.compute import compute_month


@click.group("scoring")
def scoring():
    """Partner scorecards against the published criteria."""


@scoring.command("compute")
@click.option("--month", "raw_month", help="The month, YYYY-MM (default: this month).")
@click.option("--close", is_flag=True, help="Freeze the scorecards and apply tier changes.")
@with_appcontext
def compute(raw_month, close):
    """Compute a month's open scorecards (every active partner)."""
    month = parse_month(raw_month)
    run = compute_month(month, trigger="cli", close=close)
    db.session.commit()
    if run is None:
        click.echo(f"{month:%Y-%m}: nothing to compute (no criteria in force, or frozen).")
    else:
        click.echo(f"{month:%Y-%m}: {run.rows} scorecards in {run.seconds:.2f} s"
                   + (", closed" if close else ""))
