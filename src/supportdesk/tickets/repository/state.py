"""The ticket as the lifecycle rules see it, and the lock that orders changes to it."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, bindparam, select

from supportdesk.accounts.models import Client
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.departments.models import Department, Status
from supportdesk.tickets.models import FLAG_INTERNAL, RenderGeneration, Ticket
from supportdesk.tickets.repository.scope import (
    by_reference,
    client_scope,
    guest_scope,
    visible_to,
)


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
    session: DbSession, actor: Actor, ref: int | str
) -> TicketState | None:
    """The ticket by number or `tkt_` id, scoped like every read; None if not the actor's."""
    row = (
        (
            await session.execute(
                select(
                    Ticket.id,
                    Ticket.ticket_number,
                    Ticket.public_id,
                    Ticket.client_id,
                    Status.name.label("status"),
                    Ticket.flags,
                    Department.client_can_reopen,
                )
                .join(Status, Status.id == Ticket.status_id)
                .join(Department, Department.id == Ticket.dept_id)
                .where(by_reference(ref), visible_to(actor))
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else TicketState(**row)


async def lock(session: DbSession, ticket_id: int) -> bool:
    """Hold the ticket's row until the transaction ends, so that changes to one ticket happen
    one after another. False on SQLite, where every write transaction already holds the
    database's write lock from its start (nothing changed since it was read)."""
    if session.dialect_name == "sqlite":
        return False
    await session.execute(select(Ticket.id).where(Ticket.id == ticket_id).with_for_update())
    return True


@dataclass(frozen=True, slots=True)
class TicketVersion:
    """What decides whether an answer built before is still the answer: the ticket's version
    and the render generation, read together; and whether the reader's side has read it."""

    id: int
    public_id: str
    ticket_number: int
    version: int
    generation: int
    read_by_viewer: bool


@functools.cache
def _version_statement(staff_view: bool, *, by_public_id: bool, guest: bool = False) -> Select[Any]:
    """One indexed lookup, scoped like every read (parameters `ref`, `viewer_client_id`, a
    guest's `viewer_ticket_id`)."""
    generation = select(RenderGeneration.value).where(RenderGeneration.id == 1).scalar_subquery()
    reference = Ticket.public_id if by_public_id else Ticket.ticket_number
    statement = select(
        Ticket.id,
        Ticket.public_id,
        Ticket.ticket_number,
        Ticket.version,
        generation,
        Ticket.admin_read if staff_view else Ticket.client_read,
    ).where(reference == bindparam("ref"))
    if guest:
        statement = statement.where(guest_scope(bindparam("viewer_ticket_id")))
    elif not staff_view:
        statement = statement.where(client_scope(bindparam("viewer_client_id")))
    return statement


async def find_visible_version(
    session: DbSession, actor: Actor, ref: int | str
) -> TicketVersion | None:
    """The ticket's version as the actor may see it (None if it may not), in one statement."""
    guest = actor.guest_ticket_id
    statement = _version_statement(
        actor.is_staff, by_public_id=isinstance(ref, str), guest=guest is not None
    )
    parameters = {"ref": ref, "viewer_client_id": actor.client_id, "viewer_ticket_id": guest}
    found = await session.rows(statement, parameters)
    if not found:
        return None
    row = found[0]
    return TicketVersion(
        id=row[0],
        public_id=row[1],
        ticket_number=row[2],
        version=row[3],
        generation=row[4] or 0,
        read_by_viewer=bool(row[5]),
    )


@dataclass(frozen=True, slots=True)
class AccessLink:
    """What an access link (`number` + `acc_hash`) opens: a client's ticket, or a guest's
    (`client_id` None)."""

    ticket_id: int
    client_id: int | None
    acc_hash: str
    client_active: bool


async def find_access_link(session: DbSession, number: int) -> AccessLink | None:
    """The access link's secret of ticket `number`: internal tickets are opened by no link."""
    row = (
        (
            await session.execute(
                select(
                    Ticket.id.label("ticket_id"),
                    Ticket.client_id,
                    Ticket.acc_hash,
                    Client.status.label("client_status"),
                )
                .outerjoin(Client, Client.id == Ticket.client_id)
                .where(Ticket.ticket_number == number, Ticket.flags.op("&")(FLAG_INTERNAL) == 0)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return AccessLink(
        ticket_id=row["ticket_id"],
        client_id=row["client_id"],
        acc_hash=row["acc_hash"],
        # A guest has no account to be suspended.
        client_active=row["client_status"] in (None, "Active"),
    )
