"""What every response gets: a request id, rate-limit headers, and the generic refusals.

A plain ASGI middleware (no BaseHTTPMiddleware: it would cost a task per request). It sits
inside Starlette's error middleware, so it also turns an unhandled exception into the
generation's 500 body, with the request id the log line carries.

It also answers `HEAD` wherever `GET` is served (RFC 9110 §9.3.2): the app sees a GET, and the
response leaves with the same status and headers and no body. Health probes get a request id
and the HTTP checks, but no rate limit and no access log.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk.api.errors import render_error, request_id
from supportdesk.core.addresses import Network, client_address
from supportdesk.core.errors import (
    InvalidParameter,
    NotAcceptable,
    PayloadTooLarge,
    SupportdeskError,
    ValidationFailed,
)
from supportdesk.core.ratelimit import RateLimiter, Window
from supportdesk.web.door import is_page_path

log = logging.getLogger("supportdesk.http")
access = logging.getLogger("supportdesk.access")

MAX_JSON_BODY = 1024 * 1024
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
_JSON_RANGES = {"*/*", "application/*", "application/json", "application/problem+json"}
# Answers that depend on the key are never shared, and are revalidated on every use: the
# key is checked again each time, and a ticket's ETag makes that cheap (`If-None-Match`).
PER_KEY_HEADERS = (
    (b"cache-control", b"private, no-cache"),
    (b"vary", b"X-API-Key, Authorization, Accept"),
)
# RFC 9110 §7.2: uri-host [ ":" port ], a reg-name, IPv4 or bracketed IPv6 literal.
_HOST = re.compile(rb"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._~!$&'()*+,;=%-]+)(?::[0-9]{1,5})?$")


def accepts_json(accept: str) -> bool:
    """False only when `Accept` names media types and none of them admits JSON."""
    if not accept.strip():
        return True
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if media.lower() not in _JSON_RANGES:
            continue
        quality = next((p[2:] for p in params if p.lower().startswith("q=")), "1")
        try:
            if float(quality) > 0:
                return True
        except ValueError:
            return True
    return False


def is_download(method: str, path: str) -> bool:
    """A download answers with the file's own type, so only JSON answers insist on Accept."""
    return method == "GET" and "/attachments/" in path


def rate_limit_headers(window: Window) -> list[tuple[bytes, bytes]]:
    reset = datetime.fromtimestamp(window.reset_at, UTC)
    seconds = max(0, round(window.reset_at - datetime.now(UTC).timestamp()))
    return [
        (b"x-ratelimit-limit", str(window.limit).encode()),
        (b"x-ratelimit-remaining", str(window.remaining).encode()),
        (b"x-ratelimit-reset", reset.strftime("%Y-%m-%dT%H:%M:%SZ").encode()),
        (b"ratelimit-policy", f'"{window.policy}";q={window.limit};w=60'.encode()),
        (b"ratelimit", f'"{window.policy}";r={window.remaining};t={seconds}'.encode()),
    ]


class ApiMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        limiter: RateLimiter,
        max_upload_bytes: int,
        trusted_proxies: tuple[Network, ...] = (),
    ) -> None:
        self.app = app
        self.limiter = limiter
        self.trusted_proxies = trusted_proxies
        # A multipart upload may carry a file up to the attachment limit, plus its framing.
        self.max_multipart = max_upload_bytes + 64 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = dict(scope["headers"])
        # The request id is made when first needed: by then the route that matched has named
        # its door, whose kind of id it is.
        state: dict[str, Any] = scope.setdefault("state", {})
        client = scope.get("client")
        state["client_ip"] = client_address(
            str(client[0]) if client else None,
            (
                value.decode("latin-1")
                for name, value in scope["headers"]
                if name == b"x-forwarded-for"
            ),
            self.trusted_proxies,
        )
        state["head"] = head = scope["method"] == "HEAD"
        if head:
            # A copy: the server reads the method from its own scope, and must see HEAD. No
            # `pathsend` either: a file must leave as body messages, which are dropped.
            extensions = dict(scope.get("extensions") or {})
            extensions.pop("http.response.pathsend", None)
            scope = {**scope, "method": "GET", "extensions": extensions}
        health = path in HEALTH_PATHS
        per_key = path.startswith("/api/")
        started = False
        status = 500
        began = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                nonlocal status
                started = True
                status = message["status"]
                sent = message.get("headers", [])
                added = [(b"x-request-id", request_id(scope).encode())]
                if not health:
                    window: Window | None = state.get("rate_window")
                    if window is None:
                        window = await self.limiter.ip_window(state["client_ip"] or "unknown")
                    added += rate_limit_headers(window)
                if per_key:
                    names = {name.lower() for name, _ in sent}
                    added += [header for header in PER_KEY_HEADERS if header[0] not in names]
                message["headers"] = [*sent, *added]
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        content_type = headers.get(b"content-type", b"").lower()
        limit = self.max_multipart if content_type.startswith(b"multipart/") else MAX_JSON_BODY
        try:
            refusal = _host_refusal(scope) or (
                None
                if health
                else _refusal(
                    scope["headers"],
                    headers,
                    limit,
                    # Pages answer HTML: a browser's Accept is theirs to judge, not JSON's.
                    check_accept=not (is_download(scope["method"], path) or is_page_path(path)),
                )
            )
            if refusal is not None:
                await send_error(refusal, scope, send_with_headers)
                return
            await self.app(scope, _limited(receive, limit), send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id(scope)})
            if not started:
                await send_error(SupportdeskError(), scope, send_with_headers)
        finally:
            if not health:
                _log_access(scope, state, status, began, "HEAD" if head else None)


def _log_access(
    scope: Scope,
    state: dict[str, Any],
    status: int,
    began: float,
    method: str | None,
) -> None:
    route = scope.get("route")
    access.info(
        "request",
        extra={
            "request_id": request_id(scope),
            "method": method or scope["method"],
            "route": getattr(route, "path", None) or "(no route)",
            "status": status,
            "duration_ms": round((time.perf_counter() - began) * 1000, 3),
            "key_id": state.get("key_id"),
        },
    )


def _host_refusal(scope: Scope) -> SupportdeskError | None:
    """RFC 9112 §3.2: exactly one valid `Host` (an HTTP/1.0 request may omit it)."""
    hosts = [value for name, value in scope["headers"] if name == b"host"]
    if not hosts and scope.get("http_version") == "1.0":
        return None
    if len(hosts) == 1 and _HOST.match(hosts[0]):
        return None
    problem = "no" if not hosts else "several" if len(hosts) > 1 else "a malformed"
    return InvalidParameter(
        f"The request has {problem} Host header; send exactly one.", pointer="header:Host"
    )


async def send_error(error: SupportdeskError, scope: Scope, send: Callable[[Message], Any]) -> None:
    body, media_type = render_error(error, scope)
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
                *((name.lower().encode(), value.encode()) for name, value in error.headers.items()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# Headers whose duplicates would let two readers of one request disagree: the body limit is
# chosen by Content-Type here, while the framework parses the body by the first one it sees.
_SINGLE_HEADERS = (b"content-type", b"content-length")


def _refusal(
    raw: list[tuple[bytes, bytes]], headers: dict[bytes, bytes], limit: int, *, check_accept: bool
) -> SupportdeskError | None:
    for name in _SINGLE_HEADERS:
        if sum(1 for key, _ in raw if key == name) > 1:
            return ValidationFailed(f"The request has more than one {name.decode()} header.")
    if check_accept and not accepts_json(headers.get(b"accept", b"").decode("latin-1")):
        return NotAcceptable()
    length = headers.get(b"content-length")
    # More digits than the limit has is larger, however many (int() refuses 4,300 and more).
    if length is not None and length.isdigit() and (len(length) > 18 or int(length) > limit):
        return PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    return None


def _limited(receive: Receive, limit: int) -> Receive:
    """Refuse a body that grows past the limit even when no Content-Length announced it."""
    received = 0

    async def wrapped() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        return message

    return wrapped
