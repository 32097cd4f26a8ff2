"""Demo training: two published courses per track, three or four short lessons each,
everyone enrolled by role, and progress that varies from person to person.

Progress is written set-based: for each lesson a pseudo-random share of the enrolled (by
user id) has finished it, a smaller share for each later lesson, so most people stop
part-way and some complete the course; completions are then set with one UPDATE."""
from datetime import timedelta

from sqlalchemy import and_, func, insert, literal, select, update

from portal.auth.models import User
from portal.core.clock import now
from portal.core.database import UTCDateTime
from portal.extensions import db
from portal.training import services
from portal.training.models import Enrollment, Lesson, LessonProgress

COURSES = {
    "boss": [
        ("经营创新：从卖货到经营客户", "老板如何重新看待自己的生意。", [
            ("为什么要变", "市场在变，客户的采购方式也在变。**只靠关系卖货**的代理商，增长会越来越慢。"),
            ("经营客户的三件事", "1. 看清客户从哪里来\n2. 把老客户留下来\n3. 让团队每天都在开发新客户"),
            ("老板的一周", "每周至少抽半天看团队的**过程数据**：拜访量、有效拜访、二次跟进。"),
        ]),
        ("布局之理：算清市场容量", "用数字决定在哪里布人、布多少人。", [
            ("市场容量怎么算", "按区县统计**现有客户、未加入客户、每天新增客户**，这就是容量的底数。"),
            ("人效与规模", "一个人一天能做多少有效拜访，决定了覆盖一片市场需要多少人。"),
            ("周期与时点", "从首次拜访到成交要多少天？新人上手要多久？据此**提前**招人布点。"),
            ("小结", "容量 ÷ 人效 × 周期，得出团队人数；再按时点排出招聘计划。"),
        ]),
    ],
    "mid": [
        ("定目标：三条线", "历史峰值、起跑线、预测线。", [
            ("历史峰值", "团队做到过的最好成绩，说明**能做到**。"),
            ("起跑线", "本期开始时的真实水平，目标不能脱离它。"),
            ("预测线", "结合市场和人员变化的预测，目标定在起跑线与峰值之间偏上。"),
        ]),
        ("追过程、拿结果", "把过程管到每人每天。", [
            ("最小单元", "过程要追到**人·天**：每个人每天拜访了谁、结果如何。"),
            ("过程结果与最终结果", "过程结果是拜访、跟进；最终结果是缔结订单和收款。"),
            ("高效团队", "业绩出众、流程清晰、团队成长，三者缺一不可。"),
        ]),
    ],
    "staff": [
        ("四个销售习惯", "每天都要看的四个数字。", [
            ("拜访量", "每天拜访了多少客户，是一切结果的起点。"),
            ("有效拜访", "见到**决策人**并约定下一步，才算有效拜访。"),
            ("新客户开发与二次跟进", "每天都要开发新客户；第一次拜访后要及时二次跟进。"),
        ]),
        ("客户分类与本地服务", "分清客户，做好服务。", [
            ("三类客户", "现有客户、未加入客户、每天新增的客户，拜访重点各不相同。"),
            ("本地服务", "客户有问题，本地团队要**当天响应**。"),
            ("记录拜访", "每次拜访都记下日期、客户、乡镇、类别和结果，方便主管跟进。"),
            ("小结", "习惯养成靠每天坚持，门户里的数字就是你的成长记录。"),
        ]),
    ],
}
# Share (percent) of the enrolled who finished the n-th lesson of a course.
FINISHED_SHARE = (85, 65, 45, 35)


def seed_demo(rng) -> str:
    """Add the demo courses, enroll everyone by role and fill in progress; returns a
    summary line."""
    author = db.session.execute(select(User).where(User.role == "channel_manager")
                                .order_by(User.id).limit(1)).scalar_one()
    courses = []
    for track, items in COURSES.items():
        for position, (title, summary, lessons) in enumerate(items, start=1):
            course = services.create_course(author, track=track, title=title,
                                            summary=summary, position=position)
            db.session.flush()
            for lesson_title, body in lessons:
                services.save_lesson(course, title=lesson_title, body_md=body,
                                     minutes=rng.randint(3, 8))
            services.set_published(course, True)
            courses.append(course)
    db.session.flush()
    for course in courses:
        _progress(course, rng.randint(0, 99))
    _complete()
    enrolled = db.session.execute(select(func.count(Enrollment.id))).scalar()
    return f"Training: {len(courses)} courses, {enrolled} enrollments."


def _progress(course, salt: int) -> None:
    """Lesson n finished by the enrolled whose (id + salt) mod 100 falls in the n-th share."""
    for index, lesson in enumerate(course.lessons):
        share = FINISHED_SHARE[min(index, len(FINISHED_SHARE) - 1)]
        finished = now() - timedelta(days=len(course.lessons) - index, hours=salt % 12)
        rows = select(Enrollment.user_id, literal(lesson.id),
                      literal(finished, UTCDateTime())).where(
            Enrollment.course_id == course.id, (Enrollment.user_id + salt) % 100 < share)
        db.session.execute(insert(LessonProgress).from_select(
            ["user_id", "lesson_id", "completed_at"], rows))


def _complete() -> None:
    """Enrollments whose every lesson is finished are completed, in one UPDATE."""
    lessons = select(func.count(Lesson.id)).where(
        Lesson.course_id == Enrollment.course_id).scalar_subquery()
    done = select(func.count(LessonProgress.id)).join(Lesson).where(
        Lesson.course_id == Enrollment.course_id,
        LessonProgress.user_id == Enrollment.user_id).scalar_subquery()
    db.session.execute(update(Enrollment).where(
        and_(Enrollment.completed_at.is_(None), lessons > 0, done >= lessons))
        .values(completed_at=now()))
