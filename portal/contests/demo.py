"""The demo's contests: two under way — cm_zj's Zhejiang partners on effective visits
per person-day over this month (a full board), p01_owner's teams on the follow-up rate
(each team its own standing and the thresholds) — and one that ended last month, cm_zj's
partners on new customers per person, frozen and announced as the end job does."""
from sqlalchemy import select

from portal.auth.models import User
from portal.contests import services
from portal.contests.finish import finish_ended
from portal.core.clock import now, today
from portal.extensions import db
from portal.results.months import add_months, first_of, last_of


def _user(username: str) -> User | None:
    return db.session.execute(select(User).where(User.username == username)).scalar()


def seed_demo(rng) -> str:
    cm, owner = _user("cm_zj"), _user("p01_owner")
    if cm is None or owner is None:
        return "Contests: no cm_zj or p01_owner, no contests"
    day = today()
    month, last_month = first_of(day), add_months(first_of(day), -1)
    made = [
        services.create_contest(cm, {
            "name": f"{month.month}月有效拜访PK", "metric": "effective_per_day",
            "level": "partner", "starts_on": month, "ends_on": last_of(month),
            "board": "full", "participants": []}, day),
        services.create_contest(owner, {
            "name": f"{month.month}月跟进及时率小组赛", "metric": "follow_up_rate",
            "level": "team", "starts_on": month, "ends_on": last_of(month),
            "min_people": 2, "board": "own", "participants": []}, day),
        # Set up last month, as it then was; it ended and is frozen below.
        services.create_contest(cm, {
            "name": f"{last_month.month}月新客户开发赛", "metric": "new_customers_per_person",
            "level": "partner", "starts_on": last_month, "ends_on": last_of(last_month),
            "board": "full", "participants": []}, last_month),
    ]
    db.session.flush()
    frozen = finish_ended(now())
    return (f"Contests: {len(made)} ({', '.join(c.name for c in made)}), "
            f"{frozen} ended and announced")
