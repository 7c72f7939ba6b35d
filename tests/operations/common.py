"""Helpers for the operations tests: real server processes, real HTTP on loopback, bounded."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.models import Department
from tests.server import ServerProcess, running_server

READ_WRITE = ("read:support", "write:support")
# Generous for a loaded two-core machine, but every wait is bounded.
HTTP_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


def headers(key: str) -> dict[str, str]:
    return {"X-API-Key": key, "Accept": "application/json"}


def http_client(*, max_connections: int = 100, key: str | None = None) -> httpx.AsyncClient:
    """A client for loopback servers: no proxies from the environment, bounded waits."""
    return httpx.AsyncClient(
        timeout=HTTP_TIMEOUT,
        limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=20),
        headers=headers(key) if key is not None else None,
        trust_env=False,
    )


def shared_rate_limits(rate_limit_url: str) -> bool:
    """True when the servers count rate limits in one shared store (Redis)."""
    return not rate_limit_url.startswith("memory://")


async def department_slug(db: Database, dept_id: int) -> str:
    async with db.transaction() as session:
        slug = (
            await session.execute(select(Department.slug).where(Department.id == dept_id))
        ).scalar_one()
    return str(slug)


@contextmanager
def servers(env: dict[str, str], log_dir: Path, count: int) -> Iterator[list[ServerProcess]]:
    """`count` single-worker servers on their own ports, all on the same database."""
    with ExitStack() as stack:
        yield [
            stack.enter_context(running_server(env, log_dir / f"server-{i}.log"))
            for i in range(count)
        ]


def log_tail(path: Path, chars: int = 3000) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else "(no log)"


def report(record_property: Callable[[str, object], None] | None, name: str, value: object) -> None:
    """Print a measurement (visible with `-s`) and attach it to the test's report (JUnit XML)."""
    print(f"\n[operations] {name} = {value}", flush=True)
    if record_property is not None:
        record_property(name, value)


def assert_clean_log(path: Path) -> None:
    """The server logged no unhandled error and SQLite never reported a lock timeout."""
    text = path.read_text(errors="replace") if path.exists() else ""
    for marker in ("Traceback", "unhandled error", "database is locked"):
        assert marker not in text, f"{marker!r} in the server log:\n{log_tail(path)}"
