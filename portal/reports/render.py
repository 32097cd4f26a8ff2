"""A report's two files from its `ReportData`: the PDF (a cover with scope, period, the
data's as-of time and who it was made for; page numbers and table headings repeated on
every page; the verification code and its QR code; PDF/A-3b with the source data as a
JSON attachment) and the CSV (the same tables, one after another).

The stylesheet is parsed once per process and every rendering shares one font
configuration (`core.pdf`), so a worker pays for fonts and CSS once."""
import csv
import io
import json
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import segno
from flask import render_template

from portal.core.clock import BUSINESS_TZ
from portal.core.csv_export import csv_cell
from portal.core.pdf import render_document, stylesheet
from portal.core.urls import path_for, public_link

STYLE = Path(__file__).resolve().parent.parent.parent / "static" / "reports" / "report.css"


@lru_cache(maxsize=1)
def _style():
    return stylesheet(STYLE.read_text(encoding="utf-8"))


def verify_link(report) -> str:
    """Where the QR code leads: the verification page with the code filled in, at the
    portal's public address (PUBLIC_URL), else the address the requester used."""
    path = path_for("reports.verify", code=report.code)
    return public_link(path) or (report.base_url.rstrip("/") + path if report.base_url
                                 else path)


def qr_data_uri(text: str) -> str:
    return segno.make(text, error="m").svg_data_uri(scale=3, border=1)


def _plain(value):
    """A value as JSON holds it (dates and times as ISO text)."""
    if isinstance(value, datetime):
        return value.astimezone(BUSINESS_TZ).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def source_json(report, data) -> bytes:
    """The attachment: what the report shows, as data an auditor re-checks without the
    portal (every table with its columns and rows, and the kind's own source data)."""
    body = {"report": {"id": report.id, "kind": report.kind, "code": report.code,
                       "title": data.title, "scope": data.scope, "period": data.period,
                       "as_of": _plain(data.as_of), "params": report.params},
            "tables": [{"section": section.heading, "title": table.title,
                        "columns": [str(c) for c in table.columns],
                        "rows": [[_plain(v) for v in row] for row in table.rows]}
                       for section in data.sections for table in section.tables],
            "source": data.source}
    return json.dumps(body, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def pdf_bytes(report, data, generated_at: datetime) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    html = render_template("reports/pdf.html", report=report, data=data,
                           generated_at=generated_at, link=verify_link(report),
                           qr=qr_data_uri(verify_link(report)))
    return render_document(html, stylesheets=[_style()], variant="pdf/a-3b",
                      identifier=report.code.encode(),
                      attachments=[("source.json", source_json(report, data),
                                    "The data this report shows")])


def csv_bytes(data, no_data: str) -> bytes:
    """Every table of the report, each led by its section and title, a blank line apart;
    UTF-8 with a BOM, formula-guarded (numbers stay numbers, a missing one reads
    `no_data`)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([csv_cell(data.title), csv_cell(data.scope), csv_cell(data.period)])
    for section in data.sections:
        for table in section.tables:
            writer.writerow([])
            writer.writerow([csv_cell(f"{section.heading} · {table.title}")])
            writer.writerow([csv_cell(str(c)) for c in table.columns])
            for row in table.rows:
                writer.writerow([no_data if v is None else _cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def _cell(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return csv_cell(_plain(value))
    return value
