"""Certificate pages: the list (mine; an owner sees its partner's, the principal all it
may see), one certificate as a printable page, and the same as a PDF (`core.pdf`: made
on the server, nothing fetched from outside)."""
from flask import render_template, request
from flask_login import current_user

from portal.core.access import get_or_404
from portal.core.pages import paginate
from portal.core.pdf import pdf_response
from portal.exams import take_services
from portal.exams.models import Certificate
from portal.exams.routes import bp
from portal.org.tracks import PROGRAMME_NAMES


def _details(certificate: Certificate) -> dict:
    """What a certificate shows: the person, the partner they sat for, the track."""
    return {"certificate": certificate, "person": certificate.user,
            "partner": take_services.certificate_partner(certificate),
            "exam": certificate.exam,
            "track": PROGRAMME_NAMES.get(certificate.track, certificate.track)}


@bp.route("/certificates/")
def certificates():
    serial = (request.args.get("serial") or "").strip()[:32]
    query = take_services.certificates_query(current_user, serial)
    return render_template("exams/certificates.html", page=paginate(query), serial=serial,
                           track_names=PROGRAMME_NAMES)


@bp.route("/certificates/<int:certificate_id>")
def certificate(certificate_id):
    found = get_or_404(current_user, Certificate, certificate_id)
    return render_template("exams/certificate.html", **_details(found))


@bp.route("/certificates/<int:certificate_id>/pdf")
def certificate_pdf(certificate_id):
    found = get_or_404(current_user, Certificate, certificate_id)
    html = render_template("exams/certificate_pdf.html", **_details(found))
    return pdf_response(html, f"certificate-{found.serial}.pdf")
