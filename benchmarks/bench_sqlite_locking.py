"""4 processes x 200 read-then-write transactions on one SQLite file (WAL):
deferred BEGIN against BEGIN IMMEDIATE. Prints failures ("database is locked") and time."""
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.sqlite_writers import make_counter, raw_worker, read_counter  # noqa: E402

PROCESSES, TRANSACTIONS = 4, 200


def run(begin: str) -> tuple[int, int, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "bench.db")
        make_counter(path)
        started = time.perf_counter()
        with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
            failed = sum(pool.starmap(raw_worker, [(path, begin, TRANSACTIONS)] * PROCESSES))
        elapsed = time.perf_counter() - started
        return failed, read_counter(path), elapsed


if __name__ == "__main__":
    total = PROCESSES * TRANSACTIONS
    print(f"{PROCESSES} processes x {TRANSACTIONS} read-then-write transactions")
    for begin in ("BEGIN", "BEGIN IMMEDIATE"):
        failed, counted, elapsed = run(begin)
        print(f"  {begin:<16} failed {failed:4d}/{total} ({failed / total:.0%}), "
              f"counter {counted}, {elapsed:.2f}s")
