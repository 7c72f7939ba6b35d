"""All SQL that changes tickets (reads are in `repository`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.accounts.models import Client, Staff
from supportdesk.auth.principal import Principal
from supportdesk.core.db import DbSession
from supportdesk.departments.models import Department, Status
from supportdesk.tickets.models import Attachment, Reply, Ticket
from supportdesk.tickets.repository import by_reference, visible_to


@dataclass(frozen=True, slots=True)
class TicketState:
    """What the lifecycle rules need to know about a ticket."""

    id: int
    ticket_number: int
    public_id: str
    client_id: int | None
    status: str
    flags: int
    client_can_reopen: bool


async def find_visible_state(
    session: DbSession, principal: Principal, ref: int | str
) -> TicketState | None:
    """The ticket by number or `tkt_` id, scoped like every read; None if not the caller's."""
    row = (
        await session.execute(
            select(
                Ticket.id,
                Ticket.ticket_number,
                Ticket.public_id,
                Ticket.client_id,
                Status.name,
                Ticket.flags,
                Department.client_can_reopen,
            )
            .join(Status, Status.id == Ticket.status_id)
            .join(Department, Department.id == Ticket.dept_id)
            .where(by_reference(ref), visible_to(principal))
        )
    ).first()
    return None if row is None else TicketState(*tuple(row))


async def lock(session: DbSession, ticket_id: int) -> bool:
    """Hold the ticket's row until the transaction ends, so that changes to one ticket happen
    one after another. False on SQLite, where every write transaction already holds the
    database's write lock from its start (nothing changed since it was read)."""
    if session.dialect_name == "sqlite":
        return False
    await session.execute(select(Ticket.id).where(Ticket.id == ticket_id).with_for_update())
    return True


async def insert_ticket(session: DbSession, values: dict[str, Any]) -> int | None:
    """Insert unless the number is taken (then None: the caller draws another number)."""
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    statement = (
        dialect.insert(Ticket)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[Ticket.ticket_number])
        .returning(Ticket.id)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else int(row[0])


async def insert_reply(session: DbSession, values: dict[str, Any]) -> int:
    return int(
        (await session.execute(insert(Reply).values(**values).returning(Reply.id))).scalar_one()
    )


async def update_ticket(session: DbSession, ticket_id: int, **values: Any) -> None:
    await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(**values))


async def oldest_recent_critical(
    session: DbSession, client_id: int, since: datetime
) -> datetime | None:
    """The oldest critical ticket the client opened since `since`, if any."""
    return (  # type: ignore[no-any-return]
        await session.execute(
            select(func.min(Ticket.created_at)).where(
                Ticket.client_id == client_id,
                Ticket.priority == "critical",
                Ticket.created_at > since,
            )
        )
    ).scalar_one()


async def person(session: DbSession, principal: Principal) -> tuple[str, str]:
    """The caller's display name and e-mail address."""
    if principal.staff_id is not None:
        row = (
            await session.execute(
                select(Staff.firstname, Staff.lastname, Staff.email).where(
                    Staff.id == principal.staff_id
                )
            )
        ).one()
    else:
        row = (
            await session.execute(
                select(Client.firstname, Client.lastname, Client.email).where(
                    Client.id == principal.client_id
                )
            )
        ).one()
    return f"{row[0]} {row[1]}".strip(), row[2]


async def client_contact(session: DbSession, client_id: int) -> tuple[str, str] | None:
    row = (
        await session.execute(
            select(Client.firstname, Client.lastname, Client.email).where(Client.id == client_id)
        )
    ).first()
    return None if row is None else (f"{row[0]} {row[1]}".strip(), row[2])


async def claim_uploads(
    session: DbSession,
    principal: Principal,
    upload_ids: list[str],
    *,
    ticket_id: int,
    reply_id: int | None,
) -> int:
    """Attach the caller's own pending uploads; returns how many were claimed."""
    uploader = (
        Attachment.uploader_staff_id == principal.staff_id
        if principal.is_staff
        else Attachment.uploader_client_id == principal.client_id
    )
    result = await session.execute(
        update(Attachment)
        .where(
            Attachment.upload_id.in_(upload_ids),
            Attachment.ticket_id.is_(None),
            uploader,
        )
        .values(ticket_id=ticket_id, reply_id=reply_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
