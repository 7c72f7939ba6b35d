"""Input rules shared by both generations: text without NUL bytes, a JSON body of sane shape."""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, StringConstraints
from starlette.exceptions import HTTPException

from supportdesk.api.deps import app_state
from supportdesk.auth.dependencies import WriteSupport, authenticate, check_scope
from supportdesk.core.errors import UnsupportedMediaType, ValidationFailed
from supportdesk.core.models import MAX_ROW_ID
from supportdesk.core.scopes import WRITE_SUPPORT
from supportdesk.tickets.numbers import MAX_TICKET_NUMBER

# Upper bounds that fit the columns they are compared with (and print exactly in the OpenAPI
# document): row ids are 32-bit integers, ticket numbers 64-bit.
__all__ = ["MAX_ROW_ID", "MAX_TICKET_NUMBER"]
# No body any route takes comes near these; past them the body is refused before validation
# walks it (60,000 unknown keys once cost 0.8 s of a worker and a 6 MiB error list).
MAX_JSON_DEPTH = 16
MAX_JSON_MEMBERS = 1_000


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
        strip_whitespace=True,
        min_length=3,
        max_length=255,
        pattern=r"^[^@\s,;<>\x00-\x1f\x7f]+@[^@\s,;<>\x00-\x1f\x7f]+$",
    ),
    AfterValidator(_no_nul),
]


async def json_body(request: Request, principal: WriteSupport) -> None:
    """415 unless the body is declared JSON; after authentication, which outranks it."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not media.endswith("+json"):
        raise UnsupportedMediaType()


class BodyTooComplex(ValidationFailed):
    default_message = (
        f"The request body is nested more than {MAX_JSON_DEPTH} levels deep or has more than "
        f"{MAX_JSON_MEMBERS} keys and array items."
    )

    def __init__(self) -> None:
        detail = {"pointer": "", "detail": self.default_message, "code": "too_complex"}
        super().__init__(pointer="", details=[detail])


def check_json_shape(document: Any) -> None:
    """BodyTooComplex past the depth or member limits; stops counting as soon as it is past."""
    members = 0
    pending: list[tuple[Any, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        children = value.values() if isinstance(value, dict) else value
        members += len(children)
        if depth > MAX_JSON_DEPTH or members > MAX_JSON_MEMBERS:
            raise BodyTooComplex()
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


class BoundedJsonRequest(Request):
    """A request whose JSON body is refused (BodyTooComplex) when absurdly deep or wide."""

    async def json(self) -> Any:
        try:
            document = json.loads(await self.body())
        except RecursionError:
            raise BodyTooComplex() from None
        if isinstance(document, dict | list):
            check_json_shape(document)
        return document


class AuthFirstRoute(APIRoute):
    """A route on which authentication outranks a broken body.

    FastAPI reads and parses the body (JSON or multipart) before it runs any dependency, so a
    body it cannot read would be refused (400) before the key is looked at. Here a request that
    fails before it was authenticated is authenticated first, and only a caller who passes
    hears about its body. Every route that takes a body needs `write:support`.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            request = BoundedJsonRequest(request.scope, request.receive)
            try:
                return await handler(request)
            except (RequestValidationError, HTTPException):
                if getattr(request.state, "key_id", None) is None:
                    async with app_state(request).db.transaction() as session:
                        principal = await authenticate(request, session)
                    check_scope(principal, (WRITE_SUPPORT,))
                raise

        return route_handler
