"""The HTTP/1.1 protocol `supportdesk serve` runs: uvicorn's httptools one, with the limits it
lacks.

uvicorn bounds neither how long a client may take to send a request head (a connection that
trickles a header a minute, or sends nothing at all, is kept forever) nor how large the head
may be (16 MiB of headers were accepted), nor how long a body may stall. Here:

- the request head (request line and headers) must arrive within `header_timeout_seconds` of
  the connection opening, or of its first byte on a kept-alive connection: else 408;
- the head may hold at most `max_header_bytes`: else 431, answered as soon as it is exceeded;
- a body may pause at most `body_timeout_seconds` between two reads: else 408;
- an idle kept-alive connection is closed after `keep_alive_seconds` (uvicorn's own timer).

Refusals are the generation's error body (v1 envelope or v2 problem, by the request's path),
sent with `Connection: close`; a connection on which no request began is closed silently.
This is the HTTP/1.1 protocol only: `supportdesk serve` runs no WebSocket protocol at all.
"""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from supportdesk.api.errors import render_error, request_id
from supportdesk.core.config import get_settings
from supportdesk.core.errors import HeadersTooLarge, RequestTimeout, SupportdeskError

# How much of the request path an error body echoes as its `instance`.
_MAX_INSTANCE = 512
# How long a refused connection is drained before it is closed.
_LINGER_SECONDS = 2.0


class _Refused(Exception):
    """Raised in a parser callback to stop parsing a request that is being refused."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.header_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self.max_header_bytes = settings.max_header_bytes
        self._timer: asyncio.TimerHandle | None = None
        self._reading_body = False
        self._head_bytes = 0
        self._head_begun = False
        self._refusal: SupportdeskError | None = None

    # --- timers -------------------------------------------------------------------------------

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._timer = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _head_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self._head_begun:
            self._refuse(RequestTimeout("The request head did not arrive in time."))
        else:
            self.transport.close()

    def _body_timed_out(self) -> None:
        self._timer = None
        if self.transport.is_closing():
            return
        if self.flow.read_paused:
            # The app has not taken what arrived yet: the client is not the one stalling.
            self._arm(self.body_timeout, self._body_timed_out)
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            # The app's own answer, should it try one, goes nowhere: this one is sent instead.
            cycle.disconnected = True
            cycle.message_event.set()
            self._refuse(RequestTimeout("The request body stalled."))
        else:
            self.transport.close()

    # --- the protocol ---------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refusal is not None:
            return
        if self._reading_body:
            self._arm(self.body_timeout, self._body_timed_out)
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserCallbackError:
            if self._refusal is None:
                self._invalid()
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
        except httptools.HttpParserError:
            self._invalid()

    def _invalid(self) -> None:
        msg = "Invalid HTTP request received."
        self.logger.warning(msg)
        self.send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0
        self._head_begun = True
        if self._timer is None:
            self._arm(self.header_timeout, self._head_timed_out)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._count_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._reading_body = True
        self._arm(self.body_timeout, self._body_timed_out)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_body = False
        self._head_begun = False
        self._disarm()
        super().on_message_complete()

    def _count_head(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > self.max_header_bytes:
            self._refuse(
                HeadersTooLarge(
                    f"The request line and headers are larger than {self.max_header_bytes} bytes."
                )
            )
            raise _Refused

    # --- refusals -------------------------------------------------------------------------------

    def _refuse(self, error: SupportdeskError) -> None:
        """Answer `error` in the door's shape and close the connection."""
        self._refusal = error
        self._disarm()
        cycle = self.cycle
        if cycle is not None and cycle.response_started and not cycle.response_complete:
            # A pipelined request's head, while the answer to the one before is on its way.
            self.transport.close()
            return
        path = bytes(getattr(self, "url", b"") or b"/").split(b"?", 1)[0]
        instance = path[:_MAX_INSTANCE].decode("latin-1")
        # No route has matched a head that never arrived: the door whose prefix holds the path
        # answers, as for an unknown route.
        scope = {"type": "http", "path": instance, "headers": []}
        body, media_type = render_error(error, scope)
        request_id_ = request_id(scope)
        head = [
            f"HTTP/1.1 {error.status_code} {HTTPStatus(error.status_code).phrase}",
            f"content-type: {media_type}",
            f"content-length: {len(body)}",
            f"x-request-id: {request_id_}",
            "connection: close",
        ]
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        # A lingering close: closing now, with the client's unread bytes still arriving, would
        # answer them with a reset that can destroy the refusal before the client reads it. So
        # the write side ends here, and what still arrives is read and dropped for a moment.
        self.transport.write_eof()
        self._timer = self.loop.call_later(_LINGER_SECONDS, self.transport.close)
