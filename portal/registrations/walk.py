"""The isolation walk's registrations (tests only): per partner a protected registration
of a new prospect by its staff, and a conflict case in which a third partner (made for
the walk) challenges it, with the side's own evidence and its file."""
import random
from datetime import timedelta

from portal.core import files
from portal.core.clock import now
from portal.extensions import db
from portal.org.models import Partner
from portal.org.uscc import make_uscc
from portal.org.walk import tag
from portal.registrations import cases, services
from portal.registrations.keys import Prospect
from portal.registrations.models import CaseEvidence, ConflictCase, Registration

TOWNS = {"a": "330102001", "b": "330106002"}


def build(world) -> None:
    at = now() - timedelta(hours=2)
    for side in (world.a, world.b):
        name = tag("报备客户", side)
        side.registration = services.file(
            side.staff, side.partner.id, Prospect(name, name, None, None, TOWNS[side.key]),
            source="new", at=at)
        rival = Partner(name=tag("第三方代理商", side), province_code="33", tier="B",
                        uscc=make_uscc(random.Random(side.token), "330100"),
                        structure="loose", contract_start=side.partner.contract_start,
                        contract_end=side.partner.contract_end)
        db.session.add(rival)
        db.session.flush()
        challenger = Registration(
            partner_id=rival.id, source="new", name=name, name_norm=name,
            town_code=TOWNS[side.key], rule_id=side.registration.rule_id, status="refused",
            reason="protected", detail={"matched_on": ["name"], "holder_id":
                                        side.registration.id}, requested_at=at)
        db.session.add(challenger)
        db.session.flush()
        side.case = ConflictCase(
            holder_id=side.registration.id, challenger_id=challenger.id,
            holder_partner_id=side.partner.id, challenger_partner_id=rival.id,
            opened_at=at, due_at=at + timedelta(hours=72))
        db.session.add(side.case)
        side.evidence = CaseEvidence(
            case=side.case, partner_id=side.partner.id, user_id=side.owner.id,
            body=tag("证据陈述", side), created_at=at,
            file_hash=files.store(cases.KIND, tag("证据内容", side).encode()),
            file_name=tag("证据文件", side) + ".txt", file_type="text/plain", file_size=10)
        db.session.add(side.evidence)
        db.session.flush()


ARGS = {"registration_id": "registration", "case_id": "case", "evidence_id": "evidence"}


def markers(side) -> list[str]:
    return [side.registration.name, side.evidence.body, side.evidence.file_name]
