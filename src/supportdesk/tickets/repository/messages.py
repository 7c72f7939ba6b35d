"""SQL of staff messages: statuses by either name, one message of a ticket, the newest client
message (the collision guard), and edits to drafts and scheduled messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from supportdesk.core.clock import as_datetime
from supportdesk.core.db import DbSession
from supportdesk.departments.models import V2_STATUSES, Status
from supportdesk.tickets.models import SENT, Reply, Ticket

# Reply types written by the client's side of the conversation.
CLIENT_SIDE = ("Client", "Email", "Unregistered")


@dataclass(frozen=True, slots=True)
class MessageRow:
    """One message as the desk's rules read it."""

    id: int
    public_id: str
    ticket_id: int
    status: str
    type: str
    created_at: datetime
    send_at: datetime | None
    notify: bool
    keep_if_client_replies: bool
    status_after: str


async def status_named(session: DbSession, value: str) -> str | None:
    """The status a name means: a status's own name, else a v2 status (`on_hold`), which means
    the first built-in status mapped to it; None when neither names one."""
    found = (await session.execute(select(Status.name).where(Status.name == value))).scalar()
    if found is None and value in V2_STATUSES and value != "unknown":
        found = (
            await session.execute(
                select(Status.name)
                .where(Status.v2_status == value)
                .order_by(Status.builtin.desc(), Status.id)
                .limit(1)
            )
        ).scalar()
    return None if found is None else str(found)


_MESSAGE_COLUMNS = (
    Reply.id,
    Reply.public_id,
    Reply.ticket_id,
    Reply.status,
    Reply.type,
    Reply.created_at,
    Reply.send_at,
    Reply.notify,
    Reply.keep_if_client_replies,
    Reply.status_after,
)


def _message(row: Any) -> MessageRow:
    values = dict(row)
    values["created_at"] = as_datetime(values["created_at"])
    values["send_at"] = as_datetime(values["send_at"])
    values["notify"] = bool(values["notify"])
    values["keep_if_client_replies"] = bool(values["keep_if_client_replies"])
    return MessageRow(**values)


async def find_message(session: DbSession, ticket_id: int, public_id: str) -> MessageRow | None:
    """The message `public_id` of the ticket (any state: the caller is staff), or None."""
    row = (
        (
            await session.execute(
                select(*_MESSAGE_COLUMNS).where(
                    Reply.ticket_id == ticket_id, Reply.public_id == public_id
                )
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else _message(row)


async def opened_at(session: DbSession, ticket_id: int) -> datetime:
    value = (
        await session.execute(select(Ticket.created_at).where(Ticket.id == ticket_id))
    ).scalar_one()
    moment = as_datetime(value)
    assert moment is not None
    return moment


async def newest_client_message(session: DbSession, ticket_id: int) -> MessageRow | None:
    """The latest sent message of the client's side, if any."""
    row = (
        (
            await session.execute(
                select(*_MESSAGE_COLUMNS)
                .where(
                    Reply.ticket_id == ticket_id,
                    Reply.status == SENT,
                    Reply.type.in_(CLIENT_SIDE),
                )
                .order_by(Reply.created_at.desc(), Reply.id.desc())
                .limit(1)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else _message(row)


async def update_message(session: DbSession, reply_id: int, **values: Any) -> None:
    await session.execute(update(Reply).where(Reply.id == reply_id).values(values))


async def latest_sent_at(session: DbSession, ticket_id: int) -> datetime | None:
    """When the ticket's latest sent message was written (None: no message is sent)."""
    value = (
        await session.execute(
            select(func.max(Reply.created_at)).where(
                Reply.ticket_id == ticket_id, Reply.status == SENT
            )
        )
    ).scalar()
    return as_datetime(value)


async def reply_rating(session: DbSession, reply_id: int) -> int:
    """The client's rating of the reply (0: not rated)."""
    value = (await session.execute(select(Reply.rating).where(Reply.id == reply_id))).scalar()
    return int(value or 0)
