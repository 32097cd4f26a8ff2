"""Attachment files: checked by their bytes, not their names, and kept under instance/.

Only a few document types are accepted, each recognised by its content: PDF, PNG, JPEG,
the ZIP-based Office formats (docx, xlsx, pptx) and plain UTF-8 text. Anything whose
first bytes look like a web page, SVG or script is refused whatever it is called, so a
file can never run in a reader's browser. Files are stored by content hash, written only
after the whole broadcast is valid."""
import hashlib
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from portal.core.errors import DomainError

MAX_FILES = 5
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


def max_bytes() -> int:
    return int(current_app.config.get("BROADCAST_MAX_ATTACHMENT_BYTES", DEFAULT_MAX_BYTES))


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


def content_type(filename: str, data: bytes) -> str:
    """The content type of an acceptable file, judged by its bytes; raises
    DomainError("attachments", ...) for an empty, oversized, unknown or disguised one."""
    if not filename:
        raise DomainError("attachments", _l("A file has no name."))
    if not data:
        raise DomainError("attachments", _l("%(name)s is empty.", name=filename))
    limit = max_bytes()
    if len(data) > limit:
        raise DomainError("attachments", _l("%(name)s is larger than %(size)s MB.",
                                               name=filename, size=round(limit / 2**20, 1)))
    suffix = Path(filename.lower()).suffix
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix not in ALLOWED_SUFFIXES:
        raise DomainError("attachments", _l(
            "%(name)s: only PDF, PNG, JPEG, Word, Excel, PowerPoint (docx, xlsx, pptx) and "
            "plain text files are accepted.", name=filename))
    if MARKUP.match(head):
        raise DomainError("attachments", _l(
            "%(name)s looks like a web page or script and is refused.", name=filename))
    if suffix in SIGNATURES:
        signature, kind = SIGNATURES[suffix]
        if data.startswith(signature):
            return kind
    elif suffix in OFFICE:
        folder, kind = OFFICE[suffix]
        if data.startswith(b"PK\x03\x04") and _is_office(data, folder):
            return kind
    elif _is_text(data):
        return TEXT_TYPE
    raise DomainError("attachments", _l(
        "The content of %(name)s does not match its type.", name=filename))


def check_files(files) -> list[tuple[str, bytes, str]]:
    """Validate `(filename, bytes)` pairs; returns (clean name, bytes, content type)."""
    files = list(files or ())
    if len(files) > MAX_FILES:
        raise DomainError("attachments", _l("At most %(num)d files.", num=MAX_FILES))
    checked = []
    for filename, data in files:
        name = clean_filename(filename)
        checked.append((name, data, content_type(name, data)))
    return checked


def folder() -> Path:
    base = current_app.config.get("UPLOAD_FOLDER") or os.path.join(
        current_app.instance_path, "uploads")
    return Path(base) / "broadcasts"


def path_of(stored_name: str) -> Path:
    """Where a stored file lives; stored names are hex digests, never user input."""
    if not re.fullmatch(r"[0-9a-f]{64}", stored_name or ""):
        raise ValueError("not a stored attachment name")
    return folder() / stored_name


def store(data: bytes) -> str:
    """Write `data` under its SHA-256 (once; the same file is shared) and return the name."""
    name = hashlib.sha256(data).hexdigest()
    target = path_of(name)
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
