"""Demo exams with a history: a weekly staff quiz (every Monday 09:00-21:00) whose last
seven sittings were taken by more people each week, three monthly exams for mid-level
managers, the boss track's final exam with certificates, a staff quiz open right now (the
sample staff accounts have not taken it yet), an upcoming exam and an override.

Exams and sittings go through the services (the clock set back to when a channel manager
would have scheduled them). Past attempts are written in bulk: each person's draw comes
from `draw.choose` over one read of the bank and its score from `taking.grade`, so the
numbers are those the portal would have given, without a query per answer."""
from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import exists, insert, select

from portal.auth.models import User
from portal.core.clock import BUSINESS_TZ, frozen, now
from portal.exams import draw, services, taking
from portal.exams.bank.checker import bank_root
from portal.exams.bank.scoring import score
from portal.exams.bank.sync import sync
from portal.exams.models import (Assignment, Attempt, AttemptItem, Exam, Question,
                                 QuestionVersion, Sitting)
from portal.extensions import db

STAFF_AUDIENCE = {"roles": ["staff"]}
WEEKLY_DRAW = [{"track": "staff", "tag": "sales-habits", "count": 2},
               {"track": "staff", "tag": "customer-classes", "count": 2},
               {"track": "staff", "tag": "local-service", "count": 1},
               {"track": "staff", "tag": "fair-dealing", "count": 1}]
OPEN_DRAW = [{"track": "staff", "tag": "customer-classes", "count": 3},
             {"track": "staff", "tag": "local-service", "count": 3},
             {"track": "staff", "tag": "", "count": 2}]
MID_DRAW = [{"track": "mid", "tag": "targets", "count": 2},
            {"track": "mid", "tag": "process-tracking", "count": 2},
            {"track": "mid", "tag": "results", "count": 2},
            {"track": "mid", "tag": "team-efficiency", "count": 2}]
BOSS_DRAW = [{"track": "boss", "tag": "operating-innovation", "count": 4},
             {"track": "boss", "tag": "market-mechanism", "count": 3},
             {"track": "boss", "tag": "channel-layout", "count": 3}]
WEEKS = 7
WRONG_FILLS = ("不清楚", "不确定", "跟进")


def _local(day, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), BUSINESS_TZ)


