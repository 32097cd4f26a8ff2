"""Locust scenario: staff take one exam through the API at the same time.

Each simulated taker has its own bearer token (from prepare.py's plan). It starts (or
resumes) its attempt, answers its questions in 3-4 autosaves with a few seconds of
thought before each, sometimes changes an earlier answer, then submits (half of the
takers send their last answers with the submit, as the page does with what was not
autosaved yet). Like the page, a failed autosave keeps its answers for the next one;
after an error at start or submit the taker tries again (at most TRIES times). After
submitting it stays idle; when every taker of this process is done, the run stops on
its own (the -t duration is a cap). One locust process: the tokens are handed out in
order from the plan.

Every answer the server acknowledged, every failed save, and every start and submit
response go to a JSON-lines log (one file per locust process) for check.py.

Environment: EXAM_LOAD_PLAN (plan JSON, required), EXAM_LOAD_LOG_DIR (default: the
plan's folder), EXAM_LOAD_THINK ("min,max" seconds of thought before each request, default "2,6").

    locust -f benchmarks/exam_load/locustfile.py --host http://127.0.0.1:5000 \\
        --headless -u 1000 -r 50 -t 3m --only-summary --csv /tmp/load
"""
import itertools
import json
import os
import random
import string
import time
from pathlib import Path

import gevent
from locust import FastHttpUser, events, task

PLAN_PATH = Path(os.environ.get("EXAM_LOAD_PLAN", "exam-load-plan.json"))
LOG_DIR = Path(os.environ.get("EXAM_LOAD_LOG_DIR") or PLAN_PATH.parent)
THINK = tuple(float(x) for x in os.environ.get("EXAM_LOAD_THINK", "2,6").split(","))
TRIES = 3  # a taker who meets an error reloads or presses the button again
FILL_WORDS = ("拜访量", "有效拜访", "新客户开发", "二次跟进", "本地化服务", "现有客户")

_plan: dict = {}
_next_taker = itertools.count()
_log = None
_finished = 0


@events.test_start.add_listener
def _open(environment, **_):
    global _plan, _log
    _plan = json.loads(PLAN_PATH.read_text())
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    # Line-buffered: a line is on disk as soon as it is written, even if locust is killed.
    _log = open(LOG_DIR / f"acks-{os.getpid()}.jsonl", "a", encoding="utf-8", buffering=1)


@events.test_stop.add_listener
def _close(environment, **_):
    if _log is not None:
        _log.flush()


def log(**record) -> None:
    record["t"] = round(time.time(), 3)
    _log.write(json.dumps(record, ensure_ascii=False) + "\n")


def answer_for(item: dict, rng: random.Random):
    """A plausible answer in shown positions; fill answers are unique per save so a
    stale value can never pass for the acknowledged one."""
    kind, count = item["kind"], len(item.get("options") or [])
    if kind == "single":
        return rng.randrange(count)
    if kind == "multiple":
        return sorted(rng.sample(range(count), rng.randint(1, count)))
    if kind == "truefalse":
        return rng.random() < 0.5
    return rng.choice(FILL_WORDS) + "".join(rng.choices(string.digits, k=6))


def _all_done(environment) -> None:
    """Stop the run once every taker this process could serve has submitted."""
    global _finished
    _finished += 1
    wanted = min(len(_plan["tokens"]), environment.parsed_options.num_users
                 if environment.parsed_options else len(_plan["tokens"]))
    if _finished >= wanted and environment.runner is not None:
        gevent.spawn_later(0.5, environment.runner.quit)


