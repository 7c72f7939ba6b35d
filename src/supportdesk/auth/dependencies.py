"""FastAPI dependencies: the request's transaction, and the authenticated caller."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import Headers

from supportdesk.api.deps import app_state
from supportdesk.api.errors import door_for
from supportdesk.auth.principal import Principal
from supportdesk.core.actor import Actor
from supportdesk.core.addresses import client_address
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, InvalidApiKey, RateLimited, Unauthorized
from supportdesk.core.scopes import (
    ADMIN_SUPPORT,
    MANAGE_SUPPORT,
    READ_ACCOUNT,
    READ_SUPPORT,
    WRITE_SUPPORT,
)
from supportdesk.core.text import check_url_is_text

# Set by the MCP door on the scope of its tools' in-process calls (`mcp.door`).
VIA_SCOPE = "supportdesk.via"


async def _transaction(request: Request) -> AsyncIterator[DbSession]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    async with app_state(request).db.transaction() as session:
        yield session


# scope="function": the transaction ends when the handler returns, before the response goes out,
# so an acknowledged write is a committed write.
Session = Annotated[DbSession, Depends(_transaction, scope="function")]


def client_ip(request: Request) -> str:
    """The caller's IP address ("" if unknown), as `ApiMiddleware` resolved it for the request
    (`core.addresses`: forwarded headers count only from trusted proxies)."""
    resolved: str | None = getattr(request.state, "client_ip", None)
    if resolved is None:
        resolved = client_address(
            request.client.host if request.client else None,
            request.headers.getlist("x-forwarded-for"),
            app_state(request).settings.trusted_proxies,
        )
    return resolved


def presented_key(request: Request) -> str | None:
    """The key from `X-API-Key`, else from `Authorization: Bearer`; None if neither is sent."""
    return key_in_headers(request.headers)


def key_in_headers(headers: Headers) -> str | None:
    """`presented_key` for a middleware, which has the headers but no request."""
    key = headers.get("x-api-key")
    if key:
        return key.strip()
    authorization = headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


async def authenticate(request: Request, session: Session) -> Principal:
    """401 for no key or a bad one (429 once an address fails too often); 429 over the limit."""
    state = app_state(request)
    key = presented_key(request)
    try:
        if key is None:
            raise Unauthorized()
        principal: Principal = await state.authenticator.authenticate(session, key)
    except (Unauthorized, InvalidApiKey):
        window = await state.limiter.record_failure(client_ip(request) or "unknown")
        request.state.rate_window = window
        if not window.allowed:
            raise RateLimited(
                window.retry_after, "Too many failed authentication attempts from this address."
            ) from None
        raise
    window = await state.limiter.hit_key(principal.key_id, principal.rate_limit_per_minute)
    request.state.rate_window = window
    request.state.key_id = principal.key_id
    if not window.allowed:
        raise RateLimited(window.retry_after)
    await state.authenticator.note_use(session, principal.key_id)
    return principal


# What each `require_scope` dependency accepts, for the OpenAPI document's security.
REQUIRED_SCOPES: dict[Callable[..., Any], tuple[str, ...]] = {}


def require_scope(*accepted: str) -> Callable[..., Awaitable[Actor]]:
    """A dependency: who the key acts as, through the route's door, if the key carries one of
    `accepted` and its account is active."""

    async def dependency(request: Request, session: Session) -> Actor:
        return await acting(request, session, accepted)

    REQUIRED_SCOPES[dependency] = accepted
    return dependency


async def acting(request: Request, session: DbSession, accepted: tuple[str, ...]) -> Actor:
    """Authenticate the key, check its scope, and name who it acts as through the request's
    door: the one step both the routes' dependencies and the read lane take."""
    principal = await authenticate(request, session)
    check_scope(principal, accepted)
    # Then, as for any malformed parameter, 400 for a URL that is not UTF-8.
    check_url_is_text(request.scope)
    # A tool's in-process call through `/mcp` names its own door (`mcp.door`): a scope key no
    # request from outside can carry.
    via = request.scope.get(VIA_SCOPE)
    return principal.actor(via if isinstance(via, str) else door_for(request.scope).name)


def check_scope(principal: Principal, accepted: tuple[str, ...]) -> None:
    """403 unless the key carries one of `accepted` and its account (client or staff) is
    active."""
    if not principal.scopes.intersection(accepted):
        raise Forbidden(f"This API key lacks the {' or '.join(accepted)} scope.")
    if not principal.active:
        who = "staff member" if principal.is_staff else "client account"
        raise Forbidden(f"The {who} of this API key is not active.")


ReadSupport = Annotated[Actor, Depends(require_scope(READ_SUPPORT))]
WriteSupport = Annotated[Actor, Depends(require_scope(WRITE_SUPPORT))]
ReadAccount = Annotated[Actor, Depends(require_scope(READ_ACCOUNT))]
ReadSupportOrAccount = Annotated[Actor, Depends(require_scope(READ_SUPPORT, READ_ACCOUNT))]
# Staff-only scopes: a client key can never carry them, so a client key gets the 403 too.
ManageSupport = Annotated[Actor, Depends(require_scope(MANAGE_SUPPORT))]
AdminSupport = Annotated[Actor, Depends(require_scope(ADMIN_SUPPORT))]
