"""`/mcp` on the API server: streamable HTTP, the caller's API key as `Authorization: Bearer`.

Stateless (a fresh transport per request, JSON answers): every request carries its key, so any
process of the server answers any request, and one key's session is never another's. The
tools' calls go to the same app in-process, through the library, with the caller's key: every
rule of the API holds for them. They are marked as coming through the MCP door (`VIA_MCP` in
the timeline) by a key in the ASGI scope that only this in-process transport sets; no header
from outside can set it.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.routing import iter_route_contexts
from mcp.server.context import ServerRequestContext
from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from supportdesk.api.deps import AppState
from supportdesk.api.middleware import send_error
from supportdesk.auth.dependencies import VIA_SCOPE, key_in_headers
from supportdesk.auth.principal import Principal
from supportdesk.core.actor import VIA_MCP
from supportdesk.core.errors import Forbidden, InvalidApiKey, RateLimited, Unauthorized
from supportdesk.mcp.profile import Profile, is_sla_route
from supportdesk.mcp.server import Caller, build_server
from supportdesk_client import AsyncClient

PATH = "/mcp"
_CALLER = "supportdesk.mcp_caller"
_INTERNAL_URL = "http://mcp.internal"


class _ThroughMcp:
    """The API app, for calls made by the tools: each is marked as coming through MCP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app({**scope, VIA_SCOPE: VIA_MCP}, receive, send)


class McpDoor:
    """The ASGI endpoint of `/mcp`: authenticates the key, then hands over to the SDK."""

    def __init__(self, api_app: ASGIApp, state: AppState) -> None:
        self.state = state
        self.api_app = api_app
        self.internal = _ThroughMcp(api_app)
        self.manager = StreamableHTTPSessionManager(
            build_server(self._caller), stateless=True, json_response=True
        )
        self._sla: bool | None = None

    async def _caller(self, ctx: ServerRequestContext[Any]) -> Caller:
        request = ctx.request
        caller = getattr(request, "scope", {}).get("state", {}).get(_CALLER)
        if not isinstance(caller, Caller):
            raise RuntimeError("an MCP request reached the tools without its caller")
        return caller

    def _serves_sla(self) -> bool:
        if self._sla is None:
            # Walk into included routers: the app's own `routes` lists them, not their routes.
            routes = iter_route_contexts(getattr(self.api_app, "routes", []))
            self._sla = any(is_sla_route(context.path or "") for context in routes)
        return self._sla

    async def _principal(self, scope: Scope) -> Principal:
        state = scope.setdefault("state", {})
        key = key_in_headers(Headers(scope=scope))
        try:
            if key is None:
                raise Unauthorized()
            async with self.state.db.transaction() as session:
                principal = await self.state.authenticator.authenticate(session, key)
        except (Unauthorized, InvalidApiKey):
            window = await self.state.limiter.record_failure(state.get("client_ip") or "unknown")
            state["rate_window"] = window
            if not window.allowed:
                raise RateLimited(
                    window.retry_after, "Too many failed authentication attempts."
                ) from None
            raise
        window = await self.state.limiter.hit_key(principal.key_id, principal.rate_limit_per_minute)
        state["rate_window"] = window
        state["key_id"] = principal.key_id
        if not window.allowed:
            raise RateLimited(window.retry_after)
        if not principal.active:
            raise Forbidden("The account of this API key is not active.")
        return principal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            principal = await self._principal(scope)
        except (Unauthorized, InvalidApiKey, Forbidden, RateLimited) as error:
            if error.status_code == 401:
                error = _Unauthorized(error.message)
            await send_error(error, scope, send)
            return
        key = key_in_headers(Headers(scope=scope))
        assert key is not None
        address = scope["state"].get("client_ip") or "127.0.0.1"
        api = AsyncClient(
            _INTERNAL_URL,
            key,
            max_retries=0,
            transport=httpx.ASGITransport(app=self.internal, client=(address, 0)),
        )
        profile = Profile(staff=principal.is_staff, scopes=principal.scopes, sla=self._serves_sla())
        scope["state"][_CALLER] = Caller(api, profile)
        try:
            await self.manager.handle_request(scope, receive, send)
        finally:
            await api.close()


class _Unauthorized(Unauthorized):
    """A 401 that names the scheme an MCP client should answer with (RFC 9110 §11.6.1)."""

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="supportdesk"'}
