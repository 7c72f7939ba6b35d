"""What counts as text on every backend: Unicode that UTF-8 can carry, without NUL.

JSON can spell a lone surrogate (`"\\ud800"`) and a URL can carry bytes that are not UTF-8; no
database stores either, and PostgreSQL refuses NUL in text. Such input is refused with a 400
before it reaches a driver, the same way on SQLite and PostgreSQL.
"""

from __future__ import annotations

import codecs
from typing import Any
from urllib.parse import unquote_to_bytes

from typing_extensions import Buffer

from supportdesk.core.errors import InvalidParameter

NUL = "\x00"
# The text pattern of the OpenAPI document: any text without NUL (the validators below say the
# rest, which JSON Schema cannot: a lone surrogate is not text).
NO_NUL_PATTERN = r"^[^\x00]*$"


def text_problem(value: str) -> str | None:
    """Why `value` is not text the database can hold, or None when it is."""
    if NUL in value:
        return "must not contain NUL characters"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid UTF-8 text, without lone surrogates"
    return None


def _undecodable(raw: bytes) -> bool:
    try:
        unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def undecodable_url_part(raw_path: bytes, query_string: bytes) -> str | None:
    """The part of a URL whose percent-decoded bytes are not UTF-8: `"path"` or the query
    parameter's name. (The server decodes such bytes to U+FFFD, which is no longer visible.)"""
    if b"%" in raw_path and _undecodable(raw_path):
        return "path"
    if b"%" not in query_string:
        return None
    for pair in query_string.split(b"&"):
        name, _, value = pair.replace(b"+", b" ").partition(b"=")
        if _undecodable(name) or _undecodable(value):
            return unquote_to_bytes(name).decode("utf-8", "replace")
    return None


def check_url_is_text(scope: Any) -> None:
    """400 when the path or a query value is percent-encoded bytes that are not UTF-8.

    The server reads such bytes as U+FFFD, so no parameter type can tell. Called once the key
    and its scope passed, as a malformed parameter is (401 and 403 outrank 400).
    """
    part = undecodable_url_part(scope.get("raw_path") or b"", scope.get("query_string") or b"")
    if part == "path":
        raise InvalidParameter("The path must be valid UTF-8 once percent-decoded.")
    if part is not None:
        raise InvalidParameter(
            f"Parameter '{part}': must be valid UTF-8 text once percent-decoded.",
            pointer=f"?{part}",
        )


# A codec that reads UTF-8 and keeps each byte that is not UTF-8 as a lone surrogate
# (`surrogateescape`) instead of failing: a multipart form declared in it yields fields whose
# invalid bytes the text validators see and refuse, where the form parser would otherwise fall
# back to reading the whole field as Latin-1.
ESCAPING_UTF8 = "supportdesk-utf-8-escaping"


def _escaping_decode(data: Buffer, errors: str = "strict", /) -> tuple[str, int]:
    return codecs.utf_8_decode(data, "surrogateescape", True)


def _find_codec(name: str) -> codecs.CodecInfo | None:
    if name.replace("_", "-") != ESCAPING_UTF8:
        return None
    utf8 = codecs.lookup("utf-8")
    return codecs.CodecInfo(utf8.encode, _escaping_decode, name=ESCAPING_UTF8)


codecs.register(_find_codec)
