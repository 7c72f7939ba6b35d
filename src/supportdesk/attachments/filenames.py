"""Filenames a client sent, made safe to store, show and put in a `Content-Disposition` header.

A stored name is only ever a label: files live under their SHA-256, so no name reaches a path.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from supportdesk.attachments.detect import EXTENSIONS, TEXT_TYPES
from supportdesk.core.columns import FILENAME_LENGTH

FALLBACK = "attachment"
# In UTF-8 bytes: at most as many characters, so that a name always fits its column.
MAX_BYTES = FILENAME_LENGTH
_KEPT_PUNCTUATION = frozenset(" ._-()[]+,=@&#!~")
_DROPPED = frozenset("\"'`\\")
# Categories dropped outright: controls, format characters (bidi overrides that make
# `gpj.exe` read as `exe.jpg`), surrogates, private use, unassigned, line/paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_RESERVED_STEMS = frozenset(
    {"con", "prn", "aux", "nul"} | {f"{port}{n}" for port in ("com", "lpt") for n in range(1, 10)}
)
# Extensions a desktop opens as a program or a page: never kept on a text file.
_DANGEROUS = re.compile(
    r"\.(?:html?|xhtml?|xht|shtml|mht|mhtml|svgz?|xml|xslt?|m?js|cjs|jse|vbs|vbe|wsf|wsh|hta"
    r"|bat|cmd|com|exe|scr|pif|cpl|msi|msp|dll|ps1|psm1|lnk|url|reg|jar|sh|php|phtml|aspx?"
    r"|jsp|desktop|app|command)"
)
_RUNS = re.compile(r"([ _])\1+")


def clean_filename(name: str | None) -> str:
    """The last path segment, in a sane charset, without quotes or controls; never empty."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if category in _INVISIBLE or char in _DROPPED:
            continue
        if char.isalnum() or category.startswith("M") or char in _KEPT_PUNCTUATION:
            kept.append(char)
        elif category == "Zs":
            kept.append(" ")
        else:
            kept.append("_")
    cleaned = _RUNS.sub(r"\1", "".join(kept)).strip(" ").lstrip(".").rstrip(" .")
    if cleaned.split(".")[0].strip().lower() in _RESERVED_STEMS:
        cleaned = "_" + cleaned
    return _truncate(cleaned) or FALLBACK


def safe_filename(name: str | None, content_type: str) -> str:
    """`clean_filename`, with an extension that fits the detected type: a file that is not a
    program never gets a program's extension (`invoice.pdf.exe` of PDF bytes → `….exe.pdf`)."""
    cleaned = clean_filename(name)
    extensions = EXTENSIONS.get(content_type, ())
    suffix = _suffix(cleaned)
    # Text may carry any extension but a program's; a binary type only its own.
    text = content_type in TEXT_TYPES
    fits = _DANGEROUS.fullmatch(suffix) is None if text else suffix in extensions
    if not fits and extensions:
        cleaned = _truncate(cleaned, reserve=len(extensions[0])) + extensions[0]
    return cleaned


def content_disposition(filename: str) -> str:
    """`attachment; filename="..."`, plus `filename*` (RFC 6266/8187) when not plain ASCII."""
    name = clean_filename(filename)
    if name.isascii():
        return f'attachment; filename="{name}"'
    # Accents dropped (`résumé` → `resume`), anything else non-ASCII becomes `_`.
    ascii_name = clean_filename(
        "".join(
            char if char.isascii() else "" if unicodedata.combining(char) else "_"
            for char in unicodedata.normalize("NFKD", name)
        )
    )
    ascii_suffix = _suffix(ascii_name)
    if not ascii_name[: len(ascii_name) - len(ascii_suffix)].strip("_ ."):
        ascii_name = FALLBACK + _suffix(name)
    encoded = quote(name, safe="!#$&+^`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


def serving_headers(filename: str) -> dict[str, str]:
    """How a stored file leaves the server: always a download, never sniffed or rendered."""
    return {
        "Content-Disposition": content_disposition(filename),
        "X-Content-Type-Options": "nosniff",
        # Should a browser render it anyway, it runs no script and loads nothing.
        "Content-Security-Policy": "default-src 'none'; sandbox",
        # Never shared; revalidated on each use, so that the key is checked every time.
        "Cache-Control": "private, no-cache",
    }


def _suffix(name: str) -> str:
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem or len(extension) > 16 or not extension.isascii():
        return ""
    return "." + extension.lower()


def _truncate(name: str, reserve: int = 0) -> str:
    """At most MAX_BYTES - reserve bytes of UTF-8, cut from the stem so the extension stays."""
    budget = MAX_BYTES - reserve
    if len(name.encode()) <= budget:
        return name
    suffix = _suffix(name)
    stem = name[: len(name) - len(suffix)] if suffix else name
    cut = stem.encode()[: budget - len(suffix.encode())].decode("utf-8", "ignore")
    return cut.rstrip(" .") + name[len(stem) :]
