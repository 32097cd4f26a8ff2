"""The training part of a person's record: every published course the person is enrolled
in that the viewer may see, with lessons done and when it was completed."""
from datetime import datetime

from portal.core.access import visible
from portal.core.domains import Panel
from portal.training import services
from portal.training.models import Course


def panels(viewer, person, at: datetime) -> list[Panel]:
    courses = services.my_courses(person, visible(viewer, Course))
    done = sum(1 for _course, enrollment, _lessons, _done in courses if enrollment.completed_at)
    return [Panel(10, "training/person.html", {"courses": courses, "completed": done})]