class ExamTaker(FastHttpUser):
    network_timeout = 60.0
    connection_timeout = 60.0

    def on_start(self):
        number = next(_next_taker)
        self.rng = random.Random(number)
        self.token = None
        if number < len(_plan["tokens"]):
            self.token = _plan["tokens"][number]["token"]
        self.headers = {"Authorization": f"Bearer {self.token}",
                        "Accept-Language": "zh"}
        self.seq = 0

    def think(self):
        gevent.sleep(self.rng.uniform(*THINK))

    def call(self, method: str, path: str, name: str, body=None):
        """One request; returns (ok, status, JSON body or None)."""
        with self.client.request(method, path, name=name, json=body, headers=self.headers,
                                 catch_response=True) as response:
            status = response.status_code or 0
            try:
                data = response.json() if response.content else None
            except ValueError:
                data = None
            ok = 200 <= status < 300
            if not ok:
                reason = data.get("error") if isinstance(data, dict) else None
                reason = reason or getattr(response, "error", None) or ""
                response.failure(f"HTTP {status} {reason}".strip())
            return ok, status, data

    def start_attempt(self):
        """Start or resume; after an error the taker reloads, up to TRIES times."""
        path = f"/api/v1/exams/{_plan['sitting_id']}/attempts"
        for attempt_number in range(TRIES):
            if attempt_number:
                self.think()
            ok, status, attempt = self.call("POST", path, "/exams/[sitting]/attempts (start)",
                                            {})
            log(type="start", attempt=attempt["id"] if ok else None, ok=ok, status=status)
            if ok:
                return attempt
        return None

    def save_answers(self, attempt_id: int, answers: dict) -> bool:
        self.seq += 1
        ok, status, _ = self.call("PUT", f"/api/v1/attempts/{attempt_id}/answers",
                                  "/attempts/[id]/answers (autosave)", {"answers": answers})
        log(type="save", attempt=attempt_id, seq=self.seq, ok=ok, status=status,
            answers=answers)
        return ok

    def submit_attempt(self, attempt_id: int, answers: dict) -> None:
        """Submit with the answers not saved yet; after an error the taker presses
        submit again, up to TRIES times."""
        for attempt_number in range(TRIES):
            if attempt_number:
                self.think()
            ok, status, result = self.call("POST", f"/api/v1/attempts/{attempt_id}/submit",
                                           "/attempts/[id]/submit",
                                           {"answers": answers} if answers else {})
            if answers:
                self.seq += 1
                # Answers sent with a submit are saved only while the time is not up.
                saved = ok and (result or {}).get("submitted_by") == "taker"
                log(type="save", attempt=attempt_id, seq=self.seq, ok=saved, status=status,
                    answers=answers, via="submit")
            log(type="submit", attempt=attempt_id, ok=ok, status=status, body=result)
            if ok:
                return

    @task
    def take_exam(self):
        if self.token is None:
            self.idle()
        self.think()  # reading the exam's first page
        attempt = self.start_attempt()
        if attempt is None:
            _all_done(self.environment)
            self.idle()
        attempt_id, items = attempt["id"], attempt["items"]
        self.rng.shuffle(items)
        size = -(-len(items) // self.rng.choice((3, 4)))
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        # Half the takers press submit with their last answers not autosaved yet.
        with_submit = self.rng.random() < 0.5
        answered, unsaved = [], {}
        for index, batch in enumerate(batches):
            unsaved.update({str(item["id"]): answer_for(item, self.rng) for item in batch})
            if answered and self.rng.random() < 0.3:
                changed = self.rng.choice(answered)  # second thoughts on an earlier one
                unsaved[str(changed["id"])] = answer_for(changed, self.rng)
            answered.extend(batch)
            self.think()
            if with_submit and index == len(batches) - 1:
                break
            # Like the page, a failed autosave keeps its answers for the next one.
            if self.save_answers(attempt_id, unsaved):
                unsaved = {}
        else:
            self.think()
        self.submit_attempt(attempt_id, unsaved)
        _all_done(self.environment)
        self.idle()

    def idle(self):
        """A taker who is done keeps the page open: no more requests. (A user that
        stopped would be replaced by a new one while the ramp-up lasts.)"""
        while True:
            gevent.sleep(3600)
