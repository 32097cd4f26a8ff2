"""After a load run: is every answer the server acknowledged in the database, unchanged,
in a submitted attempt? Reads the JSON-lines logs the locust users wrote and prints
"lost answers: 0" or each lost answer; exits non-zero when anything is lost, an
attempt is still open, or an acknowledged submit did not stick.

Log lines (one JSON object each, written by locustfile.py):
  {"type": "start",  "attempt": 7, "ok": true, ...}
  {"type": "save",   "attempt": 7, "seq": 2, "ok": true, "answers": {"81": 2, "82": [0, 3]}}
  {"type": "submit", "attempt": 7, "ok": true, "body": {...}}
Answers are in the positions the taker was SHOWN; the database keeps the bank's
original positions (`AttemptItem.option_order[shown] = original`).

A save that failed (an error or a time-out) may still have been applied: for an item,
the last acknowledged value must be stored, or the value of a failed save sent after it.

    python benchmarks/exam_load/check.py --db URL [--sweep | --at-close] LOG [LOG ...]
"""
import argparse
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class Report:
    acknowledged: int = 0          # distinct (attempt, item) answers acknowledged
    attempts: int = 0              # attempts of the sittings in the logs, in the database
    submitted: int = 0
    swept: int = 0                 # submitted by the deadline sweep during the check
    lost: list = field(default_factory=list)           # dicts: attempt, item, why
    open_attempts: list = field(default_factory=list)  # attempt ids still not submitted
    bad_submits: list = field(default_factory=list)    # dicts: attempt, why

    @property
    def ok(self) -> bool:
        return not (self.lost or self.open_attempts or self.bad_submits)


def read_logs(paths) -> list[dict]:
    records = []
    for path in paths:
        with open(path, encoding="utf-8") as lines:
            records.extend(json.loads(line) for line in lines if line.strip())
    return records


def expectations(records) -> dict[tuple[int, int], tuple[object, list]]:
    """(attempt, item) -> (last acknowledged shown value, values of failed saves sent
    after it). Items never acknowledged are left out: nothing was promised for them."""
    saves = sorted((r for r in records if r.get("type") == "save"),
                   key=lambda r: (r["attempt"], r["seq"]))
    expected: dict[tuple[int, int], tuple[object, list]] = {}
    for record in saves:
        for key, value in record["answers"].items():
            slot = (record["attempt"], int(key))
            if record.get("ok"):
                expected[slot] = (value, [])
            elif slot in expected:
                expected[slot][1].append(value)
    return expected


def original(item, shown_value):
    """A shown answer in the bank's original option positions, as the server stores it."""
    if shown_value is None or item.option_order is None:
        return shown_value
    kind = item.version.kind
    order = item.option_order
    try:
        if kind == "single":
            return order[shown_value]
        if kind == "multiple":
            return sorted(order[v] for v in shown_value)
    except (IndexError, TypeError):
        return ("not an option", shown_value)  # never equal to a stored answer
    return shown_value


def _same_decimal(reported, stored) -> bool:
    try:
        return Decimal(str(reported)) == Decimal(str(stored))
    except (InvalidOperation, ValueError):
        return False


