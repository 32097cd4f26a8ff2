"""China's administrative regions: reading the bundled data file and querying the tree.

The data file (``data/regions.csv.gz``) is built by ``scripts/build_regions.py``;
see ``data/README.md`` for its source and licence.
"""
import csv
import gzip
from collections.abc import Iterator
from importlib.resources import files

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from portal.org.models import Region

DATA_FILE = files("portal.org").joinpath("data/regions.csv.gz")


def iter_regions(provinces: set[str] | None = None,
                 towns: bool | set[str] = True) -> Iterator[dict]:
    """Yield region dicts (code, name, level, parent_code) in code order.

    ``provinces`` limits the rows to those 2-digit province codes; ``towns`` is
    False (no towns), True (towns of every selected province) or a set of
    province codes whose towns to include.
    """
    with DATA_FILE.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8",
                                                 newline="") as handle:
        for row in csv.DictReader(handle):
            province = row["code"][:2]
            if provinces is not None and province not in provinces:
                continue
            if row["level"] == "town":
                if towns is False:
                    continue
                if towns is not True and province not in towns:
                    continue
            row["parent_code"] = row["parent_code"] or None
            yield row


def load_regions(connection_or_session: Connection | Session,
                 provinces: set[str] | None = None,
                 towns: bool | set[str] = True, batch: int = 5000) -> int:
    """Insert the bundled regions not yet in the ``regions`` table; return how many.

    The caller owns the transaction (commit afterwards, or use ``engine.begin()``).
    """
    table = Region.__table__
    # One up-front read of the existing codes makes a re-run cheap and idempotent,
    # where per-row existence checks or upserts would be dialect-specific or slow.
    existing = set(connection_or_session.execute(select(table.c.code)).scalars())
    inserted = 0
    pending: list[dict] = []
    for row in iter_regions(provinces, towns):
        if row["code"] in existing:
            continue
        pending.append(row)
        if len(pending) >= batch:
            connection_or_session.execute(insert(table), pending)
            inserted += len(pending)
            pending = []
    if pending:
        connection_or_session.execute(insert(table), pending)
        inserted += len(pending)
    return inserted


def region_path(session: Session, code: str) -> list[Region]:
    """Return the chain of regions from the province down to ``code`` ([] if unknown)."""
    path: list[Region] = []
    region = session.get(Region, code)
    while region is not None:
        path.append(region)
        region = session.get(Region, region.parent_code) if region.parent_code else None
    path.reverse()
    return path


def children(session: Session, code: str | None, level: str | None = None) -> list[Region]:
    """Return the direct children of ``code`` (provinces when None), ordered by code.

    ``level`` optionally keeps only children of that level.
    """
    if code is None:
        query = select(Region).where(Region.parent_code.is_(None))
    else:
        query = select(Region).where(Region.parent_code == code)
    if level is not None:
        query = query.where(Region.level == level)
    return list(session.scalars(query.order_by(Region.code)))
