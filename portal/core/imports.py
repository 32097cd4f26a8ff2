"""The pieces of an all-or-nothing CSV import page beside the reading itself
(`portal.org.importer.read_table`): an upload whose problems name the columns as the
file heads them, the empty template file, what the page shows of the limits, and the
uploaded bytes read no further than the size limit."""
from dataclasses import dataclass, field
from typing import ClassVar

from flask import Response

from portal.org.importer import Problem, Upload, limits, named_columns, read_table


@dataclass
class HeadedUpload(Upload):
    """A checked file; `headers` maps each column to its header in the file, and
    `fields` a service's field name to the column it comes from."""

    headers: dict[str, str] = field(default_factory=dict)
    fields: ClassVar[dict[str, str]] = {}

    def column(self, name: str) -> str:
        name = self.fields.get(name, name)
        return self.headers.get(name, name)

    def problem(self, row: dict, name: str, message) -> None:
        """A problem on `row`'s line, in the column of `name` (a column or a field)."""
        self.problems.append(Problem(row["line"], self.column(name), message))


def read_headed(data: bytes, upload: HeadedUpload, *, headers: dict, required: dict,
                columns, too_many) -> None:
    """`read_table` for a file headed in Chinese or English (`headers`: header -> column;
    `required`: column -> how a problem calls it when it is missing)."""
    read_table(data, upload, lambda cells, up: named_columns(
        cells, headers, up.headers, up.problems, required), columns=columns,
        label=upload.column, too_many=too_many)


def template_download(header, filename: str) -> Response:
    """The empty file to fill in: the header line, with a BOM so Excel opens it as UTF-8."""
    return Response((",".join(header) + "\r\n").encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


def uploaded(file) -> bytes:
    """An uploaded file's bytes, one past the size limit at most: enough to know it is
    too large."""
    return file.read(limits()[1] + 1)


def limits_shown(header) -> dict:
    """What an import page says beside its form: the columns and the limits."""
    max_rows, max_bytes = limits()
    return {"header": header, "max_rows": max_rows, "max_kb": max_bytes // 1024}
