"""`Idempotency-Key` on every POST of the API (README, "Idempotent writes").

A plain ASGI middleware inside `ApiMiddleware` (so a refusal gets the door's error shape, a
request id and the rate-limit headers). For a POST under `/api/` that carries the header and a
key that authenticates:

1. a record is inserted first, "in progress", in a transaction of its own: the unique
   constraint on (API key, idempotency key) lets one request through across every process of
   every backend; a concurrent duplicate gets 409 (with `Retry-After: 1`) instead of waiting;
2. the request runs as any other, in its own transaction (the request's transaction commits
   before its answer is rendered, so the answer cannot be written in it);
3. a 2xx answer (status, Content-Type, Location, ETag, body) is written into the record;
   any other answer deletes the record, since a refused request changed nothing and may be
   sent again with the same key.

A retry within 24 hours with the same fingerprint (method, path, query and body bytes) gets
the stored answer (`Idempotent-Replayed: true`); with another fingerprint 409 `conflict`. If a
process dies between the effect and step 3, the record stays "in progress" and retries get
409 until it expires: never a second effect.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from supportdesk.api.deps import AppState
from supportdesk.api.middleware import send_error
from supportdesk.auth.dependencies import key_in_headers
from supportdesk.auth.principal import Principal
from supportdesk.core.clock import utcnow
from supportdesk.core.columns import IDEMPOTENCY_KEY_LENGTH
from supportdesk.core.errors import (
    Conflict,
    InvalidApiKey,
    InvalidParameter,
    RateLimited,
    SupportdeskError,
)
from supportdesk.idempotency import repository
from supportdesk.idempotency.cleanup import REPLAY_WINDOW
from supportdesk.idempotency.repository import Record

log = logging.getLogger("supportdesk.idempotency")

HEADER = b"idempotency-key"
# The answer's headers a replay repeats; the request id and rate-limit headers are fresh.
_KEPT_HEADERS = frozenset({"content-type", "location", "etag"})


class StillRunning(Conflict):
    default_message = (
        "A request with this Idempotency-Key is still being processed; retry it in a moment."
    )

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": "1"}


def valid_key(value: bytes) -> bool:
    """1-255 visible ASCII characters (0x21-0x7E)."""
    return 1 <= len(value) <= IDEMPOTENCY_KEY_LENGTH and all(0x21 <= b <= 0x7E for b in value)


def fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope.get("query_string", b"")):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class _Claim:
    principal: Principal
    record_id: int | None = None  # ours to run
    replay: Record | None = None


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, state: AppState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == HEADER]
        api_key = key_in_headers(Headers(scope=scope))
        if not values or api_key is None:
            await self.app(scope, receive, send)
            return
        try:
            body, disconnected = await _read_body(receive)
        except SupportdeskError as error:
            await send_error(error, scope, send)
            return
        if disconnected:
            return
        replayed = _replaying(body, receive)
        try:
            claim = await self._claim(scope, api_key, values, fingerprint(scope, body))
        except SupportdeskError as error:
            await send_error(error, scope, send)
            return
        if claim is None:  # a key that does not authenticate: the route says 401 or 403
            await self.app(scope, replayed, send)
        elif claim.replay is not None:
            await self._replay(claim.principal, claim.replay, scope, send)
        else:
            assert claim.record_id is not None
            await self._run(claim.record_id, scope, replayed, send)

    async def _claim(
        self, scope: Scope, api_key: str, values: list[bytes], request_hash: str
    ) -> _Claim | None:
        now = utcnow()
        try:
            async with self.state.db.transaction() as session:
                try:
                    principal = await self.state.authenticator.authenticate(session, api_key)
                except InvalidApiKey:
                    return None
                if not principal.active:
                    return None
                if len(values) != 1 or not valid_key(values[0]):
                    raise InvalidParameter(
                        "Idempotency-Key must be one header of 1 to 255 visible ASCII characters.",
                        pointer="header:Idempotency-Key",
                    )
                key = values[0].decode("ascii")
                found = await repository.find(session, principal.key_id, key)
                if found is not None and found.created_at > now - REPLAY_WINDOW:
                    if found.fingerprint != request_hash:
                        raise Conflict(
                            "This Idempotency-Key was already used for a different request; "
                            "use a new key for a new request."
                        )
                    if found.status_code is None:
                        raise StillRunning()
                    return _Claim(principal, replay=found)
                if found is not None:  # expired: the key is new again
                    await repository.forget(session, found.id)
                record_id = await repository.insert_pending(
                    session, principal.key_id, key, request_hash, now
                )
        except IntegrityError:
            # Another process inserted the same key in the meantime: it runs, this one waits.
            raise StillRunning() from None
        return _Claim(principal, record_id=record_id)

    async def _replay(self, principal: Principal, record: Record, scope: Scope, send: Send) -> None:
        state: dict[str, Any] = scope.setdefault("state", {})
        window = await self.state.limiter.hit_key(principal.key_id, principal.rate_limit_per_minute)
        state["rate_window"] = window
        state["key_id"] = principal.key_id
        if not window.allowed:
            await send_error(RateLimited(window.retry_after), scope, send)
            return
        kept = record.headers
        headers = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in kept]
        headers += [
            (b"content-length", str(len(record.body)).encode()),
            (b"idempotent-replayed", b"true"),
        ]
        assert record.status_code is not None
        start = {"type": "http.response.start", "status": record.status_code, "headers": headers}
        await send(start)
        await send({"type": "http.response.body", "body": record.body})

    async def _run(self, record_id: int, scope: Scope, receive: Receive, send: Send) -> None:
        status = 0
        kept: list[tuple[str, str]] = []
        chunks: list[bytes] = []
        complete = False

        async def capture(message: Message) -> None:
            nonlocal status, complete
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    text = name.decode("latin-1").lower()
                    if text in _KEPT_HEADERS:
                        kept.append((text, value.decode("latin-1")))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            await self._settle(record_id, status if complete else 0, kept, b"".join(chunks))

    async def _settle(
        self, record_id: int, status: int, headers: list[tuple[str, str]], body: bytes
    ) -> None:
        """Keep a 2xx answer for replays; forget the key after anything else."""
        try:
            async with self.state.db.transaction() as session:
                if 200 <= status < 300:
                    await repository.complete(session, record_id, status, headers, body)
                else:
                    await repository.forget(session, record_id)
        except Exception:
            # The record stays "in progress": retries get 409 until it expires, never a
            # second effect.
            log.exception("an idempotency record could not be settled")


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole request body (the body limit still applies), and whether the client left."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands the app the body already read, then what the server sends."""
    sent = False

    async def wrapped() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return wrapped
