"""What every response gets: a request id, rate-limit headers, and the generic refusals.

A plain ASGI middleware (no BaseHTTPMiddleware: it would cost a task per request). It sits
inside Starlette's error middleware, so it also turns an unhandled exception into the
generation's 500 body, with the request id the log line carries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk.api.errors import render_error, request_id_for
from supportdesk.core.errors import (
    NotAcceptable,
    PayloadTooLarge,
    SupportdeskError,
)
from supportdesk.core.ratelimit import RateLimiter, Window

log = logging.getLogger("supportdesk.http")
access = logging.getLogger("supportdesk.access")

MAX_JSON_BODY = 1024 * 1024
HEALTH_PATHS = frozenset({"/healthz", "/readyz"})
_JSON_RANGES = {"*/*", "application/*", "application/json", "application/problem+json"}


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
    def __init__(self, app: ASGIApp, limiter: RateLimiter, max_upload_bytes: int) -> None:
        self.app = app
        self.limiter = limiter
        # A multipart upload may carry a file up to the attachment limit, plus its framing.
        self.max_multipart = max_upload_bytes + 64 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        path: str = scope["path"]
        offered = headers.get(b"x-request-id", b"").decode("latin-1") or None
        request_id = request_id_for(path, offered)
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = False
        status = 500
        began = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                nonlocal status
                started = True
                status = message["status"]
                window: Window | None = state.get("rate_window")
                if window is None:
                    window = await self.limiter.ip_window(_client(scope))
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    *rate_limit_headers(window),
                ]
            await send(message)

        content_type = headers.get(b"content-type", b"").lower()
        limit = self.max_multipart if content_type.startswith(b"multipart/") else MAX_JSON_BODY
        # A download answers with the file's own type, so only JSON answers insist on Accept.
        download = scope["method"] == "GET" and "/attachments/" in path
        try:
            refusal = _refusal(headers, limit, check_accept=not download)
            if refusal is not None:
                await _send_error(refusal, request_id, path, send_with_headers)
                return
            await self.app(scope, _limited(receive, limit), send_with_headers)
        except Exception:
            log.exception("unhandled error", extra={"request_id": request_id})
            if not started:
                await _send_error(SupportdeskError(), request_id, path, send_with_headers)
        finally:
            route = scope.get("route")
            access.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": getattr(route, "path", None) or "(no route)",
                    "status": status,
                    "duration_ms": round((time.perf_counter() - began) * 1000, 3),
                    "key_id": state.get("key_id"),
                },
            )


async def _send_error(
    error: SupportdeskError, request_id: str, path: str, send: Callable[[Message], Any]
) -> None:
    body, media_type = render_error(error, request_id, path)
    await send(
        {
            "type": "http.response.start",
            "status": error.status_code,
            "headers": [
                (b"content-type", media_type.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def _refusal(
    headers: dict[bytes, bytes], limit: int, *, check_accept: bool
) -> SupportdeskError | None:
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
