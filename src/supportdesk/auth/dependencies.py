"""FastAPI dependencies: the request's transaction, and the authenticated caller."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from supportdesk.auth.principal import Principal
from supportdesk.core.columns import IP_ADDRESS_LENGTH
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, InvalidApiKey, RateLimited, Unauthorized
from supportdesk.core.text import check_url_is_text


async def _transaction(request: Request) -> AsyncIterator[DbSession]:
    """One transaction per request: committed before the response is sent, or rolled back."""
    async with request.app.state.db.transaction() as session:
        yield session


# scope="function": the transaction ends when the handler returns, before the response goes out,
# so an acknowledged write is a committed write.
Session = Annotated[DbSession, Depends(_transaction, scope="function")]


def client_ip(request: Request) -> str:
    """The caller's address: the first `X-Forwarded-For` entry when the proxy is trusted, else
    the peer's; always an IP address as text (normalised, so that it fits `senderip`), or
    "unknown". (uvicorn itself takes the peer from `X-Forwarded-For` when the connection comes
    from 127.0.0.1, without checking that it is an address.)"""
    if request.app.state.settings.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            address = _ip_address(forwarded.split(",")[0].strip())
            if address is not None:
                return address
    peer = _ip_address(request.client.host) if request.client else None
    return peer or "unknown"


def _ip_address(text: str) -> str | None:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    shown = str(address)
    # A scope id (`fe80::1%eth0`) may be any length: not an address the column holds.
    return shown if "%" not in shown and len(shown) <= IP_ADDRESS_LENGTH else None


def presented_key(request: Request) -> str | None:
    """The key from `X-API-Key`, else from `Authorization: Bearer`; None if neither is sent."""
    key = request.headers.get("x-api-key")
    if key:
        return key.strip()
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


async def authenticate(request: Request, session: Session) -> Principal:
    """401 for no key or a bad one (429 once an address fails too often); 429 over the limit."""
    state = request.app.state
    key = presented_key(request)
    try:
        if key is None:
            raise Unauthorized()
        principal: Principal = await state.authenticator.authenticate(session, key)
    except (Unauthorized, InvalidApiKey):
        window = await state.limiter.record_failure(client_ip(request))
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


def require_scope(*accepted: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency: the caller, if its key carries one of `accepted` and its account is active
    (and then, as for any malformed parameter, 400 for a URL that is not UTF-8)."""

    async def dependency(
        request: Request, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Principal:
        check_scope(principal, accepted)
        check_url_is_text(request.scope)
        return principal

    return dependency


def check_scope(principal: Principal, accepted: tuple[str, ...]) -> None:
    """403 unless the key carries one of `accepted` and its client account is active."""
    if not principal.scopes.intersection(accepted):
        raise Forbidden(f"This API key lacks the {' or '.join(accepted)} scope.")
    if not principal.active:
        raise Forbidden("The client account of this API key is not active.")


ReadSupport = Annotated[Principal, Depends(require_scope("read:support"))]
WriteSupport = Annotated[Principal, Depends(require_scope("write:support"))]
ReadAccount = Annotated[Principal, Depends(require_scope("read:account"))]
ReadSupportOrAccount = Annotated[Principal, Depends(require_scope("read:support", "read:account"))]
