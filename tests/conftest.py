"""Test set-up in the shape of Flask's tutorial: an app per test, a client, a CLI runner,
and factory fixtures that build partners, teams and people.

The database is migrated once per run (Alembic, as in production) with a small set of
regions; further templates add the question banks or the whole demo (see TEMPLATES).
Each test gets a clean copy of one: a copied SQLite file, or on PostgreSQL
(TEST_DATABASE_URL) a database created from the template database."""
import itertools
import os
import random
import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, text

from portal import create_app
from portal.core import clock
from portal.extensions import db

def _memoise_url_builders() -> None:
    """Every test makes an app (about 800 URL rules), and werkzeug writes and compiles
    the Python source of two URL builders for each rule of each app: half the cost of
    `create_app`. The builder depends only on the rule's parsed parts and defaults, so
    the tests compile each one once and bind it to every app's rule (the portal itself
    makes one app per process and is unchanged)."""
    from werkzeug.routing.rules import Rule
    compile_builder, builders = Rule._compile_builder, {}

    def memoised(self, append_unknown=True):
        key = (self.rule, tuple(self._trace), append_unknown,
               tuple(sorted((k, repr(v)) for k, v in (self.defaults or {}).items())),
               tuple(sorted((n, type(c).__name__) for n, c in self._converters.items())))
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = memoised


_memoise_url_builders()


