"""PDFs made on the server by WeasyPrint with the locally installed CJK fonts: nothing is
ever fetched from outside, whatever a template or a text might point at.

Chinese needs a real CJK font and HarfBuzz's subsetter: without the font the text comes
out as empty boxes, and without the subsetter WeasyPrint falls back to fontTools with a
mere warning (29–44 s for four pages of Chinese instead of about 2 s). `font_problem()`
says what is missing; `render_pdf` refuses with that message rather than fall back. One
font configuration serves every rendering of the process (fonts are looked up once)."""
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, make_response
from flask_babel import lazy_gettext as _l

from werkzeug.exceptions import ServiceUnavailable

CJK_FAMILY = "Noto Sans CJK SC"


def _local_fetcher():
    """WeasyPrint's fetcher, limited to files under static/ (and inline data)."""
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


@lru_cache(maxsize=1)
def font_problem() -> str | None:
    """Why Chinese PDFs cannot be made here (in English, for logs and start-up), or None.
    Checked once per process."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset
    if harfbuzz_subset is None or not harfbuzz.hb_version_atleast(4, 1, 0):
        return ("HarfBuzz subsetting (libharfbuzz-subset0 >= 4.1) is missing: "
                "install it (make os-packages)")
    fc_list = shutil.which("fc-list")
    families = ""
    if fc_list:
        families = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True,
                                  text=True, timeout=20).stdout
    if CJK_FAMILY not in families:
        return f"the CJK font {CJK_FAMILY} is missing: install fonts-noto-cjk (make os-packages)"
    return None


class PdfUnavailable(ServiceUnavailable):
    """A PDF cannot be made on this machine (no CJK font or no HarfBuzz subsetting): a
    503 whose page says what is missing."""

    def __init__(self, detail: str):
        super().__init__()
        self.detail = detail
        self.message = _l("PDFs cannot be made on this server: %(detail)s", detail=detail)


@lru_cache(maxsize=1)
def _fonts():
    from weasyprint.text.fonts import FontConfiguration
    return FontConfiguration()


def render_document(html: str, *, stylesheets=(), attachments=(), variant: str | None = None,
                    identifier: bytes | None = None) -> tuple[bytes, int]:
    """`html` (rendered by a template) as PDF bytes and its number of pages; relative
    links resolve in static/. `attachments` are (name, bytes, description) embedded
    files; `variant` e.g. "pdf/a-3b". Refuses (`PdfUnavailable`) when Chinese cannot be
    rendered properly."""
    problem = font_problem()
    if problem:
        raise PdfUnavailable(problem)
    from weasyprint import HTML, Attachment  # heavy; only PDF pages need it
    static = Path(current_app.static_folder).resolve().as_uri() + "/"
    files = [Attachment(string=data, name=name, description=description,
                        relationship="Source")
             for name, data, description in attachments]
    options = {"pdf_variant": variant} if variant else {}
    if identifier:
        options["pdf_identifier"] = identifier
    document = HTML(string=html, base_url=static, url_fetcher=_local_fetcher()).render(
        stylesheets=list(stylesheets), font_config=_fonts())
    return document.write_pdf(attachments=files, **options), len(document.pages)


def render_pdf(html: str, **options) -> bytes:
    """`html` as PDF bytes (`render_document`'s options)."""
    return render_document(html, **options)[0]


def stylesheet(css: str):
    """A parsed stylesheet for `render_pdf` (parse it once, render with it many times)."""
    from weasyprint import CSS
    return CSS(string=css, font_config=_fonts(), url_fetcher=_local_fetcher())


def pdf_response(html: str, filename: str):
    """A response showing `html` as a PDF named `filename`."""
    response = make_response(render_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
