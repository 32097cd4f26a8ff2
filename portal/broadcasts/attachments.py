"""A broadcast's attached files: the shared stored-files kit (`core.files`) with the
limits of broadcasts, up to MAX_FILES files of BROADCAST_MAX_ATTACHMENT_BYTES each, kept
in the "broadcasts" folder."""
from flask import current_app

from portal.core import files

KIND = "broadcasts"
MAX_FILES = 5


def max_bytes() -> int:
    return int(current_app.config.get("BROADCAST_MAX_ATTACHMENT_BYTES",
                                      files.DEFAULT_MAX_BYTES))


def check_files(uploads) -> list[tuple[str, bytes, str]]:
    """Validate `(filename, bytes)` pairs; returns (clean name, bytes, content type) or
    raises DomainError("attachments", ...)."""
    return files.check_files(uploads, field="attachments", max_files=MAX_FILES,
                             max_bytes=max_bytes())


def store(data: bytes) -> str:
    """Write `data` once under its hash and return the stored name."""
    return files.store(KIND, data)


def download(attachment):
    """`attachment` as a download in its stored type (404 when the file is gone)."""
    return files.download(KIND, attachment.stored_name, content_type=attachment.content_type,
                          filename=attachment.filename or "attachment")
