"""What the admin routes share: their route class (the key before a broken body), JSON bodies,
id cursors, and the wire form of the admin services' records."""

from __future__ import annotations

import base64
import binascii
import hmac
import re
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from supportdesk.admin.common import Page, camel, wire
from supportdesk.api.deps import app_state
from supportdesk.api.inputs import BoundedJsonRequest
from supportdesk.api.v2.cursor import CursorCodec
from supportdesk.api.v2.render import json_response
from supportdesk.auth.dependencies import authenticate, check_scope
from supportdesk.core.columns import ROW_ID_MAX
from supportdesk.core.errors import (
    InvalidCursor,
    InvalidField,
    ValidationFailed,
)
from supportdesk.core.scopes import ADMIN_SUPPORT

T = TypeVar("T")


class AdminRoute(APIRoute):
    """As `api.inputs.AuthFirstRoute`, for `admin:support`: a body FastAPI cannot read is
    answered 400 only to a caller whose key passes (401 and 403 outrank it)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            request = BoundedJsonRequest(request.scope, request.receive)
            try:
                return await handler(request)
            except (RequestValidationError, HTTPException) as error:
                if getattr(request.state, "key_id", None) is None:
                    async with app_state(request).db.transaction() as session:
                        principal = await authenticate(request, session)
                    check_scope(principal, (ADMIN_SUPPORT,))
                if isinstance(error, HTTPException) and error.status_code == 400:
                    if isinstance(error.__cause__, UnicodeDecodeError):
                        raise ValidationFailed("The request body is not valid UTF-8.") from None
                    if isinstance(error.__cause__, ValueError):
                        raise ValidationFailed("The request body is not valid JSON.") from None
                raise

        return route_handler


def presented_key_id(request: Request) -> int | None:
    """The id of the key that made this request (set by `authenticate`)."""
    found = getattr(request.state, "key_id", None)
    return found if isinstance(found, int) else None


# --- answers ---------------------------------------------------------------------------------


def page_answer(
    codec: CursorCodec, kind: str, page: Page[Any], render: Callable[[Any], Any] = wire
) -> Response:
    last = page.last_id
    cursor = encode_cursor(codec, kind, last) if page.has_more and last is not None else None
    return json_response(
        {
            "data": [render(item) for item in page.items],
            "nextCursor": cursor,
            "hasMore": page.has_more,
        }
    )


def pointer(field: str) -> str:
    return "/" + camel(field)


async def call(work: Awaitable[T]) -> T:
    """Run a service call, naming its fields as v2 does (`department_ids` → `/departmentIds`)."""
    try:
        return await work
    except InvalidField as error:
        raise error.localised(pointer(error.field)) from None


# --- id cursors ------------------------------------------------------------------------------

_TAG_BYTES = 16
_PAYLOAD = re.compile(rb"a:([a-z-]{1,32}):([1-9][0-9]{0,9})")


def encode_cursor(codec: CursorCodec, kind: str, last_id: int) -> str:
    return codec.seal(f"a:{kind}:{last_id}".encode())


def decode_cursor(codec: CursorCodec, kind: str, cursor: str | None) -> int | None:
    """The last id of the page before, from a cursor this list issued; InvalidCursor else."""
    if cursor is None:
        return None
    if len(cursor) > 128 or not cursor.isascii():
        raise InvalidCursor(pointer="?cursor")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise InvalidCursor(pointer="?cursor") from None
    payload = raw[:-_TAG_BYTES]
    if len(raw) <= _TAG_BYTES or not hmac.compare_digest(codec.seal(payload), cursor.rstrip("=")):
        raise InvalidCursor(pointer="?cursor")
    match = _PAYLOAD.fullmatch(payload)
    if match is None or match[1].decode() != kind or int(match[2]) > ROW_ID_MAX:
        raise InvalidCursor(pointer="?cursor")
    return int(match[2])


__all__ = ["wire"]
