"""Shared infrastructure without business rules: clock, database, access, audit."""
from portal.core.clock import now, today  # noqa: F401
