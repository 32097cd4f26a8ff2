"""The exam load scenario end to end: a throwaway database (SQLite file or a fresh
PostgreSQL database), migrated and prepared; a server (`flask run`, the threaded
Werkzeug server of `make run`, or gunicorn); locust, headless; then check.py on the
database. Prints latency per request type, failures, throughput, lost answers and the
machine it ran on.

    python benchmarks/exam_load/run.py --db sqlite --users 1000 --rate 50 --duration 5m
    python benchmarks/exam_load/run.py --db postgresql --users 1000 --rate 50 --duration 5m
"""
import argparse
import csv
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
LATENCY_COLUMNS = ("50%", "95%", "99%", "100%")


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"load average {load}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the database ---------------------------------------------------------------------
def make_database(kind: str, work: Path, pg_admin: str) -> tuple[str, object]:
    """(URL, drop function) of a new empty database."""
    if kind == "sqlite":
        return f"sqlite:///{work / 'load.db'}", lambda: None
    import psycopg
    name = f"exam_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return pg_admin.rsplit("/", 1)[0] + "/" + name, drop


def environment(uri: str) -> dict:
    # DATABASE_URL wins over PORTAL_* in load_config; set both so neither leaks in.
    return {**os.environ, "PORTAL_SQLALCHEMY_DATABASE_URI": uri, "DATABASE_URL": uri,
            "PYTHONUNBUFFERED": "1"}


# --- the server -----------------------------------------------------------------------
def server_command(kind: str, port: int, workers: int, threads: int) -> list[str]:
    if kind == "flask":  # as `make run` serves: the Werkzeug server, one thread per request
        return [str(BIN / "flask"), "--app", "app", "run", "--host", "127.0.0.1",
                "--port", str(port)]
    # Keep-alive beyond a taker's think time: gunicorn's default (2 s) closes idle
    # connections that the client may be reusing at that very moment.
    return [str(BIN / "gunicorn"), "-w", str(workers), "-k", "gthread", "--threads",
            str(threads), "--keep-alive", "10", "-b", f"127.0.0.1:{port}",
            "--timeout", "120", "app:app"]


