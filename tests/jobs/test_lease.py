"""The lease primitive on the backend under test: due rows are claimed once, by one worker at a
time; an expired lease is claimed again; only the holder releases; `lock_available` skips what
another transaction holds (PostgreSQL) or holds the database (SQLite)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, insert, select
from sqlalchemy.schema import CreateTable, DropTable

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.jobs.lease import Lease, claim, lock_available, release

_METADATA = MetaData()
PROBE = Table(
    "lease_probe",
    _METADATA,
    Column("id", Integer, primary_key=True),
    Column("due_at", DateTime(timezone=True)),
    Column("leased_until", DateTime(timezone=True)),
    Column("lease_owner", String(128)),
    Column("payload", String(32)),
)
LEASE = Lease(PROBE)


@pytest.fixture
async def databases(settings_for: Callable[..., Settings]) -> AsyncIterator[list[Database]]:
    """Three databases (three processes' worth of connections) on a probe table of 60 rows:
    40 due, 10 due later, 10 never due."""
    settings = settings_for()
    found = [Database(settings) for _ in range(3)]
    now = utcnow()
    async with found[0].transaction() as session:
        await session.execute(DropTable(PROBE, if_exists=True))
        await session.execute(CreateTable(PROBE))
        rows = [{"due_at": now - timedelta(seconds=i), "payload": f"due {i}"} for i in range(40)]
        rows += [{"due_at": now + timedelta(hours=1), "payload": "later"} for _ in range(10)]
        rows += [{"due_at": None, "payload": "done"} for _ in range(10)]
        await session.execute(insert(PROBE).values(rows))
    yield found
    async with found[0].transaction() as session:
        await session.execute(DropTable(PROBE))
    for database in found:
        await database.dispose()


async def _claim(database: Database, worker: str, limit: int = 7) -> list[int]:
    async with database.transaction() as session:
        rows = await claim(
            session,
            LEASE,
            now=utcnow(),
            worker=worker,
            hold=timedelta(minutes=5),
            limit=limit,
            returning=(PROBE.c.id,),
        )
        # Hold the transaction a moment, so that concurrent claimers overlap.
        await asyncio.sleep(0.01)
    return [row[0] for row in rows]


async def test_due_rows_are_claimed_once_oldest_first(databases: list[Database]) -> None:
    first = await _claim(databases[0], "w1", limit=5)
    # The oldest due first: row 40 was due 39 s ago, row 36 35 s ago.
    assert sorted(first) == [36, 37, 38, 39, 40]
    again = await _claim(databases[1], "w2", limit=100)
    assert len(again) == 35
    assert not set(first) & set(again)
    assert await _claim(databases[2], "w3", limit=100) == []  # later and done ones never


async def test_concurrent_claimers_take_disjoint_rows(
    databases: list[Database], settings_for: Callable[..., Settings]
) -> None:
    """Three claimers, each on its own thread, loop and connection (as three processes
    would be: on SQLite, one loop's claim waiting for another's lock would block that loop)."""
    settings = settings_for()

    async def drain(worker: str) -> list[int]:
        database = Database(settings)
        taken: list[int] = []
        try:
            while found := await _claim(database, worker):
                taken.extend(found)
        finally:
            await database.dispose()
        return taken

    taken = await asyncio.gather(
        *(asyncio.to_thread(asyncio.run, drain(f"w{index}")) for index in range(3))
    )
    everything = [row for rows in taken for row in rows]
    assert sorted(everything) == list(range(1, 41)), "each due row once, none twice"
    async with databases[0].transaction() as session:
        owners = (
            await session.execute(
                select(PROBE.c.lease_owner).where(PROBE.c.id <= 40).order_by(PROBE.c.id)
            )
        ).all()
    expected = {row: f"w{index}" for index, rows in enumerate(taken) for row in rows}
    assert [owner for (owner,) in owners] == [expected[row] for row in range(1, 41)]


async def test_an_expired_lease_is_claimed_again_and_only_its_holder_releases(
    databases: list[Database],
) -> None:
    database = databases[0]
    now = utcnow()
    async with database.transaction() as session:
        rows = await claim(
            session, LEASE, now=now, worker="dead", hold=timedelta(seconds=1), limit=1
        )
    [(row_id, *_)] = rows
    later = now + timedelta(seconds=2)
    async with database.transaction() as session:
        retaken = await claim(
            session, LEASE, now=later, worker="alive", hold=timedelta(minutes=5), limit=1
        )
    assert [row[0] for row in retaken] == [row_id]
    async with database.transaction() as session:
        assert not await release(session, LEASE, row_id, worker="dead", values={"due_at": None})
        assert await release(session, LEASE, row_id, worker="alive", values={"due_at": None})
        stored = (
            await session.execute(
                select(PROBE.c.due_at, PROBE.c.leased_until, PROBE.c.lease_owner).where(
                    PROBE.c.id == row_id
                )
            )
        ).one()
    assert tuple(stored) == (None, None, None)
    async with database.transaction() as session:
        claimed = await claim(
            session,
            LEASE,
            now=later,
            worker="x",
            hold=timedelta(minutes=5),
            limit=100,
            returning=(PROBE.c.id,),
        )
    assert row_id not in {row[0] for row in claimed}, "a released, done row is never due again"


async def test_lock_available_skips_rows_another_transaction_holds(
    databases: list[Database],
) -> None:
    first, second = databases[0], databases[1]
    holding = asyncio.Event()
    done = asyncio.Event()

    async def hold_rows() -> None:
        async with first.transaction() as session:
            assert await lock_available(session, PROBE.c.id, [1, 2, 3]) == [1, 2, 3]
            holding.set()
            await done.wait()

    holder = asyncio.create_task(hold_rows())
    await holding.wait()
    if first.dialect_name == "postgresql":
        async with second.transaction() as session:
            assert await lock_available(session, PROBE.c.id, [3, 4, 2, 5]) == [4, 5]
        done.set()
        await holder
    else:
        # SQLite: the holder's write transaction holds the whole database, so what it asked
        # for is all its own (another process's writer waits for the lock, `core.db`).
        done.set()
        await holder
        async with second.transaction() as session:
            assert await lock_available(session, PROBE.c.id, [3, 4, 2, 5]) == [3, 4, 2, 5]
