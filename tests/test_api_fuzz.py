"""Property-based tests of the API against its own OpenAPI document (schemathesis, WSGI,
no server): whatever a client sends, the answer is never a 5xx and always matches the
documented responses, for a principal admin and for a partner owner.

The deep fuzz: marked `fuzz`, left out of the default run (`pytest -m fuzz` runs it;
.ci/run does, once, on SQLite)."""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, ignored_auth,
                                               negative_data_rejection,
                                               response_schema_conformance,
                                               status_code_conformance)
from sqlalchemy import func, select

from portal.auth.models import ApiToken, User
from portal.auth.sessions import issue_token
from portal.broadcasts.models import Broadcast, Receipt
from portal.broadcasts.services import create_broadcast
from portal.core import clock
from portal.core.audit import AuditLog
from portal.exams.models import Assignment, Attempt, AttemptItem, Exam, Sitting
from portal.extensions import db
from portal.habits.models import Customer, HabitDay, Visit
from portal.org.models import Partner, Team, Territory
from portal.results.models import Order, Payment, ResultDay
from tests.habiting import customer
from tests.resulting import order

pytestmark = pytest.mark.fuzz

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance,
          content_type_conformance, negative_data_rejection, ignored_auth]
WATCHED = (AuditLog, ApiToken, Partner, Team, Territory, User, Broadcast, Receipt, Exam,
           Sitting, Assignment, Attempt, AttemptItem, Customer, Visit, HabitDay,
           Order, Payment, ResultDay)
# Small enough for every test run; raise it (and drop derandomize) to search harder.
EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", 25))


@pytest.fixture(params=["admin", "owner"])
def caller(request, world):
    return world.admin if request.param == "admin" else world.a.owner


@pytest.fixture
def auth_headers(caller):
    token = issue_token(caller, "fuzz")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api_schema(app, caller):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def row_counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m))
            for m in WATCHED}


@pytest.fixture
def broadcast(world):
    """One published broadcast with a question, so broadcast ids meet a real one."""
    made = create_broadcast(world.cm, title="政策", body_md="正文", category="policy",
                            audience={}, requires_ack=True, publish_at=clock.now(),
                            questions=[{"text": "问题", "options": ["甲", "乙"], "correct": 1}])
    db.session.commit()
    return made


@pytest.fixture
def shop(world):
    """A customer of A with one order, so customer and order ids meet real ones."""
    made = customer(world.a.staff)
    order(world.a.staff, made, "100")
    return made


@pytest.fixture
def unchanged_database(auth_headers, broadcast, shop):
    """Row counts of every table the API touches, to compare after each request."""
    return row_counts()


# schemathesis' own pytest plugin (`from_fixture` + `parametrize`) does not run under
# pytest 9.2 (it writes `node._nodeid`), so each operation runs as a plain Hypothesis
# test over schemathesis' strategies.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_answers_every_request_as_documented(api_schema, auth_headers,
                                                 unchanged_database, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 45
    for operation in operations:
        if mode.is_negative and not (operation.query or operation.path_parameters
                                     or operation.body):
            continue  # nothing a client sends to /me can be invalid but the token
        @given(case=operation.as_strategy(generation_mode=mode, headers=auth_headers))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize="API_FUZZ_EXAMPLES" not in os.environ, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):
            response = case.call_and_validate(checks=CHECKS)
            db.session.rollback()
            if response.status_code == 201:  # a broadcast was published: the new baseline
                unchanged_database.update(row_counts())
            assert row_counts() == unchanged_database

        answers_as_documented()
