"""The migrations: they go down to nothing and up again on an empty database, and the
schema they build is the one the models describe (Alembic's autogenerate finds nothing
to add). On SQLite, and on PostgreSQL when TEST_DATABASE_URL is set."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from portal import create_app
from portal.extensions import db
from tests.conftest import BASE_CONFIG

# Tables the migrations create that no model declares: APScheduler keeps its own.
NOT_MODELS = {"apscheduler_jobs", "alembic_version"}


@pytest.fixture
def empty_app(database, tmp_path):
    uri = database.empty()
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads")})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    database.drop(uri)


def tables() -> set[str]:
    return set(inspect(db.engine).get_table_names())


def test_migrations_go_down_to_base_and_up_again(empty_app):
    upgrade()
    built = tables()
    assert {t.name for t in db.metadata.sorted_tables} <= built
    downgrade(revision="base")
    assert tables() <= {"alembic_version"}
    upgrade()
    assert tables() == built


def _include(obj, name, kind, reflected, compare_to):
    return not (kind == "table" and name in NOT_MODELS)


def test_models_and_migrations_agree(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": False,
            "include_object": _include})
        differences = compare_metadata(context, db.metadata)
    assert not differences, "\n".join(map(str, differences))
