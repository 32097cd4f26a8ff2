"""The jobs page: what runs when, how it went, and "run now"."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.core.access import require
from portal.core.pages import paginate
from portal.jobs import JOBS
from portal.jobs import runner, services
from portal.jobs.models import RUN_STATUSES

bp = Blueprint("jobs", __name__, url_prefix="/admin/jobs")

STATUS_LABELS = {"requested": _l("Requested"), "running": _l("Running"),
                 "succeeded": _l("Succeeded"), "failed": _l("Failed, will retry"),
                 "gave_up": _l("Failed, gave up"), "skipped": _l("Skipped")}


@bp.app_context_processor
def _labels():
    return {"run_status_label": lambda s: str(STATUS_LABELS.get(s, s))}


@bp.route("/")
@login_required
def index():
    require("jobs.view")
    job_name = request.args.get("job") if request.args.get("job") in JOBS else None
    status = request.args.get("status") if request.args.get("status") in RUN_STATUSES else None
    runs = paginate(services.recent_runs(job_name, status))
    return render_template("jobs/index.html", jobs=services.job_overview(), runs=runs,
                           beat=services.scheduler_alive(), statuses=RUN_STATUSES,
                           job_names=sorted(JOBS))


@bp.route("/<name>/run", methods=["POST"])
@login_required
def run_now(name):
    require("jobs.run")
    if name not in JOBS:
        abort(404)
    runner.request_run(name, current_user.id)
    flash(_("%(name)s will run within seconds (when the scheduler is running).", name=name),
          "info")
    return redirect(url_for("jobs.index"))
