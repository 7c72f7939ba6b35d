"""The read lane: `GET /api/support/tickets/{number}` without FastAPI's per-request machinery.

Reading a ticket is most of the traffic. FastAPI's dependency solving, parameter validation and
routing cost several times what the read itself costs, so a well-formed read is answered here
with the same two steps the FastAPI route takes: `acting` (the key, its scope, its actor: what
the route's dependency runs) and `ticket_response` (the route's own answer). Anything else (a
malformed number, another method, a path with a query string or a trailing slash) goes on to
FastAPI, which answers it exactly as before; the route
stays the OpenAPI document's description of this endpoint.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from supportdesk.api.deps import state_of
from supportdesk.api.handlers import error_response
from supportdesk.api.v1.door import V1
from supportdesk.api.v1.router import MAX_NUMBER, ticket_response
from supportdesk.auth.dependencies import acting
from supportdesk.core.errors import SupportdeskError
from supportdesk.core.scopes import READ_SUPPORT

_PATH = re.compile(r"^/api/support/tickets/([1-9][0-9]{0,18})$")
_READ = (READ_SUPPORT,)


class _Route:
    path = "/api/support/tickets/{number}"


_ROUTE = _Route()


class TicketReadLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _PATH.match(scope["path"]) if scope["type"] == "http" else None
        if match is None or scope["method"] != "GET" or int(match[1]) > MAX_NUMBER:
            await self.app(scope, receive, send)
            return
        # The access log names the route, and the door is v1's, as for requests FastAPI routes.
        scope["route"] = _ROUTE
        scope["door"] = V1
        request = Request(scope, receive)
        try:
            async with state_of(scope["app"]).db.transaction() as session:
                actor = await acting(request, session, _READ)
                response = await ticket_response(
                    request,
                    actor,
                    session,
                    int(match[1]),
                    request.headers.get("if-none-match"),
                )
        except SupportdeskError as error:
            response = error_response(request, error)
        await response(scope, receive, send)
