"""`flask --app app health compute [--month YYYY-MM] [--months N]`: recompute team
health for a month (this one by default) or the last N months, printing what each run
folded in."""
from datetime import date

import click
from flask.cli import with_appcontext

from portal.core.clock import today
from portal.extensions import db
from portal.health.compute import compute_month
from portal.results.months import add_months, first_of


@click.group("health")
def health():
    """Team health: monthly scores of partners, teams and people."""


def parse_month(raw: str | None) -> date:
    if not raw:
        return first_of(today())
    try:
        year, number = raw.split("-")
        return date(int(year), int(number), 1)
    except ValueError:
        raise click.BadParameter("YYYY-MM, e.g. 2026-11", param_hint="--month") from None


@health.command("compute")
@click.option("--month", "raw_month", help="The month, YYYY-MM (default: this month).")
@click.option("--months", default=1, show_default=True, type=click.IntRange(1, 36),
              help="How many months back from --month to compute, oldest first.")
@with_appcontext
def compute(raw_month, months):
    """Recompute team health from the roll-ups and the rule in force each month."""
    last = parse_month(raw_month)
    for back in range(months - 1, -1, -1):
        run = compute_month(add_months(last, -back), trigger="cli")
        db.session.commit()
        rule = f"rule v{run.rule.version}" if run.rule_id else "no rule"
        click.echo(f"{run.month:%Y-%m}: {run.rows} rows through {run.through}, {rule}, "
                   f"{run.seconds:.2f} s")
