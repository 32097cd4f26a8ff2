"""Prepare a (migrated, empty) database for the exam load scenario: N staff in a few
partners (`seed-scale`, one shared cheap password hash), the real question bank, one
staff exam open now, and one API token per taker. Writes the plan for locust as JSON:
{"sitting_id", "exam_id", "opens_at", "closes_at", "tokens": [{"user_id", "token"}]}.

    python benchmarks/exam_load/prepare.py --db sqlite:////tmp/load.db --takers 1000 \\
        --out /tmp/load-plan.json
"""
import argparse
import json
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

QUIZZES = ROOT / "quizzes"
# Ten questions across the four staff topics, as a channel manager would ask for them.
DRAW = [{"track": "staff", "tag": "sales-habits", "count": 3},
        {"track": "staff", "tag": "customer-classes", "count": 3},
        {"track": "staff", "tag": "local-service", "count": 2},
        {"track": "staff", "tag": "fair-dealing", "count": 2}]
PASSWORD = "load-test-password"
# Load users sign in with bearer tokens, so the one password hash may be cheap.
CHEAP_HASH = "pbkdf2:sha256:1"


def make_app(uri: str):
    from portal import create_app
    return create_app({"SQLALCHEMY_DATABASE_URI": uri, "PASSWORD_HASH_METHOD": CHEAP_HASH})


def _seed_people(app, partners: int, takers: int) -> str:
    """Run `seed-scale` and return the username prefix of the run it made."""
    from portal.org.seed_scale import seed_scale
    result = app.test_cli_runner().invoke(seed_scale, [
        "--partners", str(partners), "--staff", str(takers), "--password", PASSWORD])
    if result.exit_code != 0:
        raise RuntimeError(f"seed-scale failed: {result.output}\n{result.exception!r}")
    for word in result.output.split():
        if word.startswith("scale") and word.endswith("_;"):
            return word[:-1]
    raise RuntimeError(f"seed-scale printed no run tag: {result.output}")


def prepare(uri: str, takers: int, out: Path, partners: int | None = None,
            window_minutes: int = 15, time_limit: int = 30) -> dict:
    """Fill the database at `uri` for `takers` exam takers and write the plan to `out`.
    The window opens a minute ago and closes `window_minutes` from now, so every
    attempt's deadline is the window's close unless the time limit is shorter."""
    from sqlalchemy import select, update

    from portal.auth.models import User
    from portal.auth.sessions import issue_token
    from portal.core.audit import cli_actor
    from portal.core.clock import now
    from portal.exams import services
    from portal.exams.bank.sync import sync
    from portal.extensions import db

    partners = partners or max(1, min(20, takers // 100))
    app = make_app(uri)
    with app.app_context():
        cli_actor("exam-load")
        prefix = _seed_people(app, partners, takers)
        # seed-scale leaves ~2% of staff inactive; every load user must be able to sign in.
        people = User.username.like(prefix + "%")
        db.session.execute(update(User).where(people).values(active=True))
        loaded = sync([QUIZZES])
        if loaded["problems"]:
            raise RuntimeError(f"quiz bank problems: {loaded['problems'][:3]}")
        staff = db.session.execute(select(User).where(people, User.role == "staff")
                                   .order_by(User.id)).scalars().all()
        partner_ids = sorted({user.partner_id for user in staff})
        start = now()
        exam = services.create_exam(
            None, title=f"压测考试 {start:%Y-%m-%d %H:%M}", track="staff", draw=DRAW,
            time_limit_minutes=time_limit, pass_percent=60, attempts_allowed=1,
            review="after_submit", opens_at=start - timedelta(minutes=1),
            closes_at=start + timedelta(minutes=window_minutes),
            audience={"partner_ids": partner_ids})
        services.schedule(exam)
        sitting = exam.sittings[0]
        if sitting.assigned_count != len(staff):
            raise RuntimeError(f"{sitting.assigned_count} assigned, {len(staff)} staff")
        tokens = [{"user_id": user.id, "token": issue_token(user, name="exam-load")}
                  for user in staff]
        plan = {"sitting_id": sitting.id, "exam_id": exam.id,
                "opens_at": sitting.opens_at.isoformat(),
                "closes_at": sitting.closes_at.isoformat(),
                "questions": exam.question_count, "partners": len(partner_ids),
                "tokens": tokens}
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    out.write_text(json.dumps(plan))
    return plan


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="SQLAlchemy URL of a migrated database")
    parser.add_argument("--takers", type=int, default=1000)
    parser.add_argument("--partners", type=int, help="default: one per 100 takers, 1-20")
    parser.add_argument("--window-minutes", type=int, default=15)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    plan = prepare(args.db, args.takers, args.out, args.partners, args.window_minutes)
    print(f"prepared {len(plan['tokens'])} takers in {plan['partners']} partners, sitting "
          f"{plan['sitting_id']} closing {plan['closes_at']}, "
          f"{time.perf_counter() - started:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
