"""All SQL on attachments. A download is found through its ticket, scoped to the caller.

An attachment on a ticket the caller may not see, on another ticket, or on a draft the client
may not see yet, and an attachment that does not exist, are the same `None`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, delete, insert, select

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.tickets.models import Attachment, Reply, Ticket
from supportdesk.tickets.repository import by_reference, file_shown_to_clients, visible_to


@dataclass(frozen=True, slots=True)
class StoredAttachment:
    """What serving a file needs."""

    id: int
    public_id: str
    filename: str
    content_type: str
    byte_length: int
    sha256: str
    # This row's upload time: what a download says was last modified (never the shared file's).
    uploaded_at: datetime


@dataclass(frozen=True, slots=True)
class UploadInsert:
    """A pending upload: no ticket yet, only its uploader may attach it."""

    public_id: str
    upload_id: str
    uploader_client_id: int | None
    uploader_staff_id: int | None
    filename: str
    content_type: str
    byte_length: int
    sha256: str
    uploaded_at: datetime


async def insert_upload(session: DbSession, row: UploadInsert) -> int:
    statement = insert(Attachment).values(**asdict(row)).returning(Attachment.id)
    return int((await session.execute(statement)).scalar_one())


def _named(ref: int | str) -> ColumnElement[bool]:
    if isinstance(ref, int):
        return Attachment.id == ref
    return Attachment.public_id == ref


async def find_visible(
    session: DbSession, actor: Actor, ticket_ref: int | str, attachment_ref: int | str
) -> StoredAttachment | None:
    """The attachment on that ticket (number or `tkt_` id), if the caller may see both."""
    statement = (
        select(
            Attachment.id,
            Attachment.public_id,
            Attachment.filename,
            Attachment.content_type,
            Attachment.byte_length,
            Attachment.sha256,
            Attachment.uploaded_at,
        )
        .join(Ticket, Ticket.id == Attachment.ticket_id)
        .where(_named(attachment_ref), by_reference(ticket_ref), visible_to(actor))
    )
    if not actor.is_staff:
        statement = statement.outerjoin(Reply, Reply.id == Attachment.reply_id).where(
            file_shown_to_clients()
        )
    row = (await session.execute(statement)).mappings().first()
    return None if row is None else StoredAttachment(**row)


async def delete_pending_before(session: DbSession, cutoff: datetime) -> int:
    """Delete uploads no ticket claimed that were made before `cutoff`; return how many."""
    result = await session.execute(
        delete(Attachment).where(Attachment.ticket_id.is_(None), Attachment.uploaded_at < cutoff)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def referenced_digests(session: DbSession, digests: Sequence[str]) -> set[str]:
    """Those of `digests` that some attachment row still names."""
    statement = select(Attachment.sha256).where(Attachment.sha256.in_(digests)).distinct()
    return {str(digest) for digest in (await session.execute(statement)).scalars()}
