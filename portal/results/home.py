"""Targets on a partner person's home page: the person's own month against its targets
(with the results, near the end), and for an owner its partner's month, for a team lead
its team's (with the team's state). Only metrics with a target are listed; without any
target there is no panel."""
from datetime import datetime

from flask import url_for

from portal.core.access import figures_of, may
from portal.core.domains import Panel
from portal.core.rollups import business_day
from portal.extensions import db
from portal.org.models import Partner, Team
from portal.results import months as cal
from portal.results import target_words as words
from portal.results import targets
from portal.results.models import METRICS
from portal.results.target_lines import Subject

MINE, TEAM = 62, 55


def block(subject: Subject, day, link: str) -> dict | None:
    """The subject's month as a panel shows it, or None without targets."""
    month = cal.first_of(day)
    mine = targets.of_subject(subject, month)
    if not mine:
        return None
    return {"subject": subject, "link": link, "month": month,
            "progress": targets.progress(subject, month, day, mine),
            "shown": [metric for metric in METRICS if (month, metric) in mine]}


def panels(user, at: datetime) -> list[Panel]:
    if user.partner_id is None or not may(user, "results.targets"):
        return []
    day = business_day(at)
    found = []
    own = block(Subject.of("person", user), day,
                url_for("results.person_targets", user_id=user.id))
    if own is not None:
        found.append(Panel(MINE, "results/targets/home.html", {"block": own, "own": True, **words.helpers()}))
    whose = figures_of(user)
    if not whose.nothing:
        if whose.team_id is not None:
            subject = Subject.of("team", db.session.get(Team, whose.team_id))
            link = url_for("results.team_targets", team_id=whose.team_id)
        else:
            subject = Subject.of("partner", db.session.get(Partner, user.partner_id))
            link = url_for("results.partner_targets", partner_id=user.partner_id)
        theirs = block(subject, day, link)
        if theirs is not None:
            found.append(Panel(TEAM, "results/targets/home.html",
                               {"block": theirs, "own": False, **words.helpers()}))
    return found


def today_panels(person, day) -> list[Panel]:
    """Today's targets on *My day* (`results/targets/_today.html`); none without targets."""
    shown = targets.today_for(person, day) if person.partner_id is not None else None
    return [] if shown is None else [
        Panel(10, "results/targets/_today.html", {"today_targets": shown})]
