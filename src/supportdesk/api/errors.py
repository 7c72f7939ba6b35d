"""Which door answers a request: the shape of its errors and the kind of its request id."""

from __future__ import annotations

from typing import Any

from starlette.types import Scope

from supportdesk.api.doors import Door
from supportdesk.api.v1.door import V1
from supportdesk.api.v2.door import V2
from supportdesk.core.errors import SupportdeskError
from supportdesk.web.door import WEB

DOORS = (V1, V2, WEB)
# v1 is HostUp's original API: it answers for paths that belong to no door.
DEFAULT_DOOR = V1


def door_for(scope: Scope) -> Door:
    """The door of the route that matched, else the one whose prefix holds the path."""
    door: Door | None = scope.get("door")
    if door is not None:
        return door
    path: str = scope.get("path", "")
    best, longest = DEFAULT_DOOR, 0
    for candidate in DOORS:
        for prefix in candidate.prefixes:
            if len(prefix) > longest and (path == prefix or path.startswith(prefix + "/")):
                best, longest = candidate, len(prefix)
    return best


def request_id(scope: Scope) -> str:
    """The request's id, made once, of its door's kind (a client's own `X-Request-Id` is
    echoed only when it is well formed for that kind: no log injection)."""
    state: dict[str, Any] = scope.setdefault("state", {})
    found: str | None = state.get("request_id")
    if found is None:
        offered = dict(scope.get("headers", ())).get(b"x-request-id", b"").decode("latin-1")
        found = door_for(scope).new_request_id(offered or None)
        state["request_id"] = found
    return found


def render_error(error: SupportdeskError, scope: Scope) -> tuple[bytes, str]:
    """The body and media type of an error, in the shape of the door that answers."""
    return door_for(scope).error_body(error, request_id(scope), scope.get("path", ""))
