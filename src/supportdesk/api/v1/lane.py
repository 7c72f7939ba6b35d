"""The read lane: `GET /api/support/tickets/{number}` without FastAPI's per-request machinery.

Reading a ticket is most of the traffic. FastAPI's dependency solving, parameter validation and
routing cost several times what the read itself costs, so a well-formed read is answered here
with the same functions the FastAPI route calls: `authenticate`, `check_scope`, and
`ticket_response`. Anything else (a malformed number, another method, a path with a query
string or a trailing slash) goes on to FastAPI, which answers it exactly as before; the route
stays the OpenAPI document's description of this endpoint.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from supportdesk.api.deps import state_of
from supportdesk.api.handlers import error_response
from supportdesk.api.v1.router import MAX_NUMBER, ticket_response
from supportdesk.auth.dependencies import authenticate, check_scope
from supportdesk.core.errors import SupportdeskError

_PATH = re.compile(r"^/api/support/tickets/([1-9][0-9]{0,18})$")
_READ = ("read:support",)


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
        # The access log names the route, as it does for requests FastAPI routes.
        scope["route"] = _ROUTE
        request = Request(scope, receive)
        try:
            async with state_of(scope["app"]).db.transaction() as session:
                principal = await authenticate(request, session)
                check_scope(principal, _READ)
                response = await ticket_response(
                    request,
                    principal,
                    session,
                    int(match[1]),
                    request.headers.get("if-none-match"),
                )
        except SupportdeskError as error:
            response = error_response(request, error)
        await response(scope, receive, send)
