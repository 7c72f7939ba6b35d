"""The mails' words: Jinja2 templates shipped in `mail/templates`, each replaceable by a file of
the same name in `SUPPORTDESK_MAIL_TEMPLATES` (a company's name, signature, wording).

A kind `k` has `k.txt` (which sets `subject` and renders the plain text) and `k.html` (the same,
autoescaped: everything a person wrote is text in it, never markup).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

PACKAGED = Path(__file__).parent / "templates"


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str
    html: str


@functools.cache
def environment(override: Path | None) -> jinja2.Environment:
    """The loader looks in the company's directory first, then in the package."""
    loaders: list[jinja2.BaseLoader] = []
    if override is not None:
        loaders.append(jinja2.FileSystemLoader(override))
    loaders.append(jinja2.FileSystemLoader(PACKAGED))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default=False),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(override: Path | None, kind: str, context: dict[str, Any]) -> Rendered:
    """The mail of `kind`: subject (one line), plain text and HTML."""
    env = environment(override)
    text = env.get_template(f"{kind}.txt").make_module(context)
    subject = " ".join(str(getattr(text, "subject", "")).split())
    html = env.get_template(f"{kind}.html").render({**context, "subject": subject})
    return Rendered(subject=subject, text=str(text), html=html)
