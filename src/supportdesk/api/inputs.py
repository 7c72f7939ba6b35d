"""Input rules shared by both generations: text without NUL bytes, a JSON body."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import AfterValidator, StringConstraints

from supportdesk.api.deps import app_state
from supportdesk.auth.dependencies import WriteSupport, authenticate, check_scope
from supportdesk.core.errors import UnsupportedMediaType

# Upper bounds that print exactly in the OpenAPI document (which stores bounds as floats) and
# fit the columns they are compared with: row ids are 32-bit integers, ticket numbers 64-bit.
MAX_ROW_ID = 2_147_483_647
MAX_TICKET_NUMBER = 10**18


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


class AuthFirstRoute(APIRoute):
    """A route on which authentication outranks a broken body.

    FastAPI parses a JSON body before it runs any dependency, so a body that is not JSON would
    be refused (400) before the key is looked at. Here such a request is authenticated first,
    and only a caller who passes gets the 400.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as error:
                if any(e.get("type") == "json_invalid" for e in error.errors()):
                    async with app_state(request).db.transaction() as session:
                        principal = await authenticate(request, session)
                    check_scope(principal, ("write:support",))
                raise

        return route_handler
