"""What `supportdesk serve` allows a connection, through the real server on raw sockets:
deadlines for the request head and for a stalled body, a cap on head size, a keep-alive limit
(`core.serving`). Refusals come in the door's error shape; nothing half-sent is written."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from supportdesk.core.db import Database
from tests import builders
from tests.conversation_builders import ticket_count
from tests.operations.common import READ_WRITE, assert_clean_log
from tests.server import ServerProcess, running_server

TIMEOUT = 1.0
MAX_HEAD = 8 * 1024
# Every wait below is bounded; a refusal must come well before this.
SLACK = 10.0


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.body)
        return document


@pytest.fixture
def limited_server(server_env: dict[str, str], tmp_path: Path) -> Iterator[ServerProcess]:
    env = {
        **server_env,
        "SUPPORTDESK_HEADER_TIMEOUT_SECONDS": str(TIMEOUT),
        "SUPPORTDESK_BODY_TIMEOUT_SECONDS": str(TIMEOUT),
        "SUPPORTDESK_KEEP_ALIVE_SECONDS": "1",
        "SUPPORTDESK_MAX_HEADER_BYTES": str(MAX_HEAD),
    }
    log = tmp_path / "server.log"
    with running_server(env, log) as server:
        yield server
    assert_clean_log(log)


@pytest.fixture
async def connection(
    limited_server: ServerProcess,
) -> AsyncIterator[tuple[asyncio.StreamReader, asyncio.StreamWriter]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", limited_server.port)
    yield reader, writer
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def answer(reader: asyncio.StreamReader) -> Answer:
    """One HTTP/1.1 response read off the socket (bounded wait)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), SLACK)
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), SLACK)
    return Answer(int(status_line.split()[1]), headers, body)


async def closed(reader: asyncio.StreamReader) -> bool:
    try:
        return await asyncio.wait_for(reader.read(1), SLACK) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True


def assert_v1_error(got: Answer, status: int, code: str) -> None:
    assert got.status == status, got
    assert got.headers["content-type"] == "application/json"
    body = got.json()
    assert list(body) == ["error", "message", "code", "timestamp", "requestId"]
    assert body["code"] == code
    assert body["requestId"] == got.headers["x-request-id"]
    assert got.headers["connection"] == "close"


def assert_v2_problem(got: Answer, status: int, code: str, instance: str) -> None:
    assert got.status == status, got
    assert got.headers["content-type"] == "application/problem+json"
    body = got.json()
    assert (body["status"], body["code"], body["type"]) == (status, code, f"/errors/{code}")
    assert body["instance"] == instance
    assert body["requestId"] == got.headers["x-request-id"]
    assert got.headers["connection"] == "close"


