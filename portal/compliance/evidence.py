"""A violation's files, evidence and answer alike: the shared stored-files kit
(`core.files`) with its limits, kept in the "violations" folder and always downloaded
as attachments."""
from flask import current_app

from portal.core import files

KIND = "violations"
MAX_FILES = 5


def max_bytes() -> int:
    return int(current_app.config.get("VIOLATION_MAX_FILE_BYTES", files.DEFAULT_MAX_BYTES))


def check_files(uploads, *, field: str, max_files: int = MAX_FILES):
    """Validate `(filename, bytes)` pairs: (clean name, bytes, content type) each."""
    return files.check_files(uploads, field=field, max_files=max_files,
                             max_bytes=max_bytes())


def store(data: bytes) -> str:
    return files.store(KIND, data)


def download(stored):
    return files.download(KIND, stored.stored_name, content_type=stored.content_type,
                          filename=stored.filename or "evidence")
