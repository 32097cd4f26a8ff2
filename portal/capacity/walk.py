"""The isolation walk's capacity (tests only): per partner one saved plan of its owner for
its territory."""
from datetime import date

from portal.capacity import plans
from portal.capacity.capacity import Inputs
from portal.org.walk import tag


def build(world) -> None:
    for side in (world.a, world.b):
        inputs = Inputs(existing=12, prospect=30, new=4, visits_existing=2, visits_prospect=1,
                        visits_new=3, visits_per_day=6, working_days=22, ramp_days=22,
                        ramp_share=50, serving=1, ramping=0, target_on=date(2027, 3, 1))
        side.capacity_plan = plans.save_plan(side.owner, side.partner.id,
                                             side.territory.region_code,
                                             tag("容量计划", side), inputs)


ARGS = {"plan_id": "capacity_plan"}


def markers(side) -> list[str]:
    return [side.capacity_plan.name]
