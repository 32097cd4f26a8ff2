"""The isolation walk's scoring (tests only). The criteria are the principal's, one
published version read by every partner (so its URL arguments are neutral), ahead of
its first month so it is open for comments: one comment from each side's owner, which
the other partner must never see. The scorecards and appeals add their objects in
`build` below the criteria."""
from portal.core.clock import today
from portal.org.walk import tag
from portal.results.months import add_months, first_of
from portal.scoring import card_walk, criteria, criteria_comments


class _Built:
    """A neutral URL argument known only once `build` has run (ids depend on what the
    migrations and other domains created): url_for reads it through int()."""

    def __init__(self, attribute: str):
        self.attribute = attribute
        self.value = None

    def __int__(self) -> int:
        assert self.value is not None, f"scoring walk: {self.attribute} not built"
        return self.value

    def __str__(self) -> str:
        return str(int(self))


SET, CRITERION = _Built("criteria set"), _Built("criterion")


def _criteria(world) -> None:
    cset = criteria.new_draft(world.admin, None)
    criteria.save_criterion(world.admin, cset, {
        "code": "exam_coverage", "name": "考试覆盖率", "metric": "exam_coverage",
        "mapping": "linear", "anchors": {"zero": 40, "full": 90}, "weight": 100})
    criteria.publish(world.admin, cset, add_months(first_of(today()), 1))
    SET.value, CRITERION.value = cset.id, cset.criteria[0].id
    for side in (world.a, world.b):
        side.criteria_set = cset
        side.criteria_comment = criteria_comments.add_comment(
            side.owner, cset, tag("评分意见", side), "exam_coverage")


def build(world) -> None:
    _criteria(world)
    card_walk.build_cards(world)


ARGS = {"comment_id": "criteria_comment", **card_walk.ARGS}
NEUTRAL = {"set_id": SET, "criterion_id": CRITERION}


def markers(side) -> list[str]:
    return [side.criteria_comment.body, *card_walk.markers(side)]
