"""Test set-up in the shape of Flask's tutorial: an app per test, a client, a CLI runner,
and factory fixtures that build partners, teams and people.

The database is migrated once per run (Alembic, as in production) with a small set of
regions, then each test gets a clean copy: a copied SQLite file, or on PostgreSQL
(TEST_DATABASE_URL) a throwaway database whose tables are truncated between tests."""
import itertools
import os
import random
import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from portal import create_app
from portal.core import clock
from portal.extensions import db

PASSWORD = "correct-horse-1"
TEST_PROVINCES = {"33", "32", "44"}  # Zhejiang, Jiangsu, Guangdong
KEEP_TABLES = {"regions", "alembic_version"}
QUIZZES = Path(__file__).resolve().parent.parent / "quizzes"
BASE_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "WTF_CSRF_ENABLED": False,
    "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    "RATELIMIT_STORAGE_URI": "memory://",
}



def _migrate(uri: str) -> None:
    from flask_migrate import upgrade
    from portal.org.regions import load_regions
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri})
    with app.app_context():
        upgrade()
        load_regions(db.session, provinces=TEST_PROVINCES, towns={"33"})
        db.session.commit()
        db.engine.dispose()


@pytest.fixture(scope="session")
def database(tmp_path_factory):
    """Yields a function that returns the URI of a clean, migrated database."""
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        name = f"portal_test_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        uri = pg_url.rsplit("/", 1)[0] + "/" + name
        _migrate(uri)
        engine = create_engine(uri.replace("postgresql://", "postgresql+psycopg://", 1))

        def clean():
            with engine.begin() as conn:
                tables = [r[0] for r in conn.execute(text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))]
                wipe = [t for t in tables if t not in KEEP_TABLES]
                if wipe:
                    conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in wipe)
                                      + " RESTART IDENTITY CASCADE"))
            return uri
        yield clean
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    else:
        template = tmp_path_factory.mktemp("db") / "template.db"
        _migrate(f"sqlite:///{template}")
        counter = itertools.count()
        folder = tmp_path_factory.mktemp("dbs")

        def clean():
            target = folder / f"portal-{next(counter)}.db"
            shutil.copyfile(template, target)
            return f"sqlite:///{target}"
        yield clean


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
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database(),
                      "UPLOAD_FOLDER": str(tmp_path / "uploads"), **_settings(request)})
    app.test_client_class = Client
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    clock.set_now(None)


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
    """The question banks of quizzes/ loaded into the test's database."""
    from portal.exams.bank.sync import sync
    sync([QUIZZES])
    db.session.commit()


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
def walk_world(world):
    """`world` plus one object of every other domain per partner, for the URL-map walks."""
    from portal.broadcasts.services import create_broadcast
    from portal.core.clock import now
    from portal.notify.models import Notification, Webhook
    from portal.training import services as training
    for key in ("a", "b"):
        side = getattr(world, key)
        side.notification = Notification(user_id=side.staff.id, category="notice",
                                         title=f"通知{key}")
        # Port 9 on loopback: the private-address guard refuses it without any traffic.
        side.webhook = Webhook(partner_id=side.partner.id, name=f"群{key}", kind="wecom",
                               url="http://127.0.0.1:9/hook", categories="notice")
        db.session.add_all([side.notification, side.webhook])
        side.broadcast = create_broadcast(
            world.admin, title=f"政策{key}", body_md="请阅读", category="policy",
            audience={"partner_ids": [side.partner.id]}, requires_ack=True, publish_at=now(),
            attachments=[("policy.pdf", b"%PDF-1.4 walk")])
        db.session.flush()
        side.attachment = side.broadcast.attachments[0]
        side.course = training.create_course(world.admin, track="staff", title=f"课程{key}")
        db.session.flush()
        side.lesson = training.save_lesson(side.course, title=f"课{key}", body_md="学习",
                                           minutes=3)
        # B's course stays a draft: no one on A's side may see it, not even A's channel manager.
        side.course.published = key == "a"
        db.session.flush()
        training.enroll(side.staff, side.course)
    _walk_exams(world)
    db.session.commit()
    return world


def _walk_exams(world):
    """Per partner: a final staff exam assigned to that partner alone (A's written by A's
    channel manager, B's by the admin), its sitting, an override and a passed attempt with
    its certificate."""
    from datetime import timedelta
    from portal.core.clock import now
    from portal.exams import services as exams, taking
    from portal.exams.bank.sync import sync
    from portal.exams.models import Certificate
    sync([QUIZZES])
    for key in ("a", "b"):
        side = getattr(world, key)
        side.exam = exams.create_exam(
            world.cm if key == "a" else world.admin, title=f"考试{key}", track="staff",
            draw=[{"track": "staff", "tag": "sales-habits", "count": 2}], is_final=True,
            pass_percent=0, attempts_allowed=3, opens_at=now() - timedelta(hours=1),
            closes_at=now() + timedelta(days=1), audience={"partner_ids": [side.partner.id]})
        exams.schedule(side.exam)
        side.sitting = side.exam.sittings[0]
        side.override = exams.add_override(side.sitting, world.admin, user=side.other_staff,
                                           extra_minutes=10, reason="walk")
        side.attempt = taking.start_or_resume(side.staff, side.sitting)
        taking.submit(side.attempt)
        side.certificate = db.session.execute(db.select(Certificate).filter_by(
            attempt_id=side.attempt.id)).scalar_one()