class TestRequestHead:
    async def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter]
    ) -> None:
        reader, _ = connection
        began = time.monotonic()
        assert await closed(reader)
        assert TIMEOUT * 0.8 <= time.monotonic() - began < SLACK

    @pytest.mark.parametrize("generation", ["v1", "v2"])
    async def test_a_trickled_head_gets_408_at_the_deadline_however_busy(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], generation: str
    ) -> None:
        """Slowloris: a header line every 0.2 s keeps bytes coming, but the head's deadline
        counts from its first byte."""
        reader, writer = connection
        path = "/api/support/departments" if generation == "v1" else "/api/v2/support/departments"
        writer.write(f"GET {path} HTTP/1.1\r\nHost: test\r\n".encode())
        began = time.monotonic()

        async def trickle() -> None:
            for i in range(100):
                await asyncio.sleep(0.2)
                writer.write(f"X-Slow-{i}: still here\r\n".encode())

        dripping = asyncio.create_task(trickle())
        try:
            got = await answer(reader)
        finally:
            dripping.cancel()
        elapsed = time.monotonic() - began
        if generation == "v1":
            assert_v1_error(got, 408, "REQUEST_TIMEOUT")
        else:
            assert_v2_problem(got, 408, "request_timeout", path)
        assert TIMEOUT * 0.8 <= elapsed < TIMEOUT + 3
        assert await closed(reader)

    @pytest.mark.parametrize("generation", ["v1", "v2"])
    async def test_headers_past_the_limit_get_431(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter], generation: str
    ) -> None:
        reader, writer = connection
        path = "/api/support/tickets/1" if generation == "v1" else "/api/v2/support/tickets/1"
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: test\r\nX-Big: {'a' * MAX_HEAD}\r\n\r\n".encode()
        )
        got = await answer(reader)
        if generation == "v1":
            assert_v1_error(got, 431, "HEADERS_TOO_LARGE")
        else:
            assert_v2_problem(got, 431, "headers_too_large", path)
        assert await closed(reader)

    async def test_sixteen_mebibytes_of_headers_are_refused_without_being_read(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter]
    ) -> None:
        reader, writer = connection
        writer.write(b"GET /api/support/departments HTTP/1.1\r\nHost: test\r\n")
        chunk = b"X-Pad: " + b"a" * (64 * 1024 - 9) + b"\r\n"
        began = time.monotonic()

        async def flood() -> int:
            sent = 0
            try:
                for _ in range(256):  # 16 MiB
                    writer.write(chunk)
                    await writer.drain()
                    sent += len(chunk)
            except (ConnectionResetError, BrokenPipeError):
                pass
            return sent

        flooding = asyncio.create_task(flood())
        got = await answer(reader)
        flooding.cancel()
        assert_v1_error(got, 431, "HEADERS_TOO_LARGE")
        assert time.monotonic() - began < SLACK

    async def test_headers_under_the_limit_are_served(
        self,
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        world: builders.World,
    ) -> None:
        reader, writer = connection
        padding = "a" * (MAX_HEAD // 2)
        writer.write(
            f"GET /api/support/departments HTTP/1.1\r\nHost: test\r\nX-API-Key: "
            f"{world.client_key}\r\nX-Pad: {padding}\r\n\r\n".encode()
        )
        assert (await answer(reader)).status == 200

    async def test_an_idle_kept_alive_connection_is_closed(
        self, connection: tuple[asyncio.StreamReader, asyncio.StreamWriter]
    ) -> None:
        reader, writer = connection
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert (await answer(reader)).status == 200
        began = time.monotonic()
        assert await closed(reader)
        assert 0.8 <= time.monotonic() - began < SLACK


class TestRequestBody:
    def opening(self, key: str, dept_id: int, length: int) -> bytes:
        return (
            f"POST /api/support/tickets HTTP/1.1\r\nHost: test\r\nX-API-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
        ).encode()

    def body(self, dept_id: int) -> bytes:
        text = json.dumps({"dept_id": dept_id, "subject": "Slow", "body": "x" * 200, "priority": 1})
        return text.encode()

    async def test_a_stalled_body_gets_408_and_nothing_is_written(
        self,
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        db: Database,
        world: builders.World,
    ) -> None:
        _, key = await builders.api_key(db, client_id=world.client_id, scopes=READ_WRITE)
        reader, writer = connection
        body = self.body(world.dept_id)
        writer.write(self.opening(key, world.dept_id, len(body)) + body[:20])
        began = time.monotonic()
        got = await answer(reader)
        assert_v1_error(got, 408, "REQUEST_TIMEOUT")
        assert TIMEOUT * 0.8 <= time.monotonic() - began < TIMEOUT + 3
        assert await closed(reader)
        assert await ticket_count(db) == 0

    async def test_a_slow_but_steady_body_is_served(
        self,
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
        db: Database,
        world: builders.World,
    ) -> None:
        """The body timeout is the longest pause, not a deadline for the whole body."""
        _, key = await builders.api_key(db, client_id=world.client_id, scopes=READ_WRITE)
        reader, writer = connection
        body = self.body(world.dept_id)
        writer.write(self.opening(key, world.dept_id, len(body)))
        began = time.monotonic()
        step = len(body) // 6 + 1
        for start in range(0, len(body), step):
            writer.write(body[start : start + step])
            await writer.drain()
            await asyncio.sleep(TIMEOUT / 2)
        got = await answer(reader)
        assert got.status == 200, got
        assert time.monotonic() - began > TIMEOUT * 2
        assert await ticket_count(db) == 1
