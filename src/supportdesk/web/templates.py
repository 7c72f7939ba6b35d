"""The pages' templates: one Jinja2 environment, autoescaped, and the `linkify` filter.

Everything a person wrote is text: it is escaped, and only its http(s) links become links
(`rel="nofollow noopener noreferrer"`, opened in the same tab). Newlines are kept by the
stylesheet: put written text in an element of class `text` (`white-space: pre-wrap`).
"""

from __future__ import annotations

import re
from http import HTTPStatus
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape

from supportdesk import __version__
from supportdesk.core.errors import SupportdeskError

TEMPLATES = Path(__file__).parent / "templates"

# A link runs to the next space or angle bracket; punctuation that ends a sentence is not
# part of it, nor a closing bracket that opened before the link.
_URL = re.compile(r"\bhttps?://[^\s<>\"'\x00-\x1f\x7f]+", re.IGNORECASE)
_TRAILING = ".,;:!?'\""


def _trimmed(url: str) -> str:
    while url and (
        url[-1] in _TRAILING
        or (url[-1] == ")" and url.count(")") > url.count("("))
        or (url[-1] == "]" and url.count("]") > url.count("["))
    ):
        url = url[:-1]
    return url


def linkify(text: str | None) -> Markup:
    """`text` escaped, its http(s) links made clickable; line breaks are left as they are."""
    if not text:
        return Markup("")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = _trimmed(match.group(0))
        if len(url) <= len("https://"):
            continue
        start = match.start()
        parts.append(escape(text[position:start]))
        # An f-string of the escaped URL: the same markup as Markup.format, a tenth of the work
        # (a ticket page runs this for each of hundreds of messages).
        shown = escape(url)
        parts.append(Markup(f'<a href="{shown}" rel="nofollow noopener noreferrer">{shown}</a>'))  # noqa: S704
        position = start + len(url)
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def _file_size(byte_length: int) -> str:
    size = float(byte_length)
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{int(size)} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} MB"  # pragma: no cover


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",), default_for_string=True, default=True),
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
environment.filters["linkify"] = linkify
environment.filters["file_size"] = _file_size
environment.globals["version"] = __version__


def render_template(name: str, **context: object) -> str:
    """A template rendered with `context` (pages go through `web.pages.render_page`)."""
    return environment.get_template(name).render(**context)


def render_error_page(error: SupportdeskError, request_id: str) -> bytes:
    """An error as a page: what happened, in words, and the request id to quote."""
    try:
        title = HTTPStatus(error.status_code).phrase
    except ValueError:
        title = "Error"
    message = error.message
    if error.status_code == 404:
        # One text for "no such ticket" and "not yours" alike (and for no such page).
        message = "There is nothing here. Check that the link is complete, as it was sent."
    return render_template(
        "error.html",
        status=error.status_code,
        title=title,
        message=message,
        request_id=request_id,
    ).encode()
