"""What a key may do, found once per session: which tools it is shown."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.core.scopes import MANAGE_SUPPORT, READ_ACCOUNT, READ_SUPPORT, WRITE_SUPPORT
from supportdesk_client import AsyncClient, Call, PermissionDenied, SupportdeskError

SLA_SUFFIX = "/sla"
TICKET_PREFIX = "/api/v2/support/tickets/{"


def is_sla_route(path: str) -> bool:
    """`/api/v2/support/tickets/{...}/sla`, whatever its parameter is named."""
    return path.startswith(TICKET_PREFIX) and path.endswith("}" + SLA_SUFFIX)


@dataclass(frozen=True, slots=True)
class Profile:
    """Who the key acts as (staff or a client) and the scopes it carries."""

    staff: bool
    scopes: frozenset[str]
    # The SLA route is served by this server (it comes with the SLA job).
    sla: bool = False

    def may(self, scope: str) -> bool:
        return scope in self.scopes


async def _allowed(api: AsyncClient, call: Call[object]) -> bool:
    try:
        await api.send(call)
    except PermissionDenied:
        return False
    except SupportdeskError as error:
        # A refusal after the scope check (400, 404) says the scope is there.
        return error.status is not None and error.status < 500 and error.status != 401
    return True


def _ignore(_: object) -> None:
    return None


async def discover(api: AsyncClient) -> Profile:
    """The profile of the library client's key, through the API alone (the stdio door).

    Read-only probes, refused before they change anything: the ticket list (`read:support`),
    the departments (`read:account`), a new ticket with an empty body (`write:support`: 403
    without the scope, else 400 for the body), the macros (`manage:support`, staff only), a
    staff-only list filter (400 for a client key). The SLA route is looked up in the served
    OpenAPI document.
    """
    base = "/api/v2/support"
    scopes = set()
    if await _allowed(api, Call("GET", f"{base}/tickets", _ignore, params={"limit": 1})):
        scopes.add(READ_SUPPORT)
    if await _allowed(api, Call("GET", f"{base}/departments", _ignore)):
        scopes.add(READ_ACCOUNT)
    if await _allowed(api, Call("POST", f"{base}/tickets", _ignore, json={})):
        scopes.add(WRITE_SUPPORT)
    if await _allowed(api, Call("GET", f"{base}/macros", _ignore)):
        scopes.add(MANAGE_SUPPORT)
    staff = MANAGE_SUPPORT in scopes
    if not staff and READ_SUPPORT in scopes:
        staff = await _succeeds(
            api, Call("GET", f"{base}/tickets", _ignore, params={"limit": 1, "ownerId": "me"})
        )
    document = await api.send(Call("GET", "/openapi.json", lambda r: r.json()))
    paths = document.get("paths", {}) if isinstance(document, dict) else {}
    sla = any(is_sla_route(path) for path in paths)
    return Profile(staff=staff, scopes=frozenset(scopes), sla=sla)


async def _succeeds(api: AsyncClient, call: Call[object]) -> bool:
    try:
        await api.send(call)
    except SupportdeskError:
        return False
    return True
