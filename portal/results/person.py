"""Targets on a person's record: the person's month against its targets, for the person
itself and for those who read its figures (`targets.reads`); nothing without targets."""
from datetime import datetime

from flask import url_for

from portal.core.domains import Panel
from portal.core.rollups import business_day
from portal.results import target_words as words
from portal.results import targets
from portal.results.home import block
from portal.results.target_lines import Subject


def panels(viewer, person, at: datetime) -> list[Panel]:
    if person.partner_id is None:
        return []
    if viewer.id != person.id and not targets.reads(viewer, person.partner_id, person.team_id,
                                                    whole=False):
        return []
    found = block(Subject.of("person", person), business_day(at),
                  url_for("results.person_targets", user_id=person.id))
    return [] if found is None else [Panel(45, "results/targets/person.html", {"block": found, **words.helpers()})]
