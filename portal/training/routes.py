"""Pages of training: a learner's tracks, course and lesson reader; the principal's
authoring of courses and lessons; enrolling by hand and the progress report.

Every handler follows the shared pipeline: load and check access (`get_or_404`), call a
service, commit once."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.core.access import get_or_404, require
from portal.core.pages import require_login
from portal.extensions import db
from portal.org.tracks import TRACK_LABELS, TRACKS
from portal.training import services
from portal.training.forms import CourseForm, EnrollForm, LessonForm
from portal.training.models import Course, Lesson

bp = Blueprint("training", __name__, url_prefix="/training")


require_login(bp)


@bp.app_context_processor
def _template_helpers():
    return {"track_label": lambda track: TRACK_LABELS.get(track, track)}


@bp.route("/")
def index():
    if current_user.is_principal:
        return render_template("training/manage.html", tracks=TRACKS,
                               courses=services.courses_by_track(current_user))
    return render_template("training/index.html", rows=services.my_courses(current_user))


@bp.route("/courses/<int:course_id>")
def course(course_id):
    course = get_or_404(current_user, Course, course_id)
    return render_template(
        "training/course.html", course=course,
        enrollment=services.enrollment_of(current_user, course.id),
        done=services.done_lessons(current_user, course))


def _course_form(course: Course | None):
    form = CourseForm(obj=course)
    if form.validate_on_submit():
        if course is None:
            course = services.create_course(current_user, track=form.track.data,
                                            title=form.title.data, summary=form.summary.data,
                                            position=form.position.data)
        else:
            form.populate_obj(course)
        db.session.commit()
        flash(_("Course saved."), "success")
        return redirect(url_for("training.course", course_id=course.id))
    status = 400 if form.is_submitted() else 200
    return render_template("training/edit_course.html", form=form, course=course), status


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course():
    require("training.author")
    return _course_form(None)


@bp.route("/courses/<int:course_id>/edit", methods=["GET", "POST"])
def edit_course(course_id):
    return _course_form(get_or_404(current_user, Course, course_id, change=True))


@bp.route("/courses/<int:course_id>/publish", methods=["POST"])
def publish(course_id):
    course = get_or_404(current_user, Course, course_id, change=True)
    enrolled = services.set_published(course, True)
    db.session.commit()
    flash(_("Course published; %(num)d people enrolled.", num=enrolled), "success")
    return redirect(url_for("training.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/unpublish", methods=["POST"])
def unpublish(course_id):
    course = get_or_404(current_user, Course, course_id, change=True)
    services.set_published(course, False)
    db.session.commit()
    flash(_("Course withdrawn; learners no longer see it."), "success")
    return redirect(url_for("training.course", course_id=course.id))


def _lesson_form(course: Course, lesson: Lesson | None):
    form = LessonForm(obj=lesson)
    if form.validate_on_submit():
        lesson = services.save_lesson(course, lesson, title=form.title.data,
                                      body_md=form.body_md.data, minutes=form.minutes.data)
        db.session.commit()
        flash(_("Lesson saved."), "success")
        return redirect(url_for("training.course", course_id=course.id))
    status = 400 if form.is_submitted() else 200
    return render_template("training/edit_lesson.html", form=form, course=course,
                           lesson=lesson), status


@bp.route("/courses/<int:course_id>/lessons/new", methods=["GET", "POST"])
def new_lesson(course_id):
    return _lesson_form(get_or_404(current_user, Course, course_id, change=True), None)


@bp.route("/lessons/<int:lesson_id>/edit", methods=["GET", "POST"])
def edit_lesson(lesson_id):
    lesson = get_or_404(current_user, Lesson, lesson_id, change=True)
    return _lesson_form(lesson.course, lesson)


@bp.route("/lessons/<int:lesson_id>/move", methods=["POST"])
def move_lesson(lesson_id):
    lesson = get_or_404(current_user, Lesson, lesson_id, change=True)
    step = {"up": -1, "down": 1}.get(request.form.get("direction"))
    if step is None:
        abort(400)
    services.move_lesson(lesson, step)
    db.session.commit()
    return redirect(url_for("training.course", course_id=lesson.course_id))


@bp.route("/lessons/<int:lesson_id>")
def lesson(lesson_id):
    lesson = get_or_404(current_user, Lesson, lesson_id)
    course = lesson.course
    lessons = course.lessons
    index = lessons.index(lesson)
    return render_template(
        "training/lesson.html", lesson=lesson, course=course,
        previous=lessons[index - 1] if index > 0 else None,
        following=lessons[index + 1] if index + 1 < len(lessons) else None,
        enrollment=services.enrollment_of(current_user, course.id),
        done=lesson.id in services.done_lessons(current_user, course))


@bp.route("/lessons/<int:lesson_id>/complete", methods=["POST"])
def complete(lesson_id):
    lesson = get_or_404(current_user, Lesson, lesson_id)
    if services.enrollment_of(current_user, lesson.course_id) is None:
        abort(403)  # principal staff may read a course, but only learners make progress
    finished = services.complete_lesson(current_user, lesson)
    db.session.commit()
    if finished:
        flash(_("Course completed. Well done!"), "success")
        return redirect(url_for("training.course", course_id=lesson.course_id))
    lessons = lesson.course.lessons
    index = lessons.index(lesson)
    target = lessons[index + 1] if index + 1 < len(lessons) else lesson
    return redirect(url_for("training.lesson", lesson_id=target.id))


@bp.route("/enroll", methods=["GET", "POST"])
def enroll():
    require("training.enroll")
    form = EnrollForm()
    # Only these pass the form's choice check: a course outside them is a field error.
    form.course_id.choices = [SelectChoice(cid, f"{TRACK_LABELS[track]} · {title}")
                              for cid, title, track in services.enrollable_courses(current_user)]
    if form.validate_on_submit():
        person = services.find_person(current_user, form.username.data)
        if person is None:
            form.username.errors.append(_("No person you may enroll has this username."))
        else:
            course = db.session.get(Course, form.course_id.data)
            services.enroll(person, course)
            db.session.commit()
            flash(_("%(name)s is enrolled in %(course)s.", name=person.display_name,
                    course=course.title), "success")
            return redirect(url_for("training.enroll"))
    status = 400 if form.is_submitted() else 200
    return render_template("training/enroll.html", form=form), status


@bp.route("/courses/<int:course_id>/progress")
def progress(course_id):
    course = get_or_404(current_user, Course, course_id)
    require("training.reports")
    rows = services.progress_by_partner(current_user, course)
    enrolled = sum(row[2] for row in rows)
    completed = sum(row[3] for row in rows)
    return render_template("training/progress.html", course=course, rows=rows,
                           enrolled=enrolled, completed=completed)