def check(records, *, sweep: bool = False, at=None, at_close: bool = False) -> Report:
    """Compare the logs with the database (inside an app context). With `sweep`, first
    submit the attempts past their deadline, as the `exams.submit_expired` job would;
    with `at_close`, as that job will once the last of their deadlines has passed."""
    from sqlalchemy import func, select
    from sqlalchemy.orm import selectinload

    from portal.exams import taking
    from portal.exams.models import Attempt, AttemptItem
    from portal.extensions import db

    report = Report()
    logged = {r["attempt"] for r in records if r.get("attempt") is not None}
    if at_close and logged:
        sweep = True
        at = db.session.execute(select(func.max(Attempt.deadline)).where(
            Attempt.id.in_(logged), Attempt.submitted_at.is_(None))).scalar() or at
    if sweep:
        while (count := taking.submit_expired(at)):
            report.swept += count
            db.session.commit()
    found = {a.id: a for a in db.session.execute(
        select(Attempt).where(Attempt.id.in_(logged))).scalars()} if logged else {}
    sittings = {a.sitting_id for a in found.values()}
    every = db.session.execute(select(Attempt).where(Attempt.sitting_id.in_(sittings))
                               ).scalars().all() if sittings else []
    report.attempts = len(every)
    report.submitted = sum(a.submitted_at is not None for a in every)
    report.open_attempts = sorted(a.id for a in every if a.submitted_at is None)
    for attempt_id in sorted(logged - set(found)):
        report.bad_submits.append({"attempt": attempt_id, "why": "started, not in the database"})

    items = {item.id: item for item in db.session.execute(
        select(AttemptItem).where(AttemptItem.attempt_id.in_(logged))
        .options(selectinload(AttemptItem.version))).scalars()} if logged else {}
    expected = expectations(records)
    report.acknowledged = len(expected)
    for (attempt_id, item_id), (value, maybe) in sorted(expected.items()):
        item = items.get(item_id)
        attempt = found.get(attempt_id)
        if item is None or item.attempt_id != attempt_id:
            report.lost.append({"attempt": attempt_id, "item": item_id, "why": "item missing"})
            continue
        allowed = [original(item, v) for v in [value, *maybe]]
        if item.answer not in allowed:
            report.lost.append({"attempt": attempt_id, "item": item_id, "why": "changed",
                                "acknowledged": allowed[0], "stored": item.answer})
        elif attempt.submitted_at is None:
            report.lost.append({"attempt": attempt_id, "item": item_id,
                                "why": "attempt not submitted"})

    for record in records:
        if record.get("type") != "submit" or not record.get("ok"):
            continue
        attempt = found.get(record["attempt"])
        if attempt is None:
            continue
        body = record.get("body") or {}
        if attempt.submitted_at is None:
            report.bad_submits.append({"attempt": attempt.id, "why": "acknowledged submit "
                                       "but not submitted"})
        elif "percent" in body and body["percent"] is not None and \
                not _same_decimal(body["percent"], attempt.percent):
            report.bad_submits.append({"attempt": attempt.id, "why": "percent reported "
                                       f"{body['percent']}, stored {attempt.percent}"})
    return report


def print_report(report: Report, out=None) -> None:
    out = out or sys.stdout
    print(f"acknowledged answers: {report.acknowledged}; attempts: {report.attempts}, "
          f"submitted: {report.submitted} (by the deadline sweep now: {report.swept})",
          file=out)
    unsubmitted = sum(lost["why"] == "attempt not submitted" for lost in report.lost)
    print(f"lost answers: {len(report.lost)} (changed or missing: "
          f"{len(report.lost) - unsubmitted}, in attempts not submitted: {unsubmitted})",
          file=out)
    for lost in report.lost[:50]:
        print(f"  {lost}", file=out)
    if report.open_attempts:
        print(f"attempts still open: {len(report.open_attempts)} "
              f"(e.g. {report.open_attempts[:10]})", file=out)
    for bad in report.bad_submits[:50]:
        print(f"  submit problem: {bad}", file=out)


def check_database(uri: str, paths, sweep: bool = False, at_close: bool = False) -> Report:
    from benchmarks.exam_load.prepare import make_app
    from portal.core.audit import cli_actor
    from portal.extensions import db
    app = make_app(uri)
    with app.app_context():
        cli_actor("exam-load-check")
        report = check(read_logs(paths), sweep=sweep, at_close=at_close)
        db.session.remove()
        db.engine.dispose()
    return report


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--sweep", action="store_true",
                        help="first submit attempts past their deadline, as the job would")
    parser.add_argument("--at-close", action="store_true",
                        help="first submit every open attempt at its deadline, as the job "
                        "will once the window has closed")
    parser.add_argument("logs", nargs="+", type=Path)
    args = parser.parse_args(argv)
    report = check_database(args.db, args.logs, args.sweep, args.at_close)
    print_report(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
