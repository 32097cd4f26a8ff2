"""Reports an auditor can trust (审计报表): a catalogue of report kinds over the other
domains' data, each made in the background as a PDF (PDF/A-3b, Chinese in an embedded
CJK font, the source data attached as JSON, a verification code and QR code) and the
same tables as CSV; every PDF's SHA-256 is recorded, every download too, and the
verification page tells whether an uploaded file is one the portal made, unchanged."""
from flask_babel import lazy_gettext as _l

from portal.core.domains import Domain

DOMAIN = Domain(
    name="reports",
    models=("portal.reports.models",),
    policies=("portal.reports.policies", "portal.reports.sources"),
    jobs=("portal.reports.jobs",),
    blueprints=("portal.reports.routes:bp",),
    cli=("portal.reports.signing:reports_cli",),
    api=("portal.reports.api:bp",),
    notifications={"reports": _l("Reports")},
    walk="portal.reports.walk",
    demo="portal.reports.demo:seed_demo",
)
