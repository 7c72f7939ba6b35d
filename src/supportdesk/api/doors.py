"""Doors: who answers a request, and so the shape of its errors and its request id.

Each router belongs to a door (v1, v2, and the desk, pages and tools to come). A route that
matches a request, fully or but for its method, puts its door in the ASGI scope; the error
body, the request id's kind and the timeline's `via` are then the door's, wherever the path
lies. A request that no route matched is answered by the door whose prefix the path falls
under, else by the default door (`api.errors`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from supportdesk.core.errors import InvalidField, SupportdeskError

ErrorRenderer = Callable[[SupportdeskError, str, str], tuple[bytes, str]]


@dataclass(frozen=True, slots=True)
class Door:
    """How one door speaks: its name (the timeline's `via`), request ids and error bodies."""

    name: str
    # Path prefixes this door answers for when no route matched (the longest prefix wins).
    prefixes: tuple[str, ...]
    new_request_id: Callable[[str | None], str]
    render: ErrorRenderer
    # Domain field → how this door names it (`department` → `/departmentSlug`).
    fields: Mapping[str, str] = field(default_factory=dict)

    def error_body(self, error: SupportdeskError, request_id: str, path: str) -> tuple[bytes, str]:
        """The error's body and media type, with domain fields named in this door's terms."""
        if isinstance(error, InvalidField):
            error = error.localised(self.fields.get(error.field, error.field))
        return self.render(error, request_id, path)


def route_class(door: Door, base: type[APIRoute] = APIRoute) -> type[APIRoute]:
    """A route class whose routes claim their requests for `door` (also on a 405)."""

    class DoorRoute(base):  # type: ignore[valid-type, misc]
        door_of_route: Door = door

        def matches(self, scope: Scope) -> tuple[Match, Scope]:
            match, child = super().matches(scope)
            if match is not Match.NONE:
                child["door"] = door
            return match, child

    DoorRoute.__name__ = f"{base.__name__}For{door.name.title().replace('_', '')}"
    return DoorRoute


def door_of(route: object, default: Door) -> Door:
    """The door a route belongs to (`default` for routes of no door, the health probes')."""
    found: Door | None = getattr(route, "door_of_route", None)
    return found or default
