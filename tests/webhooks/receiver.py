"""A real HTTP receiver in a thread: it verifies each webhook with the Standard Webhooks
library (`standardwebhooks`, not supportdesk's code) and records what arrived."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass(frozen=True, slots=True)
class Arrival:
    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    answered: int

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Receiver:
    port: int = 0
    secret: str | None = None
    # The status of each coming answer, in turn; then 200.
    statuses: list[int] = field(default_factory=list)
    delay_seconds: float = 0.0
    arrivals: list[Arrival] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def verified(self) -> list[Arrival]:
        with self.lock:
            return [arrival for arrival in self.arrivals if arrival.verified]

    def _answer(self, path: str, headers: dict[str, str], body: bytes) -> int:
        try:
            Webhook(self.secret or "whsec_").verify(body, headers)
            verified = True
        except (WebhookVerificationError, ValueError, RuntimeError):
            verified = False
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 200
            if not verified:
                status = 401
            self.arrivals.append(Arrival(path, headers, body, verified, status))
        return status


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            status = receiver._answer(self.path, headers, body)
            try:
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:
                pass  # the sender gave up waiting

        def log_message(self, format: str, *args: Any) -> None:
            del format, args

    return Handler


@contextmanager
def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
