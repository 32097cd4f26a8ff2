"""Bulk synthetic organisation data for benchmarks: `flask seed-scale`.

Rows go in through Core executemany in batches, with one shared password hash, so
100,000 people take seconds rather than the minutes ORM objects would. Each run gets a
number, carried in its usernames, partner names and USCCs, so runs never collide with
each other or with the demo.

With `--history-days D` the staff also get D days of history up to now (customers,
visits, follow-ups, orders, payments and their daily roll-ups, `portal.habits.scale`),
written partner by partner in committed chunks: 100,000 staff and 365 days make about
10 million visits. The people then joined D + 30 days ago."""
import math
import random
import secrets
import time
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from itertools import islice

import click
from flask.cli import with_appcontext
from sqlalchemy import bindparam, func, insert, select, update

from portal.auth.models import User
from portal.auth.sessions import hash_password
from portal.core.audit import cli_actor
from portal.core import audit
from portal.core.clock import now
from portal.core.database import refresh_statistics
from portal.extensions import db
from portal.habits import scale
from portal.org.models import TIERS, Partner, Region, Team
from portal.org.regions import load_regions
from portal.org.seed_names import NameMaker
from portal.org.uscc import CHARSET, check_character

# Registration authority "Y" (other) keeps these codes apart from the demo's "9" codes.
USCC_PREFIX = "Y1"
RUN_DIGITS, SEQ_DIGITS = 4, 5
STAFF_PER_TEAM = 12
INACTIVE_SHARE = 0.02


def _base31(number: int, width: int) -> str:
    if number >= len(CHARSET) ** width:
        raise click.ClickException(f"{number} does not fit in {width} USCC characters")
    digits = []
    for _ in range(width):
        number, digit = divmod(number, len(CHARSET))
        digits.append(CHARSET[digit])
    return "".join(reversed(digits))


def scale_uscc(run: int, number: int, province: str) -> str:
    """A valid code unique to (run, number): both are encoded in the organisation part."""
    first17 = (USCC_PREFIX + province.ljust(6, "0") + _base31(run, RUN_DIGITS)
               + _base31(number, SEQ_DIGITS))
    return first17 + check_character(first17)


def next_run() -> int:
    """One more than the highest run number found in earlier scale partners' USCCs."""
    start = len(USCC_PREFIX) + 6 + 1  # SQL substr counts from 1
    tag = db.session.execute(select(func.max(func.substr(Partner.uscc, start, RUN_DIGITS)))
                             .where(Partner.uscc.like(USCC_PREFIX + "%"))).scalar()
    if not tag:
        return 1
    return sum(CHARSET.index(char) * len(CHARSET) ** power
               for power, char in enumerate(reversed(tag))) + 1


def _provinces() -> list[str]:
    query = select(Region.code).where(Region.level == "province").order_by(Region.code)
    codes = list(db.session.execute(query).scalars())
    if not codes:
        load_regions(db.session, towns=False)
        codes = list(db.session.execute(query).scalars())
    return codes


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _insert(table, rows: Iterable[dict], batch: int, bar, returning: bool = False) -> list:
    """Insert `rows` in batches; with `returning`, the new ids in the order of `rows`."""
    connection = db.session.connection()
    # RETURNING makes SQLAlchemy send multi-row VALUES statements on every dialect,
    # where psycopg's plain executemany would still send one statement per row.
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=returning)
    ids = []
    for chunk in _chunks(rows, batch):
        result = connection.execute(statement, chunk)
        if returning:
            ids.extend(result.scalars())
        else:
            result.close()
        bar.update(len(chunk))
    return ids


def _shares(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if index < extra else 0) for index in range(parts)]


@click.command("seed-scale")
@click.option("--partners", "partner_count", type=click.IntRange(1, 10**6), required=True)
@click.option("--staff", "staff_count", type=click.IntRange(0), required=True)
@click.option("--batch", type=click.IntRange(1), default=5000, show_default=True)
@click.option("--password", help="Password of every generated account (default: random, "
              "printed at the end).")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--history-days", type=click.IntRange(0, 366), default=0, show_default=True,
              help="Also make this many days of customers, visits, orders and payments, "
              "with their roll-ups.")
@click.option("--chunk", type=click.IntRange(1), default=200_000, show_default=True,
              help="History rows buffered before each write and commit.")
