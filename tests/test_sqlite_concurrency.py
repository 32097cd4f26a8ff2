"""The embedded SQLite set-up loses no write when several processes write at once."""
import multiprocessing
import os

import pytest

from benchmarks.sqlite_writers import make_counter, portal_worker, read_counter


@pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                    reason="concerns the SQLite default only; this run is on PostgreSQL")
def test_four_processes_reading_then_writing_lose_nothing(tmp_path):
    path = str(tmp_path / "concurrent.db")
    make_counter(path)
    with multiprocessing.get_context("fork").Pool(4) as pool:
        failed = pool.starmap(portal_worker, [(f"sqlite:///{path}", 25)] * 4)
    assert sum(failed) == 0
    assert read_counter(path) == 100
