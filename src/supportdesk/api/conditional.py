"""Conditional requests (RFC 9110 §13): entity tags, `If-None-Match`, and the 304 answer."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

import orjson
from fastapi import Header
from fastapi.responses import Response

IfNoneMatch = Annotated[
    str | None,
    Header(
        alias="If-None-Match",
        description="An `ETag` this client holds: answered 304, with no body, while it is current.",
    ),
]


def entity_tag(encoded: bytes) -> str:
    """The weak tag of an encoded rendering: the one function every entity tag comes from (a
    cached answer's, computed once from its stable bytes, and a fresh build's alike)."""
    return 'W/"' + hashlib.blake2b(encoded, digest_size=16).hexdigest() + '"'


def weak_etag(shown: Any) -> str:
    """A weak tag over a rendering: it moves with anything the caller is shown."""
    return entity_tag(orjson.dumps(shown))


def matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110's weak comparison: `*` or any listed tag, with or without `W/`."""
    opaque = tag.removeprefix("W/")
    listed = {candidate.strip().removeprefix("W/") for candidate in if_none_match.split(",")}
    return "*" in listed or opaque in listed


def not_modified(tag: str, if_none_match: str | None) -> Response | None:
    """The 304 for a request whose `If-None-Match` lists `tag`, else None."""
    if if_none_match is not None and matches(if_none_match, tag):
        return Response(status_code=304, headers={"ETag": tag})
    return None


def tagged_json(shown: Any, if_none_match: str | None) -> Response:
    """A JSON resource with its weak `ETag`, or the 304 when the client's tag is current."""
    tag = weak_etag(shown)
    unchanged = not_modified(tag, if_none_match)
    if unchanged is not None:
        return unchanged
    return Response(orjson.dumps(shown), media_type="application/json", headers={"ETag": tag})
