"""Input rules shared by both generations: text without NUL bytes, a JSON body."""

from __future__ import annotations

from typing import Annotated

from fastapi import Request
from pydantic import AfterValidator, StringConstraints

from supportdesk.core.errors import UnsupportedMediaType


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Subject = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=255),
    AfterValidator(_no_nul),
]
MessageBody = Annotated[
    str, StringConstraints(min_length=1, max_length=65_535), AfterValidator(_no_nul)
]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=3, max_length=255, pattern=r"^[^@\s,;<>]+@[^@\s,;<>]+$"
    ),
]


async def json_body(request: Request) -> None:
    """415 unless the body is declared JSON (checked before the body is parsed)."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType()
