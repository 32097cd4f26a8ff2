"""TEMPORARY scaffold: demo and scale data."""
import click


@click.command("seed-demo")
def seed_demo():
    """Seed demo data."""


@click.command("seed-scale")
def seed_scale():
    """Seed scale data."""
