"""Entry point: `flask --app app ...` and WSGI servers (`gunicorn app:app`)."""
import logging

from portal import create_app
from portal.core.pdf import font_problem

app = create_app()

# Checked at start-up so a missing CJK font or HarfBuzz subsetter is seen in the log
# before anyone asks for a PDF (which is then refused with the same reason).
with app.app_context():
    if problem := font_problem():
        logging.getLogger("portal").warning("PDF reports are unavailable: %s", problem)
