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

    _import_models()
    from portal.auth import sessions
    sessions.init_app(app)
    web.init_app(app)
    errors.init_app(app)

    from portal.auth.routes import bp as auth_bp
    from portal.org.routes import bp as org_bp
    from portal.org.manage import bp as manage_bp
    from portal.api import register as register_api
    from portal.jobs.routes import bp as jobs_bp
    app.register_blueprint(jobs_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(org_bp)
    app.register_blueprint(manage_bp)
    register_api(app)
    from portal.notify.routes import bp as notify_bp
    app.register_blueprint(notify_bp)
    from portal.broadcasts.routes import bp as broadcasts_bp
    app.register_blueprint(broadcasts_bp)
    from portal.training.routes import bp as training_bp
    app.register_blueprint(training_bp)
    from portal.exams.routes import bp as exams_bp
    app.register_blueprint(exams_bp)

    from portal.cli import register as register_cli
    register_cli(app)
    return app


def _import_models() -> None:
    """Import every model module so metadata (and Alembic) see all tables, and every
    policy module so the access policy knows every model."""
    import portal.auth.models  # noqa: F401
    import portal.core.audit  # noqa: F401
    import portal.org.models  # noqa: F401
    import portal.org.policies  # noqa: F401
    import portal.jobs.models  # noqa: F401
    import portal.notify.models  # noqa: F401
    import portal.notify.policies  # noqa: F401
    import portal.broadcasts.models  # noqa: F401
    import portal.broadcasts.policies  # noqa: F401
    import portal.exams.models  # noqa: F401
    import portal.exams.policies  # noqa: F401
    import portal.training.models  # noqa: F401
    import portal.training.policies  # noqa: F401
    # Each domain's scheduled jobs register themselves on import.
    import portal.auth.jobs  # noqa: F401
    import portal.jobs.housekeeping  # noqa: F401
    import portal.notify.jobs  # noqa: F401
    import portal.broadcasts.jobs  # noqa: F401
    import portal.training.jobs  # noqa: F401
    import portal.exams.jobs  # noqa: F401
