"""The read lane: the ticket detail (`GET /api/support/tickets/{number}`, `GET
/api/v2/support/tickets/{id}`) without FastAPI's per-request machinery.

Reading a ticket is most of the traffic. FastAPI's dependency solving, parameter validation and
routing cost several times what a cached read itself costs, so a well-formed read is answered
here with the same two steps the FastAPI route takes: `acting` (the key, its scope, its actor:
what the route's dependency runs) and the door's `ticket_response` (the route's own answer). The
lane reads in a reading session (`Database.reading`: no write lock on SQLite, no transaction on
PostgreSQL); the read marker's flip upgrades it. Anything else (a malformed reference, another
method, a trailing slash) goes on to FastAPI, which answers it exactly as before; the routes
stay the OpenAPI document's description of these endpoints.
"""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from supportdesk.api.deps import state_of
from supportdesk.api.doors import Door
from supportdesk.api.handlers import error_response
from supportdesk.api.v1 import router as v1
from supportdesk.api.v1.door import V1
from supportdesk.api.v2 import router as v2
from supportdesk.api.v2.door import V2
from supportdesk.auth.dependencies import acting
from supportdesk.core.errors import SupportdeskError
from supportdesk.core.scopes import READ_SUPPORT
from supportdesk.tickets.numbers import parse_ticket_ref

_V1_PATH = re.compile(r"^/api/support/tickets/([1-9][0-9]{0,18})$")
_V2_PATH = re.compile(r"^/api/v2/support/tickets/([A-Za-z0-9_]{1,64})$")
_READ = (READ_SUPPORT,)


class _Route:
    def __init__(self, path: str) -> None:
        self.path = path


_V1_ROUTE = _Route("/api/support/tickets/{number}")
_V2_ROUTE = _Route("/api/v2/support/tickets/{ticket_id}")


class TicketReadLane:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        ref: int | str | None = None
        door: Door = V1
        if (match := _V1_PATH.match(path)) is not None:
            number = int(match[1])
            ref = number if number <= v1.MAX_NUMBER else None
            route = _V1_ROUTE
        elif (match := _V2_PATH.match(path)) is not None:
            ref = parse_ticket_ref(match[1])
            door, route = V2, _V2_ROUTE
        if ref is None:
            await self.app(scope, receive, send)
            return
        # The access log names the route, and the door is the route's, as for requests FastAPI
        # routes.
        scope["route"] = route
        scope["door"] = door
        request = Request(scope, receive)
        state = state_of(scope["app"])
        if_none_match = request.headers.get("if-none-match")
        response: Response
        try:
            async with state.db.reading() as session:
                actor = await acting(request, session, _READ)
                if door is V1:
                    assert isinstance(ref, int)
                    response = await v1.ticket_response(request, actor, session, ref, if_none_match)
                else:
                    response = await v2.ticket_response(
                        state.answers, actor, session, ref, if_none_match
                    )
        except SupportdeskError as error:
            response = error_response(request, error)
        await response(scope, receive, send)