@with_appcontext
def seed_scale(partner_count, staff_count, batch, password, seed, history_days, chunk):
    """Add N partners and M staff (with owners, teams and managers) for benchmarks, and
    with --history-days their sales history."""
    cli_actor("seed-scale")
    started = time.perf_counter()
    rng = random.Random(seed)
    names = NameMaker(rng)
    provinces = _provinces()
    managers = list(db.session.execute(select(User.id).where(
        User.role == "channel_manager", User.active.is_(True)).order_by(User.id)).scalars())
    run = next_run()
    secret = password or secrets.token_urlsafe(9)
    password_hash = hash_password(secret)
    # With a history, everyone joined a month before it starts.
    stamp = now() - timedelta(days=history_days + 30 if history_days else 0)
    tag = f"scale{run}"

    shares = _shares(staff_count, partner_count)
    team_counts = [max(1, math.ceil(share / STAFF_PER_TEAM)) for share in shares]
    total = 2 * partner_count + 2 * sum(team_counts) + staff_count

    def person(username, role, partner_id, team_id=None, active=True):
        return {"username": username, "display_name": names.name(), "role": role,
                "password_hash": password_hash, "partner_id": partner_id,
                "team_id": team_id, "active": active, "created_at": stamp}

    with click.progressbar(length=total, label=f"Seeding run {run}") as bar:
        partner_ids = _insert(Partner.__table__, (
            {"name": f"压测代理商{run}-{number:05d}",
             "uscc": scale_uscc(run, number, provinces[number % len(provinces)]),
             "tier": TIERS[number % len(TIERS)],
             "structure": "tight" if number % 4 == 0 else "loose",
             "status": "active", "province_code": provinces[number % len(provinces)],
             "channel_manager_id": managers[number % len(managers)] if managers else None,
             "contract_start": min(date(2026, 1, 1), stamp.date()), "contract_end": date(2027, 12, 31),
             "created_at": stamp} for number in range(partner_count)), batch, bar, True)
        _insert(User.__table__, (person(f"{tag}_p{number:05d}_owner", "owner", pid)
                                 for number, pid in enumerate(partner_ids)), batch, bar)

        team_rows = [(number, pid, index) for number, (pid, count)
                     in enumerate(zip(partner_ids, team_counts)) for index in range(count)]
        team_ids = _insert(Team.__table__, (
            {"partner_id": pid, "name": f"压测{index + 1}组", "active": True,
             "created_at": stamp} for _, pid, index in team_rows), batch, bar, True)
        leader_ids = _insert(User.__table__, (
            person(f"{tag}_p{number:05d}_manager_{index + 1}", "manager", pid, tid)
            for (number, pid, index), tid in zip(team_rows, team_ids)), batch, bar, True)
        link = update(Team.__table__).where(Team.__table__.c.id == bindparam("team")
                                            ).values(leader_id=bindparam("leader"))
        db.session.connection().execute(link, [{"team": tid, "leader": lid}
                                               for tid, lid in zip(team_ids, leader_ids)])

        def staff_rows():
            sequence, first_team = 0, 0
            for pid, share, count in zip(partner_ids, shares, team_counts):
                for position in range(share):
                    sequence += 1
                    yield person(f"{tag}_u{sequence:07d}", "staff", pid,
                                 team_ids[first_team + position % count],
                                 active=rng.random() >= INACTIVE_SHARE)
                first_team += count
        _insert(User.__table__, staff_rows(), batch, bar)

    counts = {"run": run, "partners": partner_count, "teams": len(team_ids),
              "owners": partner_count, "managers": len(leader_ids), "staff": staff_count}
    db.session.commit()
    click.echo(f"Run {run}: {partner_count} partners, {len(team_ids)} teams, "
               f"{partner_count + len(leader_ids) + staff_count} people "
               f"in {time.perf_counter() - started:.1f}s.")
    if history_days:
        counts["history_days"] = history_days
        counts.update(_history(run, partner_ids, history_days, seed, chunk, staff_count))
    audit.record("seed_scale", after=counts)
    db.session.commit()
    refresh_statistics()
    click.echo(f"Usernames start with {tag}_; password: "
               f"{'the one given with --password' if password else secret}")


def _history(run, partner_ids, days, seed, chunk, staff_count) -> dict:
    """The sales history of the run's staff, with its row counts and rate printed."""
    began = time.perf_counter()
    with click.progressbar(length=staff_count, label=f"History of {days} days") as bar:
        written = scale.grow(run, partner_ids, days, seed=seed, chunk=chunk, bar=bar)
    seconds = time.perf_counter() - began
    total = sum(written.values())
    click.echo(", ".join(f"{rows:,} {table}" for table, rows in written.items()))
    click.echo(f"History: {total:,} rows in {seconds:.1f}s ({total / seconds:,.0f} rows/s, "
               f"{written['visits'] / seconds:,.0f} visits/s).")
    return written
