"""Import a partner's staff from a CSV file: all rows or none."""
from flask import Response, make_response, render_template

from portal.extensions import db
from portal.org import importer
from portal.org.forms import ImportForm
from portal.org.manage import bp, form_page, staffing_partner


@bp.route("/partners/<int:partner_id>/import", methods=["GET", "POST"])
def import_people(partner_id):
    partner = staffing_partner(partner_id)
    form = ImportForm()
    max_rows, max_bytes = importer.limits()
    upload = None
    if form.validate_on_submit():
        # Read one byte past the limit: enough to know the file is too large.
        upload = importer.read_upload(form.file.data.read(max_bytes + 1), partner)
        if upload.ok:
            created = importer.create_people(upload, partner)
            db.session.commit()
            # Generated passwords are shown this once and never stored in clear, so this
            # page is rendered rather than redirected to, and must not be cached.
            response = make_response(render_template("manage/import_done.html",
                                                     partner=partner, created=created))
            response.headers["Cache-Control"] = "no-store"
            return response
    return form_page("manage/import.html", form=form, partner=partner, upload=upload,
                     columns=importer.COLUMNS, max_rows=max_rows, max_kb=max_bytes // 1024)


@bp.route("/partners/<int:partner_id>/import/template.csv")
def import_template(partner_id):
    staffing_partner(partner_id)
    return Response(importer.template_csv(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=people-template.csv"})
