"""The cached read's one statement on PostgreSQL, four ways: which path `core.db` takes, and why.

`python -m bench.pg_paths URL [NUMBER]` (or from `bench.run`): the version lookup of one ticket,
run many times in one process on one connection, through

- asyncpg directly (`Connection.fetch`: its statement cache prepares once, then one round trip),
- SQLAlchemy's asyncpg adapter outside a transaction (`exec_driver_sql`, AUTOCOMMIT),
- SQLAlchemy's adapter inside a transaction (BEGIN ... COMMIT around each read, as before),
- `Database.reading()` as the read lane uses it (pool checkout, asyncpg directly).

Figures are microseconds per read (the median of five rounds), printed, never asserted.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import create_async_engine

from supportdesk.core.actor import Actor
from supportdesk.core.config import Settings
from supportdesk.core.db import Database, _compiled, async_url
from supportdesk.tickets.repository import find_visible_version
from supportdesk.tickets.repository.state import _version_statement

ROUNDS = 5
READS = 2_000


async def _timed(read: Callable[[], Awaitable[Any]]) -> float:
    for _ in range(200):
        await read()
    rounds = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(READS):
            await read()
        rounds.append((time.perf_counter() - start) / READS * 1e6)
    return statistics.median(rounds)


async def measure(url: str, number: int | None = None) -> dict[str, float]:
    engine = create_async_engine(async_url(url), pool_size=2)
    statement = _version_statement(True, by_public_id=False)
    compiled = _compiled(statement, engine.dialect)
    results: dict[str, float] = {}
    async with engine.connect() as probe:
        if number is None:
            found = await probe.exec_driver_sql("SELECT ticket_number FROM tickets LIMIT 1")
            number = int(found.scalar_one())
    values = compiled.values({"ref": number, "viewer_client_id": None})
    async with engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        assert raw is not None
        results["asyncpg fetch"] = await _timed(lambda: raw.fetch(compiled.sql, *values))
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        results["SQLAlchemy adapter, autocommit"] = await _timed(
            lambda: connection.exec_driver_sql(compiled.sql, values)
        )
    async with engine.connect() as connection:

        async def in_transaction() -> None:
            async with connection.begin():
                await connection.exec_driver_sql(compiled.sql, values)

        results["SQLAlchemy adapter, BEGIN/COMMIT"] = await _timed(in_transaction)
    await engine.dispose()
    database = Database(Settings(database_url=url, log_level="WARNING"))
    staff = Actor.staff(1, "api_v1")

    async def lane_read() -> None:
        async with database.reading() as session:
            await find_visible_version(session, staff, number)

    results["Database.reading() (pool checkout + asyncpg)"] = await _timed(lane_read)
    await database.dispose()
    return results


def main() -> None:
    url = sys.argv[1]
    number = int(sys.argv[2]) if len(sys.argv) > 2 else None
    for name, micros in asyncio.run(measure(url, number)).items():
        print(f"{name:48} {micros:8.1f} us per read")


if __name__ == "__main__":
    main()
