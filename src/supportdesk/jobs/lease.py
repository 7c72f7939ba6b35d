"""Claiming due rows, so that each is worked by one process at a time, on both backends.

Two primitives, for the two kinds of work a job does:

**A timed lease**, for work done outside any transaction (a mail sent, a webhook posted), on a
table with a due column, a lease-expiry column and a lease-owner column::

    OUTBOX = Lease(MailOutbox.__table__, due="due_at", until="leased_until", owner="lease_owner")

    async with db.transaction() as session:       # commit the claim before the work
        rows = await claim(session, OUTBOX, now=now, worker=context.worker,
                           hold=timedelta(minutes=5), limit=50,
                           where=(MailOutbox.sent_at.is_(None),), returning=(MailOutbox.id, ...))
    ... work on rows ...
    async with db.transaction() as session:
        await release(session, OUTBOX, row.id, worker=context.worker, values={"due_at": None})

`claim(session, lease, *, now, worker, hold, limit, where=(), returning=None)` takes up to
`limit` rows whose due time is set and has come (`due <= now`), whose lease is free or expired
(`until` NULL or `<= now`) and that match `where`, oldest due first; it sets `until = now +
hold` and `owner = worker` on them and returns them (`returning` columns, default all). On
PostgreSQL it is one `UPDATE … WHERE id IN (SELECT id … ORDER BY due, id LIMIT n FOR UPDATE
SKIP LOCKED) RETURNING …`: concurrent claimers skip each other's rows instead of waiting. On
SQLite it is the same conditional `UPDATE … RETURNING` in a `BEGIN IMMEDIATE` transaction (the
session's first write takes the database's write lock, `core.db`): claimers run one after
another and each sees the leases the previous one committed. A process killed while it holds a
lease leaves a row that is claimed again once `hold` has passed.

`release(session, lease, row_id, *, worker, values=None) -> bool` ends the lease and writes
`values` (e.g. `{"due_at": None, "sent_at": now}` when done, `{"due_at": retry_at}` to retry),
only if `worker` still holds it: False when the lease expired and another worker took the row
(its work then happened at least once more; a stable id makes that recognisable).

**A lock for the transaction**, for work that is itself a database change (closing a ticket,
sending a scheduled message): the effect, its precondition's re-check and its effect key
commit together, so nothing needs to outlive the transaction::

    async with db.transaction() as session:
        ids = await lock_available(session, Ticket.id, candidate_ids)
        ... re-check and change each of `ids`, in this transaction ...

`lock_available(session, id_column, ids) -> list[int]` locks the rows of `ids` that no other
transaction holds (`SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL) and returns those, in
`ids`' order; on SQLite every write transaction already holds the whole database, so all of
`ids` are returned. `skip_locked(statement, session, of)` adds the same clause to a statement
that picks due rows itself (a no-op on SQLite).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select, Table, or_, select, update

from supportdesk.core.db import DbSession

S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True, slots=True)
class Lease:
    """A table of due work and the names of its id, due, lease-expiry and lease-owner columns."""

    table: Table
    id: str = "id"
    due: str = "due_at"
    until: str = "leased_until"
    owner: str = "lease_owner"


async def claim(
    session: DbSession,
    lease: Lease,
    *,
    now: datetime,
    worker: str,
    hold: timedelta,
    limit: int,
    where: Iterable[ColumnElement[bool]] = (),
    returning: Sequence[Any] | None = None,
) -> Sequence[Row[Any]]:
    """Lease up to `limit` due, unleased rows to `worker` until `now + hold`; the rows taken."""
    columns = lease.table.c
    row_id, due, until = columns[lease.id], columns[lease.due], columns[lease.until]
    pick = (
        select(row_id)
        .where(due.is_not(None), due <= now, or_(until.is_(None), until <= now), *where)
        .order_by(due, row_id)
        .limit(limit)
    )
    pick = skip_locked(pick, session)
    statement = (
        update(lease.table)
        .where(row_id.in_(pick.scalar_subquery()))
        .values({until: now + hold, columns[lease.owner]: worker})
        .returning(*(returning if returning is not None else lease.table.c))
    )
    return (await session.execute(statement)).all()


async def release(
    session: DbSession,
    lease: Lease,
    row_id: Any,
    *,
    worker: str,
    values: Mapping[str, Any] | None = None,
) -> bool:
    """End `worker`'s lease on the row and write `values`; False if it is no longer its lease."""
    columns = lease.table.c
    statement = (
        update(lease.table)
        .where(columns[lease.id] == row_id, columns[lease.owner] == worker)
        .values({lease.until: None, lease.owner: None, **(values or {})})
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def skip_locked(statement: S, session: DbSession, of: Any = None) -> S:
    """On PostgreSQL, lock the rows (of `of`, default every table read) `statement` finds,
    skipping rows another transaction holds; on SQLite the transaction holds the database."""
    if session.dialect_name != "postgresql":
        return statement
    return statement.with_for_update(skip_locked=True, of=of)


async def lock_available(session: DbSession, id_column: Any, ids: Sequence[int]) -> list[int]:
    """Lock the rows of `ids` that no other transaction holds; those ids, in `ids`' order."""
    if not ids or session.dialect_name != "postgresql":
        return list(ids)
    statement = skip_locked(
        select(id_column).where(id_column.in_(ids)).order_by(id_column), session
    )
    locked = {value for (value,) in (await session.execute(statement)).all()}
    return [value for value in ids if value in locked]
