"""The report catalogue: a registry of report kinds, like the metrics of scoring.

A kind names the domain whose data it reads, the access rule that lets a person ask for
it, the parameters it takes, and a `build(user, params, progress)` function that reads
the data (as `user` may see it) and returns a `ReportData`: sections of key figures,
tables and charts, the same tables the CSV holds, and the source data the PDF carries
as its JSON attachment. A kind whose domain is absent stays in the catalogue and says so;
a period without data says so in the report, never a blank page."""
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable


@dataclass
class Table:
    """One table of a report: its title, column headings and rows of plain values (None
    is "no data"); `numeric` columns are right-aligned."""
    title: str
    columns: list
    rows: list
    numeric: tuple = ()
    note: str = ""


@dataclass
class Section:
    heading: str
    paragraphs: list = field(default_factory=list)
    figures: list = field(default_factory=list)   # (label, value) key figures
    tables: list = field(default_factory=list)
    charts: list = field(default_factory=list)    # (title, data URI of an SVG)


@dataclass
class ReportData:
    """What a report shows. `scope` and `period` read on the cover; `empty` is the
    sentence shown instead of sections when there is nothing to report."""
    title: str
    scope: str
    period: str
    as_of: datetime
    sections: list = field(default_factory=list)
    empty: str | None = None
    source: dict = field(default_factory=dict)

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]


@dataclass(frozen=True)
class Params:
    """A kind's parameters, checked: one partner (its id), a month's first day, a date
    range and free filters."""
    partner_id: int | None = None
    month: date | None = None
    start: date | None = None
    end: date | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    code: str
    label: object
    description: object
    domain: str
    rule: str
    # Which of "partner", "month", "range" the form asks for; "partner" is one partner in
    # the reader's reach (an owner's own, fixed).
    asks: tuple
    build: Callable
    # Partner-optional kinds read every partner in reach when none is chosen.
    partner_required: bool = False
    extra: tuple = ()   # (name, label) of free-text filters


KINDS: dict[str, Kind] = {}


def report(code: str, **kw):
    """Register the decorated `build(user, params, progress) -> ReportData` as kind `code`."""
    def register(build):
        KINDS[code] = Kind(code=code, build=build, **kw)
        return build
    return register


def present(kind: Kind) -> bool:
    """Is the domain this kind reads part of the portal?"""
    from portal.domains import NAMES
    return kind.domain in NAMES
