"""The isolation walk's exams (tests only): per partner a final staff exam assigned to
that partner alone (A's written by A's channel manager, B's by the admin), its sitting, an
override for the other team's staff, the staff's passed attempt with its certificate and
the other team's staff's attempt still running. Expects the question banks loaded."""
from datetime import timedelta

from portal.core.clock import now
from portal.exams import services as exams, taking
from portal.exams.models import Certificate
from portal.extensions import db
from portal.org.walk import tag


def build(world) -> None:
    for side in (world.a, world.b):
        side.exam = exams.create_exam(
            world.cm if side.key == "a" else world.admin, title=tag("考试", side),
            description=tag("考试说明", side), track="staff",
            draw=[{"track": "staff", "tag": "sales-habits", "count": 2}], is_final=True,
            pass_percent=0, attempts_allowed=3, opens_at=now() - timedelta(hours=1),
            closes_at=now() + timedelta(days=1), audience={"partner_ids": [side.partner.id]})
        exams.schedule(side.exam)
        side.sitting = side.exam.sittings[0]
        side.override = exams.add_override(side.sitting, world.admin, user=side.other_staff,
                                           extra_minutes=10, reason=tag("延时", side))
        side.attempt = taking.start_or_resume(side.staff, side.sitting)
        taking.submit(side.attempt)
        side.certificate = db.session.execute(db.select(Certificate).filter_by(
            attempt_id=side.attempt.id)).scalar_one()
        side.people["staff"].attempt = side.attempt
        side.people["staff"].certificate = side.certificate
        side.people["other_staff"].attempt = taking.start_or_resume(side.other_staff,
                                                                    side.sitting)
        db.session.flush()


ARGS = {"exam_id": "exam", "sitting_id": "sitting", "attempt_id": "attempt",
        "certificate_id": "certificate", "override_id": "override"}
PERSONAL = {"attempt_id": "attempt", "certificate_id": "certificate"}


def markers(side) -> list[str]:
    return [side.exam.title, side.exam.description, side.override.reason,
            side.certificate.serial]


def personal_markers(mine) -> list[str]:
    certificate = getattr(mine, "certificate", None)
    return [certificate.serial] if certificate else []
