"""Builders for conversation tests: writing keys, configurable departments, ids by lookup.

The shared `builders` module stays as it is (another change is editing it); what the
conversation tests need on top of it lives here. Every builder takes the app's `Database`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update

from supportdesk.core.actor import VIA_API_V2, Actor
from supportdesk.core.db import Database
from supportdesk.core.ids import public_id
from supportdesk.departments.models import Department
from supportdesk.tickets.models import Attachment, Ticket
from tests import builders
from tests.builders import World

ALL_SCOPES = ("read:support", "write:support", "read:account")
WRITE_SCOPES = ("read:support", "write:support")
# A staff key may also carry the staff-only scopes (desk.md).
STAFF_SCOPES = (*ALL_SCOPES, "manage:support", "admin:support")


async def reply(db: Database, ticket_id: int, **columns: Any) -> int:
    """`builders.reply` with a v2 message id (`tmsg_`, as the service gives replies)."""
    return await builders.reply(db, ticket_id, **{"public_id": public_id("tmsg"), **columns})


async def department(
    db: Database,
    *,
    name: str = "Billing",
    slug: str | None = None,
    visible: bool = True,
    client_can_reopen: bool = True,
    resolve_within_hours: int = 0,
    description: str = "",
    email: str = "billing@hostup.example",
) -> tuple[int, str]:
    """A department with the lifecycle knobs the shared builder does not set: `(id, slug)`."""
    dept_id = await builders.department(db, name=name, visible=visible)
    values: dict[str, Any] = {
        "client_can_reopen": client_can_reopen,
        "resolve_within_hours": resolve_within_hours,
        "description": description,
        "email": email,
    }
    if slug is not None:
        values["slug"] = slug
    async with db.transaction() as session:
        await session.execute(update(Department).where(Department.id == dept_id).values(values))
    return dept_id, await department_slug(db, dept_id)


async def department_slug(db: Database, dept_id: int) -> str:
    async with db.transaction() as session:
        slug = (
            await session.execute(select(Department.slug).where(Department.id == dept_id))
        ).scalar_one()
    return str(slug)


async def set_department(db: Database, dept_id: int, **values: Any) -> None:
    async with db.transaction() as session:
        await session.execute(update(Department).where(Department.id == dept_id).values(values))


async def ticket_row(db: Database, number: int) -> dict[str, Any]:
    """The stored ticket, as columns (what the API does not show, e.g. `critical_reason`)."""
    async with db.transaction() as session:
        row = (
            await session.execute(select(*Ticket.__table__.c).where(Ticket.ticket_number == number))
        ).one()
    return dict(row._mapping)


async def public_id_of(db: Database, ticket_id: int) -> str:
    async with db.transaction() as session:
        found = (
            await session.execute(select(Ticket.public_id).where(Ticket.id == ticket_id))
        ).scalar_one()
    return str(found)


async def set_ticket(db: Database, ticket_id: int, **values: Any) -> None:
    async with db.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == ticket_id).values(values))


async def attachment_ids(db: Database, ticket_id: int) -> list[tuple[int, str, int | None]]:
    """`(id, tatt_ id, reply id)` of every attachment on a ticket, oldest first."""
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Attachment.id, Attachment.public_id, Attachment.reply_id)
                .where(Attachment.ticket_id == ticket_id)
                .order_by(Attachment.id)
            )
        ).all()
    return [(int(row[0]), str(row[1]), row[2]) for row in rows]


async def pending_upload(db: Database, client_id: int) -> str:
    """An upload of `client_id` that no ticket has claimed yet: its `satt_` id."""
    async with db.transaction() as session:
        upload_id = (
            await session.execute(
                insert(Attachment)
                .values(
                    public_id=public_id("tatt"),
                    upload_id=public_id("satt"),
                    uploader_client_id=client_id,
                    filename="other.txt",
                    content_type="text/plain",
                    byte_length=5,
                    sha256="0" * 64,
                    uploaded_at=builders.OPENED,
                )
                .returning(Attachment.upload_id)
            )
        ).scalar_one()
    return str(upload_id)


@dataclass(frozen=True, slots=True)
class Cast:
    """The world, plus keys that may write (and read departments) and department slugs.

    `world.client_key` reads only (`read:support`); `client_key` here reads, writes and reads
    the account; `other_key` is the other client's writing key; `staff_key` has every scope.
    """

    world: World
    client_key: str
    other_key: str
    staff_key: str
    dept_slug: str
    hidden_dept_slug: str

    @property
    def read_only_key(self) -> str:
        return self.world.client_key

    @property
    def account_only_key(self) -> str:
        return self.world.account_only_key

    @property
    def suspended_key(self) -> str:
        return self.world.suspended_client_key


async def cast(db: Database) -> Cast:
    world = await builders.world(db)
    return Cast(
        world=world,
        client_key=(await builders.api_key(db, client_id=world.client_id, scopes=ALL_SCOPES))[1],
        other_key=(
            await builders.api_key(db, client_id=world.other_client_id, scopes=WRITE_SCOPES)
        )[1],
        staff_key=(await builders.api_key(db, staff_id=world.staff_id, scopes=STAFF_SCOPES))[1],
        dept_slug=await department_slug(db, world.dept_id),
        hidden_dept_slug=await department_slug(db, world.hidden_dept_id),
    )


async def write_key(db: Database, client_id: int, *, rate_limit_per_minute: int) -> str:
    """A writing key of `client_id` with its own (small) rate limit."""
    _, key = await builders.api_key(
        db, client_id=client_id, scopes=ALL_SCOPES, rate_limit_per_minute=rate_limit_per_minute
    )
    return key


def client_actor(client_id: int) -> Actor:
    return Actor.client(client_id, VIA_API_V2, frozenset(ALL_SCOPES))


def staff_actor(staff_id: int) -> Actor:
    return Actor.staff(staff_id, VIA_API_V2, frozenset(ALL_SCOPES))


async def ticket_count(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(select(func.count()).select_from(Ticket))).scalar_one())