class _SharedTemplateCode(BytecodeCache):
    """Compiled templates kept for the whole run (each test's app has its own Jinja
    environment, which would compile every template it renders again); keyed by the
    template's name and the checksum of its source, so an edited template compiles anew."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.codes:
            bucket.bytecode_from_string(self.codes[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = _SharedTemplateCode()
PASSWORD = "correct-horse-1"
TEST_PROVINCES = {"33", "32", "44"}  # Zhejiang, Jiangsu, Guangdong
QUIZZES = Path(__file__).resolve().parent.parent / "quizzes"
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "RATELIMIT_STORAGE_URI": "memory://",
}



def _migrate(app) -> None:
    from flask_migrate import upgrade
    from portal.org.regions import load_regions
    upgrade()
    load_regions(db.session, provinces=TEST_PROVINCES, towns={"33"})
    db.session.commit()


def _load_banks(app) -> None:
    from portal.exams.bank.sync import sync
    sync([QUIZZES])
    db.session.commit()


def _seed_demo(moment):
    def seed(app) -> None:
        clock.set_now(moment)
        try:
            result = app.test_cli_runner().invoke(args=["seed-demo", "--password",
                                                        DEMO_PASSWORD])
        finally:
            clock.set_now(None)
        assert result.exit_code == 0, result.output
        assert "Exams: 7" in result.output, result.output
    return seed


# Databases built once per run and copied for each test that asks for one (the
# `template(name)` marker, or a fixture of FIXTURE_TEMPLATES):
# name -> (the template it starts from, what it adds). Files the build writes (demo
# account lists, uploads) are copied into the test's tmp_path with the database.
DEMO_PASSWORD = "x12345678"
TEMPLATES = {
    "migrated": (None, _migrate),
    "banks": ("migrated", _load_banks),
    "demo": ("migrated", _seed_demo(None)),
}


# Fixtures whose tests start from a template (a `template` marker comes first).
FIXTURE_TEMPLATES = {"banks": "banks", "walk_world": "banks", "demo": "demo"}


def demo_at(moment) -> str:
    """The name of a template holding the demo seeded at `moment` (registered once)."""
    name = f"demo@{moment.isoformat()}"
    TEMPLATES.setdefault(name, ("migrated", _seed_demo(moment)))
    return name


class Databases:
    """Templates built on first use; `clean(name)` gives a test its own copy and a folder
    of the files built with it. SQLite copies the file; PostgreSQL creates the test's
    database from the template database (`CREATE DATABASE ... TEMPLATE ...`)."""

    def __init__(self, folder: Path, pg_url: str | None):
        self.folder, self.pg_url = folder, pg_url
        self.built: dict[str, tuple[str, Path]] = {}
        self.counter = itertools.count()
        self.prefix = f"portal_test_{uuid.uuid4().hex[:8]}"
        self.admin = create_engine(pg_url, isolation_level="AUTOCOMMIT") if pg_url else None
        self.created: list[str] = []

    def _new(self, template: str | None) -> str:
        n = next(self.counter)
        if self.admin is None:
            target = self.folder / f"portal-{n}.db"
            if template:
                shutil.copyfile(template, target)
            return str(target)
        name = f"{self.prefix}_{n}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'
                              + (f' TEMPLATE "{template}"' if template else "")))
        self.created.append(name)
        return name

    def uri(self, name: str) -> str:
        if self.admin is None:
            return f"sqlite:///{name}"
        # A test's database is thrown away: its commits need not wait for the disk.
        return (self.pg_url.rsplit("/", 1)[0] + "/" + name
                + "?options=-c%20synchronous_commit%3Doff")

    def template(self, name: str) -> tuple[str, Path]:
        if name not in self.built:
            parent, build = TEMPLATES[name]
            base, base_files = self.template(parent) if parent else (None, None)
            files = self.folder / f"files-{next(self.counter)}"
            if base_files is not None:
                shutil.copytree(base_files, files)
            files.mkdir(exist_ok=True)
            target = self._new(base)
            app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": self.uri(target),
                              "UPLOAD_FOLDER": str(files / "uploads"),
                              "DEMO_OUTPUT_DIR": str(files)})
            with app.app_context():
                build(app)
                db.session.remove()
                db.engine.dispose()
            self.built[name] = (target, files)
        return self.built[name]

    def empty(self) -> str:
        """The URI of a new database with nothing in it (drop it with `drop`)."""
        return self.uri(self._new(None))

    def clean(self, name: str, tmp_path: Path) -> str:
        template, files = self.template(name)
        shutil.copytree(files, tmp_path, dirs_exist_ok=True)
        return self.uri(self._new(template))

    def drop(self, uri: str) -> None:
        if self.admin is not None:
            name = uri.rsplit("/", 1)[1].split("?", 1)[0]
            with self.admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.created.remove(name)
        else:
            Path(uri.removeprefix("sqlite:///")).unlink(missing_ok=True)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                for name in [*self.created]:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """The run's templates: `database.clean(name, tmp_path)` is a fresh copy's URI."""
    databases = Databases(tmp_path_factory.mktemp("dbs"), os.environ.get("TEST_DATABASE_URL"))
    yield databases
    databases.close()


def _template_name(request) -> str:
    marker = request.node.get_closest_marker("template")
    if marker is not None:
        return marker.args[0]
    for fixture, name in FIXTURE_TEMPLATES.items():
        if fixture in request.fixturenames:
            return name
    return "migrated"


def _settings(request) -> dict:
    settings = {}
    for marker in reversed(list(request.node.iter_markers("config"))):
        settings.update(marker.kwargs)
    return settings


class Client(FlaskClient):
    """Runs every request in its own app context, as a server does (fresh `g`, fresh
    session), while the test keeps its own context for factories and assertions. After
    each request the test's session is rolled back so it reads what the request wrote.
    The test's own transaction is ended before the request too (so it holds no lock):
    test code commits what it builds before it makes a request, as the factories do."""

    def open(self, *args, **kwargs):
        db.session.rollback()
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        db.session.rollback()
        return response


@pytest.fixture
def app(database, request, tmp_path):
    uri = database.clean(_template_name(request), tmp_path)
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri,
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"), **_settings(request)})
    app.test_client_class = Client
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    clock.set_now(None)
    database.drop(uri)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Factory:
    """Builds organisation data with sensible defaults; every object is committed."""

    def __init__(self):
        self.seq = itertools.count(1)
        self.rng = random.Random(7)

    def partner(self, name=None, *, province="33", manager=None, **kw):
        from portal.org.models import Partner
        from portal.org.uscc import make_uscc
        n = next(self.seq)
        partner = Partner(name=name or f"测试代理商{n}", uscc=make_uscc(self.rng, "330100"),
                          province_code=province, tier=kw.pop("tier", "B"),
                          structure=kw.pop("structure", "loose"),
                          contract_start=kw.pop("contract_start", date(2026, 1, 1)),
                          contract_end=kw.pop("contract_end", date(2027, 12, 31)),
                          channel_manager_id=manager.id if manager else None, **kw)
        db.session.add(partner)
        db.session.commit()
        return partner

    def team(self, partner, name=None, leader=None):
        from portal.org.models import Team
        team = Team(partner_id=partner.id, name=name or f"小组{next(self.seq)}",
                    leader_id=leader.id if leader else None)
        db.session.add(team)
        db.session.commit()
        return team

    def person(self, role, partner=None, team=None, username=None, **kw):
        from portal.org.people import create_person
        n = next(self.seq)
        user = create_person(username=username or f"{role}{n}", display_name=kw.pop(
            "display_name", f"{role}-{n}"), role=role, partner=partner, team=team,
            password=kw.pop("password", PASSWORD), **kw)
        db.session.commit()
        return user


@pytest.fixture
def make(app):
    return Factory()


def login(client, user_or_name, password=PASSWORD):
    username = getattr(user_or_name, "username", user_or_name)
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def banks(app):
    """The question banks of quizzes/ loaded into the test's database (the test's copy
    comes from the "banks" template: asking for this fixture costs nothing)."""


@pytest.fixture
def world(make):
    """Two partners side by side, each with an owner, a team with a manager and staff,
    plus principal users; the channel manager is assigned to partner A only."""
    from types import SimpleNamespace
    from portal.org.models import Territory
    w = SimpleNamespace()
    w.admin = make.person("admin", username="admin1")
    w.cm = make.person("channel_manager", username="cm1")
    w.auditor = make.person("auditor", username="auditor1")
    for key in ("a", "b"):
        partner = make.partner(f"代理商{key.upper()}", manager=w.cm if key == "a" else None)
        team = make.team(partner, f"一组{key}")
        other_team = make.team(partner, f"二组{key}")
        setattr(w, key, SimpleNamespace(
            partner=partner, team=team, other_team=other_team,
            owner=make.person("owner", partner, username=f"owner_{key}"),
            manager=make.person("manager", partner, team, username=f"manager_{key}"),
            staff=make.person("staff", partner, team, username=f"staff_{key}"),
            other_staff=make.person("staff", partner, other_team, username=f"staff2_{key}")))
        team.leader_id = getattr(w, key).manager.id
        getattr(w, key).territory = Territory(partner_id=partner.id, exclusive=True,
                                              region_code="330106" if key == "b" else "330102")
        db.session.add(getattr(w, key).territory)
    db.session.commit()
    return w


@pytest.fixture
def walk_world(world, banks):
    """`world` plus every domain's objects per partner (their `walk` modules, see
    tests/walk.py), for the URL-map walks."""
    from tests import walk
    return walk.build(world)
