"""The good-faith blueprint with all its pages registered: each pages module adds its
routes to `routes.bp` when imported."""
from portal.compliance import due_routes, violation_routes
from portal.compliance.routes import bp

__all__ = ["bp", "due_routes", "violation_routes"]
