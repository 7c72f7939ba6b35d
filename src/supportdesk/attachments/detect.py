"""The type of an uploaded file, from its bytes: an allowlist, never the client's word.

Binary formats are recognised by their magic numbers at offset 0. Anything else must be plain
UTF-8 text (logs, configs, CSV, JSON) that does not start like a script or a markup document;
everything else is refused with 415, saying what the file looked like.
"""

from __future__ import annotations

import re

import orjson

from supportdesk.core.errors import UnsupportedMediaType

# The canonical extension first: it is what a filename that does not fit the type gets.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/pdf": (".pdf",),
    # Office and OpenDocument files are ZIP archives too.
    "application/zip": (".zip", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp"),
    "application/gzip": (".gz", ".tgz"),
    "application/json": (".json",),
    "text/csv": (".csv",),
    "text/plain": (".txt",),
}
TEXT_TYPES = frozenset({"text/plain", "text/csv", "application/json"})


def download_content() -> dict[str, object]:
    """The OpenAPI `content` of a download: every type a stored file can have."""
    binary = {"type": "string", "format": "binary"}
    # A JSON file is any JSON value; everything else is opaque bytes.
    return {
        media: {"schema": {} if media == "application/json" else binary} for media in EXTENSIONS
    }


ALLOWED_DESCRIPTION = "PNG, JPEG, GIF, WebP, PDF, ZIP, gzip, JSON and plain UTF-8 text"

_BINARY: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"PK\x03\x04", "application/zip"),
    (b"PK\x05\x06", "application/zip"),  # an empty archive
    (b"\x1f\x8b\x08", "application/gzip"),  # deflate, the only method gzip defines
)
_REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"\x7fELF", "an ELF executable"),
    (b"MZ", "a Windows executable"),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xca\xfe\xba\xbe", "a Mach-O universal binary or a Java class"),
    (b"\x00asm", "a WebAssembly module"),
    (b"#!", "a script"),
)
# C0 controls other than tab, LF, VT, FF, CR, backspace and ESC (terminal logs carry those).
_BINARY_CONTROLS = re.compile(r"[\x00-\x07\x0e-\x1a\x1c-\x1f]")
# What browsers sniff as HTML or XML when a document starts with it (WHATWG MIME Sniffing),
# plus SVG; and tags that make any early part of a file look like a page to old sniffers.
_LEADING_MARKUP = re.compile(
    r"<(?:!doctype|html|head|body|script|iframe|svg|\?xml|!--|style|title|object|embed|meta"
    r"|link|form|img|a|b|br|p|h1|div|font|table)(?=[\s/>]|$)",
    re.IGNORECASE,
)
_EARLY_MARKUP = re.compile(r"<(?:script|html|svg|iframe|body)(?=[\s/>]|$)", re.IGNORECASE)
_EARLY_WINDOW = 512


def detect_content_type(data: bytes, filename: str = "") -> str:
    """The file's media type from its bytes; UnsupportedMediaType unless it is allowed.

    `filename` only chooses between two equally safe text types (`.csv` → text/csv).
    """
    for magic, media_type in _BINARY:
        if data.startswith(magic):
            return media_type
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    for magic, description in _REFUSED:
        if data.startswith(magic):
            raise _refused(description)
    text = _as_text(data)
    if text is None:
        raise _refused("binary data of an unrecognised type")
    start = text.lstrip()
    if _LEADING_MARKUP.match(start) or _EARLY_MARKUP.search(text[:_EARLY_WINDOW]):
        raise _refused("an HTML, SVG or XML document")
    if start[:1] in ("{", "[") and _is_json(data):
        return "application/json"
    if filename.lower().endswith(".csv"):
        return "text/csv"
    return "text/plain"


def _as_text(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    return None if _BINARY_CONTROLS.search(text) else text


def _is_json(data: bytes) -> bool:
    try:
        orjson.loads(data.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return False
    return True


def _refused(description: str) -> UnsupportedMediaType:
    return UnsupportedMediaType(
        f"The file looks like {description}, which is not accepted. "
        f"Allowed types: {ALLOWED_DESCRIPTION}.",
        pointer="/file",
    )
