"""The application factory."""
from pathlib import Path

from flask import Flask

from portal.config import load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the portal. `config` overrides every other setting (used by tests)."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), instance_relative_config=True,
                template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    load_config(app, config)
    from portal.core.web import IdConverter
    app.url_map.converters["int"] = IdConverter  # before any route is added

    from portal import extensions as ext
    from portal.core import database, errors, web
    ext.db.init_app(app)
    database.configure_engine(app)
    ext.migrate.init_app(app, ext.db, directory=str(ROOT / "migrations"),
                         render_as_batch=True, compare_type=True,
                         include_name=database.include_in_autogenerate)
    ext.csrf.init_app(app)
    ext.bootstrap.init_app(app)
    ext.limiter.init_app(app)
    ext.api.init_app(app)
    web.secure_headers(app)

    import_domains()
    from portal.auth import sessions
    sessions.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    register_domains(app)
    return app


def import_domains() -> None:
    """Import every domain's models (so metadata and Alembic see all tables), then its
    access rules and its scheduled jobs, which register themselves on import."""
    from importlib import import_module

    import portal.core.audit  # noqa: F401 (the audit log's table)
    from portal.domains import DOMAINS
    for kind in ("models", "policies", "jobs"):
        for domain in DOMAINS:
            for module in getattr(domain, kind):
                import_module(module)


def register_domains(app: Flask) -> None:
    """Mount every domain's page blueprints, API blueprints and CLI commands."""
    from portal.api import register as register_api
    from portal.core.domains import load
    from portal.domains import DOMAINS
    for domain in DOMAINS:
        for blueprint in domain.blueprints:
            app.register_blueprint(load(blueprint))
        for command in domain.cli:
            app.cli.add_command(load(command))
    register_api(app, [load(bp) for domain in DOMAINS for bp in domain.api])