class Takers:
    """Decides who takes a sitting and how well, and collects the rows to write. Each
    person has an ability, each question a difficulty, both fixed by the demo's seed."""

    def __init__(self, rng, moment: datetime):
        self.rng, self.now = rng, moment
        self.versions: dict[int, QuestionVersion] = {}
        self.pools: dict[int, dict] = {}
        self.seen: dict[tuple[int, int], Counter] = {}
        self.ability: dict[int, float] = {}
        self.difficulty: dict[int, float] = {}
        self.attempts: list[dict] = []
        self.items: list[list[dict]] = []

    def _version(self, vid: int) -> QuestionVersion:
        if vid not in self.versions:
            self.versions[vid] = db.session.get(QuestionVersion, vid)
        return self.versions[vid]

    def _chance(self, user_id: int, question_id: int, bonus: float) -> float:
        ability = self.ability.setdefault(
            user_id, min(0.95, max(0.3, self.rng.gauss(0.7, 0.14))))
        # A few questions are much harder than the rest: item analysis should show them.
        hard = self.difficulty.setdefault(question_id, self.rng.choice(
            (-0.35, -0.15, -0.05, 0.0, 0.05, 0.1, 0.15)))
        return min(0.98, max(0.05, ability + hard + bonus))

    def _answer(self, version: QuestionVersion, right: bool):
        rng = self.rng
        if version.kind == "truefalse":
            return version.answer if right else not version.answer
        if version.kind == "fill":
            return version.answer[0] if right else rng.choice(WRONG_FILLS)
        options = range(len(version.options))
        if version.kind == "single":
            return version.answer if right else rng.choice(
                [o for o in options if o != version.answer])
        correct = set(version.answer)
        if right:
            return sorted(correct)
        wrong = [o for o in options if o not in correct]
        if len(correct) > 1 and (not wrong or rng.random() < 0.6):
            return sorted(rng.sample(sorted(correct), len(correct) - 1))  # one missed
        return sorted(correct | {rng.choice(wrong)})

    def sit(self, sitting: Sitting, share: float, *, bonus: float = 0.0, retake: float = 0.35,
            late: float = 0.08, running: int = 0, spare=()) -> None:
        """About `share` of the people assigned to `sitting` finish an attempt before now
        (some run out of time, some fail and try again); `running` more are taking it."""
        exam, rng = sitting.exam, self.rng
        if exam.id not in self.pools:
            self.pools[exam.id] = draw.pools_for(exam.draw)
        people = db.session.execute(
            select(Assignment.user_id, Assignment.partner_id, Assignment.team_id)
            .join(User, User.id == Assignment.user_id)
            .where(Assignment.sitting_id == sitting.id, User.username.not_in(spare))
            .order_by(Assignment.user_id)).all()
        chosen = rng.sample(people, min(len(people), round(len(people) * share) + running))
        limit = timedelta(minutes=exam.time_limit_minutes or 30)
        latest = min(sitting.closes_at, self.now) - limit
        for index, (user_id, partner_id, team_id) in enumerate(chosen):
            if index < running:
                start = self.now - timedelta(minutes=rng.randint(2, 8))
                self._attempt(exam, sitting, (user_id, partner_id, team_id), 1, start,
                              limit, bonus, late=0, done=False)
                continue
            if latest <= sitting.opens_at:
                break
            span = (latest - sitting.opens_at).total_seconds()
            start = sitting.opens_at + timedelta(seconds=rng.uniform(0, span))
            passed = self._attempt(exam, sitting, (user_id, partner_id, team_id), 1, start,
                                   limit, bonus, late)
            again = start + limit + timedelta(minutes=rng.randint(10, 120))
            if not passed and exam.attempts_allowed > 1 and rng.random() < retake \
                    and again + limit <= min(sitting.closes_at, self.now):
                self._attempt(exam, sitting, (user_id, partner_id, team_id), 2, again,
                              limit, bonus + 0.12, late)

    def _attempt(self, exam, sitting, who, number, start, limit, bonus, late,
                 done=True) -> bool:
        rng, (user_id, partner_id, team_id) = self.rng, who
        seen = self.seen.setdefault((exam.id, user_id), Counter())
        versions = [self._version(v) for v in draw.choose(exam.draw, self.pools[exam.id],
                                                           seen, rng)]
        seen.update(v.question_id for v in versions)
        # The demo's past sittings carry no overrides, so the deadline is the plain rule.
        deadline = min(start + limit, sitting.closes_at)
        by_deadline = done and rng.random() < late
        finish = deadline if by_deadline else start + limit * rng.uniform(0.3, 0.95)
        answered = len(versions) - (rng.randint(1, 2) if by_deadline else 0)
        if not done:
            answered = rng.randint(1, len(versions) - 1)
        items = []
        for position, version in enumerate(versions, start=1):
            answer = None
            if position <= answered:
                right = rng.random() < self._chance(user_id, version.question_id, bonus)
                answer = self._answer(version, right)
            order = list(range(len(version.options or []))) or None
            if order and exam.shuffle_options:
                rng.shuffle(order)
            items.append({"position": position, "question_version_id": version.id,
                          "option_order": order, "answer": answer,
                          "saved_at": start + (finish - start) * position / len(versions)
                          if answer is not None else None,
                          "score": score(version, answer) if done else None})
        row = {"sitting_id": sitting.id, "user_id": user_id, "number": number,
               "partner_id": partner_id, "team_id": team_id, "started_at": start,
               "deadline": deadline}
        passed = False
        if done:
            total, most, percent, passed = taking.grade(
                [(v, i["answer"]) for v, i in zip(versions, items)], exam.pass_percent)
            row.update(submitted_at=finish, submitted_by="deadline" if by_deadline else "taker",
                       score=total, max_score=most, percent=percent, passed=passed)
        self.attempts.append(row)
        self.items.append(items)
        return passed

    def write(self) -> int:
        """Insert the collected attempts and their items: two bulk INSERTs."""
        if not self.attempts:
            return 0
        columns = {"submitted_at": None, "submitted_by": None, "score": None,
                   "max_score": 0, "percent": None, "passed": None}
        rows = [{**columns, **row} for row in self.attempts]
        ids = db.session.execute(insert(Attempt).returning(
            Attempt.id, sort_by_parameter_order=True), rows).scalars().all()
        # No answer and no option order are SQL NULL, as when taking it: the JSON columns
        # are left out of the row (a None would be stored as the text 'null').
        batches: dict[tuple, list[dict]] = {}
        for attempt_id, items in zip(ids, self.items):
            for item in items:
                row = {key: value for key, value in item.items()
                       if value is not None or key not in ("answer", "option_order")}
                row["attempt_id"] = attempt_id
                batches.setdefault(tuple(sorted(row)), []).append(row)
        for batch in batches.values():
            db.session.execute(insert(AttemptItem), batch)
        return len(ids)


