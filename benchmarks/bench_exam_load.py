"""A light run of the exam load scenario (benchmarks/exam_load): 200 staff start,
autosave and submit one exam through the API at once, against `flask run` on a
throwaway SQLite file (and gunicorn on a throwaway PostgreSQL database when BENCH_PG_URL
is set). Prints latency per request type, failures and lost answers, and ratios: the
tail against the median, the start against an autosave. The full 1,000-taker run is
`make load-exams`."""
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.exam_load.run import print_summary, scenario  # noqa: E402

USERS, RATE, DURATION = 200, 20, "60s"


def by_name(summary: dict, word: str) -> dict:
    return next(row for row in summary["requests"] if word in row["name"])


def ratios(summary: dict) -> None:
    start, save = by_name(summary, "(start)"), by_name(summary, "(autosave)")
    submit, total = by_name(summary, "submit"), by_name(summary, "Aggregated")
    print(f"   ratios: p95/p50 start {start['95%'] / start['50%']:.1f}x, autosave "
          f"{save['95%'] / save['50%']:.1f}x, submit {submit['95%'] / submit['50%']:.1f}x; "
          f"start/autosave p50 {start['50%'] / save['50%']:.1f}x; "
          f"{total['count'] / summary['users']:.1f} requests per taker")


if __name__ == "__main__":
    results = [scenario(db="sqlite", users=USERS, rate=RATE, duration=DURATION, quiet=True)]
    pg = os.environ.get("BENCH_PG_URL")  # e.g. postgresql://postgres@127.0.0.1:5432/postgres
    if pg:
        results.append(scenario(db="postgresql", users=USERS, rate=RATE, duration=DURATION,
                                pg_admin=pg, quiet=True))
    for summary in results:
        print_summary(summary)
        ratios(summary)
    if len(results) == 2:
        lite, pg = (by_name(s, "Aggregated") for s in results)
        print(f"   SQLite+flask / PostgreSQL+gunicorn: p50 {lite['50%'] / pg['50%']:.2f}x, "
              f"p95 {lite['95%'] / pg['95%']:.2f}x")
    if not all(summary["check"]["ok"] for summary in results):
        sys.exit("answers were lost or attempts left open")
