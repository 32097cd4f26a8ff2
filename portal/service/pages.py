"""The service blueprint with all its pages (tickets, rule, summary) registered: the
rule pages' module adds its routes to `routes.bp` when imported."""
from portal.service import rule_routes
from portal.service.routes import bp

__all__ = ["bp", "rule_routes"]
