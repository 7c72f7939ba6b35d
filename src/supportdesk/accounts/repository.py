"""All SQL on clients and staff."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from supportdesk.accounts.models import Client, Staff
from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.tickets.models import Ticket

SYSTEM_NAME = "System"


@dataclass(frozen=True, slots=True)
class Contact:
    """A person's display name and e-mail address."""

    name: str
    email: str


async def client_contact(session: DbSession, client_id: int) -> Contact | None:
    row = (
        (
            await session.execute(
                select(Client.firstname, Client.lastname, Client.email).where(
                    Client.id == client_id
                )
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else Contact(_name(row["firstname"], row["lastname"]), row["email"])


async def staff_contact(session: DbSession, staff_id: int) -> Contact | None:
    row = (
        (
            await session.execute(
                select(Staff.firstname, Staff.lastname, Staff.email).where(Staff.id == staff_id)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else Contact(_name(row["firstname"], row["lastname"]), row["email"])


async def guest_contact(session: DbSession, ticket_id: int) -> Contact | None:
    """A guest is the name and address its ticket was submitted with."""
    row = (
        (await session.execute(select(Ticket.name, Ticket.email).where(Ticket.id == ticket_id)))
        .mappings()
        .first()
    )
    return None if row is None else Contact(row["name"], row["email"])


async def actor_contact(session: DbSession, actor: Actor) -> Contact:
    """Who the actor is, as a message or the timeline names it (the system: `System`)."""
    found: Contact | None
    if actor.staff_id is not None:
        found = await staff_contact(session, actor.staff_id)
    elif actor.client_id is not None:
        found = await client_contact(session, actor.client_id)
    elif actor.guest_ticket_id is not None:
        found = await guest_contact(session, actor.guest_ticket_id)
    else:
        return Contact(SYSTEM_NAME, "")
    if found is None:
        raise LookupError(f"the acting {actor.type} {actor.id} does not exist")
    return found


async def lock_client(session: DbSession, client_id: int) -> None:
    """Hold the client's row until the transaction ends: rules that count a client's recent
    tickets (one critical ticket an hour) then check and insert as one step. SQLite needs no
    lock: every write transaction holds the database's write lock from its start."""
    if session.dialect_name != "sqlite":
        await session.execute(select(Client.id).where(Client.id == client_id).with_for_update())


def _name(firstname: str, lastname: str) -> str:
    return f"{firstname} {lastname}".strip()
