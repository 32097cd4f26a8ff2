"""The jobs page: what runs when, how it went, and "run now"."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.extensions import db
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


def _require(*roles):
    if current_user.role not in roles:
        abort(403)


@bp.route("/")
@login_required
def index():
    _require("admin", "auditor")
    job_name = request.args.get("job") if request.args.get("job") in JOBS else None
    status = request.args.get("status") if request.args.get("status") in RUN_STATUSES else None
    runs = db.paginate(services.recent_runs(job_name, status),
                       page=max(request.args.get("page", 1, type=int) or 1, 1),
                       per_page=current_app.config["PAGE_SIZE"], error_out=False)
    return render_template("jobs/index.html", jobs=services.job_overview(), runs=runs,
                           beat=services.scheduler_alive(), statuses=RUN_STATUSES,
                           job_names=sorted(JOBS))


@bp.route("/<name>/run", methods=["POST"])
@login_required
def run_now(name):
    _require("admin")
    if name not in JOBS:
        abort(404)
    runner.request_run(name, current_user.id)
    flash(_("%(name)s will run within seconds (when the scheduler is running).", name=name),
          "info")
    return redirect(url_for("jobs.index"))
