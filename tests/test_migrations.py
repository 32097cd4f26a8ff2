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


def test_name_keys_are_filled_for_people_partners_and_teams_already_there(empty_app):
    """0010 adds the pinyin sort keys to a database that already holds people pointed at
    by other rows (SQLite could not rebuild the users table under them)."""
    from sqlalchemy import text
    upgrade(revision="0009")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO partners (id, name, uscc, tier, structure, status, "
                          "created_at) VALUES (1, '重庆渝中商贸', '91500103MA5U000000', 'B', "
                          "'loose', 'active', CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO teams (id, partner_id, name, active, created_at) "
                          "VALUES (1, 1, '一组', true, CURRENT_TIMESTAMP)"))
        conn.execute(text("INSERT INTO users (id, username, display_name, password_hash, "
                          "role, partner_id, team_id, active, created_at) VALUES (1, 'z', "
                          "'曾敏', 'x', 'manager', 1, 1, true, CURRENT_TIMESTAMP)"))
        conn.execute(text("UPDATE teams SET leader_id = 1"))
    upgrade()
    with db.engine.connect() as conn:
        keys = [conn.execute(text(f"SELECT name_key FROM {table}")).scalar_one()
                for table in ("partners", "teams", "users")]
    assert keys == ["chong qing yu zhong shang mao", "yi zu", "zeng min"]
