"""A database too busy to answer (no pooled connection free, SQLite's lock held past its
busy timeout) is a 503 with Retry-After that clients may retry, not a 500; any other
database failure stays a 500."""
import pytest
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout


def _raise(exc):
    def view():
        raise exc
    return view


@pytest.fixture
def busy_app(app):
    app.add_url_rule("/pool-timeout", "pool_timeout", _raise(PoolTimeout("QueuePool limit")))
    app.add_url_rule("/api/v1/locked", "locked", _raise(
        OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked"))))
    app.add_url_rule("/broken", "broken", _raise(
        OperationalError("SELECT", {}, Exception("no such table: nothing"))))
    return app


def test_exhausted_pool_is_a_retryable_503_page(busy_app):
    response = busy_app.test_client().get("/pool-timeout")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert "请稍后再试" in response.get_data(as_text=True)


def test_locked_database_is_a_json_503_on_the_api(busy_app):
    response = busy_app.test_client().get("/api/v1/locked",
                                          headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "3"
    assert response.json["error"] == "service_unavailable"
    assert "busy" in response.json["message"]


def test_other_database_errors_are_not_disguised_as_busy(busy_app):
    busy_app.testing = False  # the production path: unexpected errors become a 500 page
    response = busy_app.test_client().get("/broken")
    assert response.status_code == 500
