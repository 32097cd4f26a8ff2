"""Helpers of the report tests: ask for a report as a person and make it here and now
(what the background worker does), then read the PDF's text, its JSON attachment and
the CSV back."""
import io
import json
from dataclasses import dataclass

from portal.core.files import path_of
from portal.extensions import db
from portal.reports import services
from portal.reports.models import Report


@dataclass
class Made:
    report: Report
    pdf: bytes
    csv: str

    @property
    def text(self) -> str:
        """The PDF's text, every page, whitespace folded (CJK text may wrap anywhere)."""
        import pypdf
        reader = pypdf.PdfReader(io.BytesIO(self.pdf))
        return "".join("".join(page.extract_text().split()) for page in reader.pages)

    @property
    def source(self) -> dict:
        import pypdf
        reader = pypdf.PdfReader(io.BytesIO(self.pdf))
        return json.loads(reader.attachments["source.json"][0])


def make(user, kind: str, **raw) -> Made:
    """`user` asks for report `kind` with `raw` parameters; it is made at once."""
    report = services.request_report(user, kind, raw, base_url="http://portal.test/")
    db.session.commit()
    assert services.claim(report.id, "test")
    services.generate(report.id)
    db.session.expire_all()
    report = db.session.get(Report, report.id)
    assert report.state == "done", report.error
    return Made(report, path_of("reports", report.pdf_sha256).read_bytes(),
                path_of("reports", report.csv_sha256).read_text(encoding="utf-8-sig"))


def folded(text: str) -> str:
    """`text` without whitespace, to find it in `Made.text`."""
    return "".join(str(text).split())


# A text that, were it HTML, would make a renderer fetch local files and a remote image
# and embed a file as an attachment; short enough for a partner's name (120 characters).
HOSTILE = ('<img src="file:///etc/passwd"><link rel=attachment href="file:///etc/hostname">'
           '<img src="http://198.51.100.7/x">')


def watch_fetches(monkeypatch) -> list[str]:
    """Every URL the PDF renderer's fetcher is asked for from now on."""
    from portal.core import pdf
    fetched = []
    real = pdf._local_fetcher

    def watching():
        fetcher = real()
        fetch = fetcher.fetch

        def spy(url, headers=None):
            fetched.append(url)
            return fetch(url, headers)
        fetcher.fetch = spy
        return fetcher
    monkeypatch.setattr(pdf, "_local_fetcher", watching)
    return fetched


def assert_nothing_fetched(made: Made, fetched: list[str]) -> None:
    """Only inline data was fetched, the one attachment is the report's own, no local
    file's content is in the PDF, and the hostile text shows as text."""
    import pypdf
    assert not [url for url in fetched if not url.startswith("data:")]
    assert list(pypdf.PdfReader(io.BytesIO(made.pdf)).attachments) == ["source.json"]
    assert b"root:" not in made.pdf
    assert folded('<img src="file:///etc/passwd">') in made.text
