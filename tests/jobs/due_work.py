"""Due work in bulk, for the kill test and the benchmark: answered tickets quiet since given
times (due for auto-close), and open tickets each with one scheduled staff message."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from supportdesk.core.db import Database
from supportdesk.core.ids import public_id
from supportdesk.departments.models import Status
from supportdesk.models import Reply, Ticket

_CHUNK = 200  # rows a statement: well under either backend's limit on parameters


def _ticket(
    number: int, dept_id: int, client_id: int, status_id: int, at: datetime
) -> dict[str, Any]:
    return {
        "public_id": public_id("tkt"),
        "ticket_number": number,
        "acc_hash": hashlib.md5(str(number).encode(), usedforsecurity=False).hexdigest(),
        "dept_id": dept_id,
        "org_dept_id": dept_id,
        "client_id": client_id,
        "creator_id": client_id,
        "status_id": status_id,
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "subject": f"Ticket {number}",
        "body": "It does not boot.",
        "type": "Client",
        "created_at": at,
        "last_reply_at": at,
        "updated_at": at,
        "start_date": at,
    }


def _staff_reply(ticket_id: int, staff_id: int, at: datetime, **values: Any) -> dict[str, Any]:
    return {
        "public_id": public_id("tmsg"),
        "ticket_id": ticket_id,
        "replier_id": staff_id,
        "name": "Grace Hopper",
        "email": "grace@hostup.example",
        "body": "Try the rescue image.",
        "status": "Sent",
        "type": "Admin",
        "created_at": at,
        **values,
    }


async def _insert_tickets(
    db: Database,
    *,
    numbers: Sequence[int],
    dept_id: int,
    client_id: int,
    status: str,
    at: Callable[[int], datetime],
) -> list[int]:
    """The tickets' ids, in `numbers`' order."""
    async with db.transaction() as session:
        status_id = (
            await session.execute(select(Status.id).where(Status.name == status))
        ).scalar_one()
        rows = [
            _ticket(number, dept_id, client_id, status_id, at(index))
            for index, number in enumerate(numbers)
        ]
        for start in range(0, len(rows), _CHUNK):
            await session.execute(insert(Ticket).values(rows[start : start + _CHUNK]))
        found: dict[int, int] = dict(
            (
                await session.execute(
                    select(Ticket.ticket_number, Ticket.id).where(Ticket.ticket_number.in_(numbers))
                )
            ).all()
        )
    return [found[number] for number in numbers]


async def _insert_replies(db: Database, rows: list[dict[str, Any]]) -> None:
    async with db.transaction() as session:
        for start in range(0, len(rows), _CHUNK):
            await session.execute(insert(Reply).values(rows[start : start + _CHUNK]))


async def quiet_answered_tickets(
    db: Database,
    *,
    numbers: Sequence[int],
    dept_id: int,
    client_id: int,
    staff_id: int,
    answered_at: Callable[[int], datetime],
    status: str = "Answered",
) -> list[int]:
    """Answered tickets (or in `status`) whose latest message, a staff reply, was written at
    `answered_at(i)`."""
    ids = await _insert_tickets(
        db, numbers=numbers, dept_id=dept_id, client_id=client_id, status=status, at=answered_at
    )
    await _insert_replies(
        db, [_staff_reply(ticket_id, staff_id, answered_at(i)) for i, ticket_id in enumerate(ids)]
    )
    return ids


async def scheduled_messages(
    db: Database,
    *,
    numbers: Sequence[int],
    dept_id: int,
    client_id: int,
    staff_id: int,
    opened_at: datetime,
    send_at: Callable[[int], datetime],
) -> list[str]:
    """Open tickets, each with one staff message scheduled for `send_at(i)`: the messages' ids."""
    ids = await _insert_tickets(
        db,
        numbers=numbers,
        dept_id=dept_id,
        client_id=client_id,
        status="Open",
        at=lambda _: opened_at,
    )
    rows = [
        _staff_reply(ticket_id, staff_id, opened_at, status="Scheduled", send_at=send_at(i))
        for i, ticket_id in enumerate(ids)
    ]
    await _insert_replies(db, rows)
    return [row["public_id"] for row in rows]