def wait_until_up(url: str, process, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url + "/api/v1/me", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # 401 without a token: it is serving
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not answer within a minute")


def stop(process) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- locust ---------------------------------------------------------------------------
def run_locust(url: str, plan: Path, work: Path, users: int, rate: float, duration: str,
               think: str) -> float:
    """Run the scenario headless; returns its wall time in seconds."""
    env = {**os.environ, "EXAM_LOAD_PLAN": str(plan), "EXAM_LOAD_LOG_DIR": str(work / "logs"),
           "EXAM_LOAD_THINK": think}
    command = [str(BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--host", url,
               "--headless", "-u", str(users), "-r", str(rate), "-t", duration,
               "--only-summary", "--csv", str(work / "locust"), "--stop-timeout", "5",
               "--loglevel", "WARNING"]
    started = time.perf_counter()
    with open(work / "locust.out", "w") as out:
        subprocess.run(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return time.perf_counter() - started


def read_stats(work: Path) -> tuple[list[dict], list[dict]]:
    with open(work / "locust_stats.csv", newline="") as fh:
        stats = list(csv.DictReader(fh))
    failures = []
    if (work / "locust_failures.csv").exists():
        with open(work / "locust_failures.csv", newline="") as fh:
            failures = list(csv.DictReader(fh))
    return stats, failures


def server_errors(log: Path) -> dict:
    text = log.read_text(errors="replace") if log.exists() else ""
    return {"tracebacks": text.count("Traceback (most recent call last)"),
            "database is locked": text.count("database is locked")}


# --- the whole run --------------------------------------------------------------------
def scenario(*, db: str = "sqlite", server: str | None = None, users: int = 1000,
             rate: float = 50, duration: str = "5m", think: str = "2,6", workers: int = 4,
             threads: int = 8, pg_admin: str = PG_ADMIN, keep: bool = False,
             quiet: bool = False) -> dict:
    """Run it all; returns the figures (also written to summary.json in the work folder)."""
    from benchmarks.exam_load import check, prepare
    server = server or ("flask" if db == "sqlite" else "gunicorn")
    say = (lambda *a: None) if quiet else (lambda *a: print(*a, flush=True))
    work = Path(tempfile.mkdtemp(prefix=f"exam_load_{db}_"))
    summary = {"db": db, "server": server, "users": users, "rate": rate,
               "duration_cap": duration, "think": think, "machine": machine(),
               "work": str(work)}
    if server == "gunicorn":
        summary["server"] = (f"gunicorn -w {workers} -k gthread --threads {threads} "
                             "--keep-alive 10")
    uri, drop = make_database(db, work, pg_admin)
    summary["database"] = uri
    process = None
    try:
        env = environment(uri)
        subprocess.run([str(BIN / "flask"), "--app", "app", "db", "upgrade"], cwd=ROOT,
                       env=env, check=True, capture_output=True)
        plan_path = work / "plan.json"
        started = time.perf_counter()
        plan = prepare.prepare(uri, users, plan_path)
        summary["prepare_seconds"] = round(time.perf_counter() - started, 1)
        say(f"prepared {len(plan['tokens'])} takers, sitting {plan['sitting_id']} "
            f"({summary['prepare_seconds']}s); starting {summary['server']} on {db}")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(work / "server.log", "w") as log:
            process = subprocess.Popen(server_command(server, port, workers, threads),
                                       cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_until_up(url, process)
        say(f"locust: {users} users, ramp {rate}/s, cap {duration}, think {think}s")
        summary["locust_seconds"] = round(run_locust(url, plan_path, work, users, rate,
                                                     duration, think), 1)
        summary["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        stop(process)
        stats, failures = read_stats(work)
        if not any(row["Name"] == "Aggregated" and int(row["Request Count"]) for row in stats):
            tail = (work / "locust.out").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"locust sent no requests:\n{tail}")
        summary["requests"] = [{
            "name": f"{row['Type']} {row['Name']}".strip(), "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]), "rps": float(row["Requests/s"]),
            **{column: _ms(row[column]) for column in LATENCY_COLUMNS}} for row in stats]
        summary["failures"] = [{"name": row["Name"], "error": row["Error"],
                                "occurrences": int(row["Occurrences"])} for row in failures]
        summary["server_errors"] = server_errors(work / "server.log")
        logs = sorted((work / "logs").glob("*.jsonl"))
        report = check.check_database(uri, logs, sweep=True)
        summary["check"] = _figures(report)
        if not quiet:
            check.print_report(report)
        if report.open_attempts:
            # What the deadline job will make of them once the window has closed.
            later = check.check_database(uri, logs, at_close=True)
            summary["check_at_close"] = _figures(later)
            if not quiet:
                print("after the deadline sweep at the window's close:")
                check.print_report(later)
        (work / "summary.json").write_text(json.dumps(summary, indent=1, default=str))
        return summary
    finally:
        if process is not None:
            stop(process)
        if not keep:
            drop()
            shutil.rmtree(work, ignore_errors=True)


def _figures(report) -> dict:
    unsubmitted = sum(lost["why"] == "attempt not submitted" for lost in report.lost)
    return {"acknowledged": report.acknowledged, "attempts": report.attempts,
            "submitted": report.submitted, "swept": report.swept, "lost": len(report.lost),
            "lost_changed": len(report.lost) - unsubmitted, "lost_unsubmitted": unsubmitted,
            "open": len(report.open_attempts), "submit_problems": len(report.bad_submits),
            "ok": report.ok}


def _ms(value: str):
    return None if value in ("", "N/A") else float(value)


def print_summary(summary: dict) -> None:
    print(f"== exam load: {summary['users']} takers, {summary['server']} + {summary['db']}")
    print(f"   machine: {summary['machine']} (after the run: {summary['load_after']})")
    print(f"   locust wall time {summary['locust_seconds']}s (cap {summary['duration_cap']}, "
          f"ramp {summary['rate']}/s, think {summary['think']}s before each request)")
    print(f"   {'request':<47}{'count':>7}{'fail':>6}{'p50':>8}{'p95':>8}{'p99':>8}"
          f"{'max':>8}  (ms)")
    for row in summary["requests"]:
        print(f"   {row['name']:<47}{row['count']:>7}{row['failures']:>6}"
              + "".join(f"{row[c] if row[c] is not None else '-':>8}" for c in LATENCY_COLUMNS))
    total = next((r for r in summary["requests"] if r["name"] == "Aggregated"), None)
    if total:
        print(f"   throughput {total['rps']:.1f} requests/s (first to last request); "
              f"failures {total['failures']} of {total['count']}")
    for failure in summary["failures"]:
        print(f"   failure x{failure['occurrences']}: {failure['name']}: {failure['error']}")
    errors = summary["server_errors"]
    print(f"   server log: {errors['tracebacks']} tracebacks, "
          f"{errors['database is locked']} 'database is locked'")
    for key, when in (("check", "now"), ("check_at_close", "at the window's close")):
        if key not in summary:
            continue
        result = summary[key]
        print(f"   check {when}: {result['acknowledged']} acknowledged answers, "
              f"{result['attempts']} attempts, {result['submitted']} submitted "
              f"({result['swept']} by the deadline sweep), still open {result['open']}, "
              f"submit problems {result['submit_problems']}")
        print(f"   lost answers: {result['lost']} (changed or missing "
              f"{result['lost_changed']}, in attempts not submitted "
              f"{result['lost_unsubmitted']})")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--server", choices=("flask", "gunicorn"),
                        help="default: flask with sqlite, gunicorn with postgresql")
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=50, help="users started per second")
    parser.add_argument("--duration", default="5m", help="cap, e.g. 90s, 3m")
    parser.add_argument("--think", default="2,6", help="seconds before each request: min,max")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--pg-admin", default=os.environ.get("LOAD_PG_URL", PG_ADMIN),
                        help="a PostgreSQL URL allowed to create and drop databases")
    parser.add_argument("--keep", action="store_true",
                        help="keep the database and the work folder (logs, CSV)")
    args = parser.parse_args(argv)
    summary = scenario(db=args.db, server=args.server, users=args.users, rate=args.rate,
                       duration=args.duration, think=args.think, workers=args.workers,
                       threads=args.threads, pg_admin=args.pg_admin, keep=args.keep)
    print_summary(summary)
    if args.keep:
        print(f"   kept: {summary['work']} and the database {summary['database']}")
    return 0 if summary["check"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
