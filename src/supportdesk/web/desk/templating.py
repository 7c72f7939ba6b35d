"""The desk's templates: Jinja2 with autoescaping everywhere, and text shown as text.

A message body is what a person typed: it is escaped, its line breaks kept and its links made
clickable (`linkify`), and nothing of it is ever read as HTML.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

_HERE = Path(__file__).parent
_LINK = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]", re.IGNORECASE)


def linkify(text: str) -> Markup:
    """Escaped text with its http(s) links as links and its line breaks as `<br>`."""
    pieces: list[str] = []
    last = 0
    for found in _LINK.finditer(text):
        pieces.append(str(escape(text[last : found.start()])))
        url = escape(found.group(0))
        pieces.append(f'<a href="{url}" rel="noopener noreferrer nofollow">{url}</a>')
        last = found.end()
    pieces.append(str(escape(text[last:])))
    html = "".join(pieces).replace("\r\n", "\n").replace("\n", "<br>\n")
    # Every piece was escaped above; only the tags made here are markup.
    return Markup(html)  # noqa: S704


def when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC" if moment is not None else "—"


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["linkify"] = linkify
    env.filters["when"] = when
    return env


TEMPLATES = environment()
STATIC = _HERE / "static"
