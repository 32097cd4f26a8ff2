"""Certificate pages: the list (mine; an owner sees its partner's, the principal all it
may see), one certificate as a printable page, and the same as a PDF made on the server
by WeasyPrint with the locally installed CJK fonts and nothing fetched from outside."""
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from portal.auth.models import User
from portal.core.access import get_or_404, visible
from portal.core.pages import paginate
from portal.exams.models import Attempt, Certificate
from portal.exams.routes import bp
from portal.extensions import db
from portal.org.models import Partner

# The tracks as the programme names them (DOMAIN.md: the three layers of training).
CERTIFICATE_TRACKS = {"boss": _l("Channel Owner Growth Camp"),
                      "mid": _l("Mid-level Strength Training"),
                      "staff": _l("Staff Training")}


def _details(certificate: Certificate) -> dict:
    """What a certificate shows: the person, the partner they sat for, the track."""
    partner = db.session.execute(select(Partner).join(
        Attempt, Attempt.partner_id == Partner.id).where(
        Attempt.id == certificate.attempt_id)).scalar_one_or_none()
    return {"certificate": certificate, "person": certificate.user, "partner": partner,
            "exam": certificate.exam,
            "track": CERTIFICATE_TRACKS.get(certificate.track, certificate.track)}


@bp.route("/certificates/")
def certificates():
    query = (select(Certificate).join(User, User.id == Certificate.user_id)
             .where(visible(current_user, Certificate))
             .options(joinedload(Certificate.user), joinedload(Certificate.exam))
             .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    serial = (request.args.get("serial") or "").strip()[:32]
    if serial:
        # An auditor checks a printed certificate by its serial.
        query = query.where(func.upper(Certificate.serial) == serial.upper())
    return render_template("exams/certificates.html", page=paginate(query), serial=serial,
                           track_names=CERTIFICATE_TRACKS)


@bp.route("/certificates/<int:certificate_id>")
def certificate(certificate_id):
    found = get_or_404(current_user, Certificate, certificate_id)
    return render_template("exams/certificate.html", **_details(found))


def _local_fetcher():
    """WeasyPrint's fetcher, limited to files under static/ (and inline data): the
    intranet PDF never reaches out, whatever a template or a text might point at."""
    from weasyprint.urls import URLFetcher
    static = Path(current_app.static_folder).resolve()

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                path = Path(url2pathname(urlsplit(url).path)).resolve()
                if path.is_relative_to(static):
                    return super().fetch(url, headers)
            elif url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"not fetched: {url[:80]}")

    return LocalFetcher(allowed_protocols={"file", "data"}, fail_on_errors=False)


@bp.route("/certificates/<int:certificate_id>/pdf")
def certificate_pdf(certificate_id):
    from weasyprint import HTML  # heavy; only this page needs it
    found = get_or_404(current_user, Certificate, certificate_id)
    html = render_template("exams/certificate_pdf.html", **_details(found))
    static = Path(current_app.static_folder).resolve().as_uri() + "/"
    pdf = HTML(string=html, base_url=static, url_fetcher=_local_fetcher()).write_pdf()
    response = make_response(pdf)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = \
        f'inline; filename="certificate-{found.serial}.pdf"'
    return response
