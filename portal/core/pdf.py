"""PDFs made on the server by WeasyPrint with the locally installed CJK fonts: nothing is
ever fetched from outside, whatever a template or a text might point at."""
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import current_app, make_response


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


def render_pdf(html: str) -> bytes:
    """`html` (rendered by a template) as PDF bytes; relative links resolve in static/."""
    from weasyprint import HTML  # heavy; only PDF pages need it
    static = Path(current_app.static_folder).resolve().as_uri() + "/"
    return HTML(string=html, base_url=static, url_fetcher=_local_fetcher()).write_pdf()


def pdf_response(html: str, filename: str):
    """A response showing `html` as a PDF named `filename`."""
    response = make_response(render_pdf(html))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
