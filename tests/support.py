"""Helpers the tests share (fixtures live in `conftest.py`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine, event

from supportdesk.api.deps import state_of
from supportdesk.core.ratelimit import RateLimiter

T = TypeVar("T")
AppFactory = Callable[..., FastAPI]


def run_in_thread(work: Callable[[], T]) -> T:
    """Run blocking code that calls `asyncio.run` (Alembic on PostgreSQL, the CLI) off the
    test loop's thread, so that it neither nests in nor replaces the session's event loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


async def close_limiter(limiter: RateLimiter) -> None:
    """Close the Redis connections a limiter opened (memory storage holds nothing)."""
    await limiter.close()


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def engine_of(app: FastAPI) -> Engine:
    database = state_of(app).db
    if database._sqlite_engine is not None:
        return database._sqlite_engine
    assert database._async_engine is not None
    return database._async_engine.sync_engine


@contextmanager
def recorded_statements(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement the app's engine sends while the block runs."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    engine = engine_of(app)
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