def _exam(author, when: datetime, schedule_at: datetime | None = None, **values) -> Exam:
    """An exam created as if at `when` and scheduled at `schedule_at` (default: then)."""
    with frozen(when):
        exam = services.create_exam(author, **values)
    with frozen(schedule_at or when):
        services.schedule(exam)
    return exam


def _past_sitting(exam: Exam, opens: datetime, closes: datetime) -> Sitting:
    with frozen(opens - timedelta(hours=1)):
        sitting = services.add_sitting(exam, opens, closes)
    sitting.announced_at = opens
    sitting.reminded_at = closes - min(timedelta(hours=24), (closes - opens) / 4)
    return sitting


def seed_demo(rng) -> str:
    """Add the demo's exams, sittings, attempts, certificates and an override; returns
    a summary line."""
    if not db.session.execute(select(exists().where(Question.id.is_not(None)))).scalar():
        sync([bank_root()])  # `make run` syncs first; a bare seed-demo does it here
        db.session.flush()
    managers = db.session.execute(select(User).where(
        User.role == "channel_manager", User.active.is_(True)).order_by(User.id)
    ).scalars().all()
    js = (managers * 2)[1]
    # The national exams are the admin's (only it addresses every partner); a provincial
    # channel manager schedules one for its own partners.
    admin = db.session.execute(select(User).where(User.role == "admin")
                               .order_by(User.id).limit(1)).scalar_one()
    moment = now().replace(second=0, microsecond=0)
    today = moment.astimezone(BUSINESS_TZ).date()
    takers = Takers(rng, moment)

    # The weekly staff quiz, with its last seven Mondays taken by more people each week.
    monday = today - timedelta(days=today.weekday())
    if _local(monday, 21) > moment:
        monday -= timedelta(days=7)
    first = monday - timedelta(weeks=WEEKS - 1)
    # Scheduled now (planning this week's or next Monday's sitting); the past ones follow.
    weekly = _exam(admin, _local(first, 9) - timedelta(days=3), moment, title="员工每周一练",
                   description="每周一 09:00–21:00 开放，6 道题，15 分钟。覆盖销售习惯、客户分类、本地服务和公平交易。",
                   track="staff", draw=WEEKLY_DRAW, time_limit_minutes=15, pass_percent=60,
                   attempts_allowed=2, grading="highest", audience=STAFF_AUDIENCE,
                   opens_at=_local(first, 0),
                   recurrence={"weekdays": [0], "open": "09:00", "close": "21:00"})
    for week in range(WEEKS):
        day = first + timedelta(weeks=week)
        sitting = _past_sitting(weekly, _local(day, 9), _local(day, 21))
        takers.sit(sitting, 0.55 + 0.30 * week / (WEEKS - 1), bonus=0.015 * week)

    # Monthly exams of the mid-level track: one window at the start of each month.
    for back in (3, 2, 1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        opens = _local(today.replace(year=year, month=month + 1, day=3), 9)
        exam = _exam(admin, opens - timedelta(days=2), title=f"腰部力量月度考试（{month + 1}月）",
                     description="目标设定、过程追踪、拿结果与团队效率。", track="mid",
                     draw=MID_DRAW, time_limit_minutes=20, pass_percent=60,
                     review="after_close", audience={"roles": ["manager"]}, opens_at=opens,
                     closes_at=opens + timedelta(days=3, hours=12))
        takers.sit(exam.sittings[0], (0.68, 0.76, 0.84)[3 - back], late=0.05)
        exam.sittings[0].announced_at = opens
        exam.sittings[0].reminded_at = exam.sittings[0].closes_at - timedelta(hours=21)

    # The boss track's final exam, three weeks ago: certificates for those who passed.
    opens = _local(today - timedelta(days=24), 9)
    final = _exam(admin, opens - timedelta(days=7), title="渠道老板成长营结业考试",
                  description="经营创新、市场机制与渠道布局。通过者获得结业证书。", track="boss",
                  draw=BOSS_DRAW, time_limit_minutes=40, pass_percent=70, attempts_allowed=2,
                  is_final=True, audience={"roles": ["owner"]}, opens_at=opens,
                  closes_at=opens + timedelta(days=7, hours=12))
    takers.sit(final.sittings[0], 0.85, bonus=0.05, retake=0.8, late=0.0)
    final.sittings[0].announced_at = opens
    final.sittings[0].reminded_at = final.sittings[0].closes_at - timedelta(hours=24)

    # Open right now; each partner's first staff account is left to try it out.
    opens = moment.replace(minute=0) - timedelta(hours=3)
    quiz = _exam(admin, opens - timedelta(days=1), title="客户分类与本地服务小测",
                 description="8 道题，20 分钟，可考两次，取最高分。", track="staff",
                 draw=OPEN_DRAW, time_limit_minutes=20, attempts_allowed=2,
                 audience=STAFF_AUDIENCE, opens_at=opens,
                 closes_at=_local(today + timedelta(days=2), 21))
    sitting = quiz.sittings[0]
    spare = set(db.session.execute(select(User.username).where(
        User.username.like("%\\_staff\\_001", escape="\\"))).scalars())
    traveller = db.session.execute(select(User).join(
        Assignment, Assignment.user_id == User.id).where(
        Assignment.sitting_id == sitting.id, User.username.not_in(spare))
        .order_by(User.id.desc()).limit(1)).scalar_one()
    spare.add(traveller.username)  # given more time before starting
    takers.sit(sitting, 0.3, running=3, spare=spare)
    with frozen(moment):
        services.add_override(sitting, admin, user=traveller, extra_minutes=15,
                              closes_at=sitting.closes_at + timedelta(days=1),
                              reason="外出拜访客户，延后一天并加时 15 分钟")

    # Scheduled for later this week.
    opens = _local(today + timedelta(days=3), 9)
    _exam(js, moment, title="腰部力量季度考试（本季度）", track="mid", draw=MID_DRAW,
          description="季度综合考试：三条线定目标、追过程、拿结果。", time_limit_minutes=30,
          pass_percent=65, audience={"roles": ["manager"]}, opens_at=opens,
          closes_at=opens + timedelta(days=2, hours=12))

    written = takers.write()
    db.session.flush()
    passed = db.session.execute(select(Attempt).join(Sitting).where(
        Sitting.exam_id == final.id, Attempt.passed.is_(True))
        .order_by(Attempt.user_id, Attempt.number)).scalars().all()
    certificates = sum(taking.certify(attempt) is not None for attempt in passed)
    return (f"Exams: 7 (a weekly staff quiz with {WEEKS} past sittings, 3 monthly "
            f"mid-level exams, the boss final, one open now, one upcoming); {written} "
            f"attempts, {certificates} certificates, 1 override.")
