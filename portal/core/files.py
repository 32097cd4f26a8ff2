"""Stored files: accepted by their bytes, not their names, and kept under instance/.

Only a few document types are accepted, each recognised by its content: PDF, PNG, JPEG,
the ZIP-based Office formats (docx, xlsx, pptx) and plain UTF-8 text. Anything whose
first bytes look like a web page, SVG or script is refused whatever it is called, so a
file can never run in a reader's browser. Files are stored by content hash in a folder
per kind (`broadcasts`, later `visits`, `reports`), written only once the whole change
is valid, and always sent back as downloads."""
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from flask import abort, current_app, send_file
from flask_babel import lazy_gettext as _l

from portal.core.errors import DomainError

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
OFFICE = {".docx": ("word/", "application/vnd.openxmlformats-officedocument."
                                "wordprocessingml.document"),
          ".xlsx": ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
          ".pptx": ("ppt/", "application/vnd.openxmlformats-officedocument."
                            "presentationml.presentation")}
SIGNATURES = {".pdf": (b"%PDF-", "application/pdf"),
              ".png": (b"\x89PNG\r\n\x1a\n", "image/png"),
              ".jpg": (b"\xff\xd8\xff", "image/jpeg"),
              ".jpeg": (b"\xff\xd8\xff", "image/jpeg")}
TEXT_TYPE = "text/plain; charset=utf-8"
ALLOWED_SUFFIXES = tuple(SIGNATURES) + tuple(OFFICE) + (".txt",)
# What a browser would take for markup if it ever sniffed the file.
MARKUP = re.compile(rb"<\s*(!doctype|html|head|body|script|svg|iframe|object|embed|img|a\s|"
                    rb"\?xml|meta|style|link|xml|div|form)", re.IGNORECASE)
TAG = re.compile(r"<\s*[A-Za-z!/?]")
STORED_NAME = re.compile(r"[0-9a-f]{64}")


def clean_filename(name: str | None) -> str:
    """The name shown to readers: no folders, no control characters, at most 200 chars."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    if len(name) > 200:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[:190] + dot + suffix[:9]) if dot else name[:200]
    return name


def _is_office(data: bytes, folder: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return "\x00" not in text and not TAG.search(text)


def content_type(filename: str, data: bytes, *, field: str, max_bytes: int) -> str:
    """The content type of an acceptable file, judged by its bytes; raises
    DomainError(field, ...) for an empty, oversized, unknown or disguised one."""
    if not filename:
        raise DomainError(field, _l("A file has no name."))
    if not data:
        raise DomainError(field, _l("%(name)s is empty.", name=filename))
    if len(data) > max_bytes:
        raise DomainError(field, _l("%(name)s is larger than %(size)s MB.",
                                    name=filename, size=round(max_bytes / 2**20, 1)))
    suffix = Path(filename.lower()).suffix
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix not in ALLOWED_SUFFIXES:
        raise DomainError(field, _l(
            "%(name)s: only PDF, PNG, JPEG, Word, Excel, PowerPoint (docx, xlsx, pptx) and "
            "plain text files are accepted.", name=filename))
    if MARKUP.match(head):
        raise DomainError(field, _l(
            "%(name)s looks like a web page or script and is refused.", name=filename))
    if suffix in SIGNATURES:
        signature, kind = SIGNATURES[suffix]
        if data.startswith(signature):
            return kind
    elif suffix in OFFICE:
        folder_name, kind = OFFICE[suffix]
        if data.startswith(b"PK\x03\x04") and _is_office(data, folder_name):
            return kind
    elif _is_text(data):
        return TEXT_TYPE
    raise DomainError(field, _l("The content of %(name)s does not match its type.",
                                name=filename))


def check_files(files, *, field: str, max_files: int,
                max_bytes: int = DEFAULT_MAX_BYTES) -> list[tuple[str, bytes, str]]:
    """Validate `(filename, bytes)` pairs; returns (clean name, bytes, content type)."""
    files = list(files or ())
    if len(files) > max_files:
        raise DomainError(field, _l("At most %(num)d files.", num=max_files))
    checked = []
    for filename, data in files:
        name = clean_filename(filename)
        checked.append((name, data, content_type(name, data, field=field,
                                                 max_bytes=max_bytes)))
    return checked


def folder(kind: str) -> Path:
    base = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
        current_app.instance_path, "uploads")
    return Path(base) / kind


def path_of(kind: str, stored_name: str) -> Path:
    """Where a stored file lives; stored names are hex digests, never user input."""
    if not STORED_NAME.fullmatch(stored_name or ""):
        raise ValueError("not a stored file name")
    return folder(kind) / stored_name


def store(kind: str, data: bytes) -> str:
    """Write `data` under its SHA-256 (once; the same file is shared) and return the name."""
    name = hashlib.sha256(data).hexdigest()
    target = path_of(kind, name)
    if target.exists():
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target, then renamed: a reader never sees half a file.
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return name


def download(kind: str, stored_name: str, *, content_type: str, filename: str):
    """A stored file as a download in its stored type, never sniffed or run by the
    browser; 404 when the file is gone."""
    path = path_of(kind, stored_name)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type, as_attachment=True,
                         download_name=filename or "download", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.portal_csp = "sandbox"  # no script at all, even opened in the browser
    response.headers["Cache-Control"] = "private, no-store"
    return response
