"""Attachment rules: what may be uploaded, who may download what, and what is cleaned up."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from supportdesk.attachments import repository
from supportdesk.attachments.detect import detect_content_type
from supportdesk.attachments.filenames import clean_filename, safe_filename
from supportdesk.attachments.repository import StoredAttachment, UploadInsert
from supportdesk.attachments.storage import FileStore
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.columns import ROW_ID_MAX, TICKET_NUMBER_MAX
from supportdesk.core.config import Settings
from supportdesk.core.db import DbSession
from supportdesk.core.errors import (
    AttachmentNotFound,
    PayloadTooLarge,
    TicketNotFound,
    ValidationFailed,
)
from supportdesk.core.ids import is_public_id, public_id
from supportdesk.tickets.repository import find_visible_state

log = logging.getLogger("supportdesk.attachments")

# Files written this recently are never swept: their row may not be committed yet.
FILE_GRACE = timedelta(hours=1)
_SWEEP_BATCH = 500


@dataclass(frozen=True, slots=True)
class UploadRecord:
    upload_id: str
    public_id: str
    filename: str
    content_type: str
    byte_length: int
    uploaded_at: datetime
    # The ticket named at upload time, echoed back; the upload is attached only when claimed.
    ticket_public_id: str | None


@dataclass(frozen=True, slots=True)
class Purged:
    uploads: int
    files: int


async def upload(
    session: DbSession,
    actor: Actor,
    *,
    filename: str | None,
    data: bytes,
    ticket_ref: int | str | None,
    settings: Settings,
) -> UploadRecord:
    """Store a file as the caller's pending upload, to be claimed by a new ticket or message."""
    limit = settings.attachment_max_bytes
    if len(data) > limit:
        raise PayloadTooLarge(f"The file is larger than the limit of {limit} bytes.")
    if not data:
        raise ValidationFailed("The file is empty.", pointer="/file")
    content_type = detect_content_type(data, clean_filename(filename))
    ticket_public_id = None
    if ticket_ref is not None:
        ticket = await find_visible_state(session, actor, ticket_ref)
        if ticket is None:
            raise TicketNotFound()
        ticket_public_id = ticket.public_id
    digest = await asyncio.to_thread(FileStore.for_settings(settings).store, data)
    record = UploadRecord(
        upload_id=public_id("satt"),
        public_id=public_id("tatt"),
        filename=safe_filename(filename, content_type),
        content_type=content_type,
        byte_length=len(data),
        uploaded_at=utcnow(),
        ticket_public_id=ticket_public_id,
    )
    await repository.insert_upload(
        session,
        UploadInsert(
            public_id=record.public_id,
            upload_id=record.upload_id,
            uploader_client_id=actor.client_id,
            uploader_staff_id=actor.staff_id,
            filename=record.filename,
            content_type=record.content_type,
            byte_length=record.byte_length,
            sha256=digest,
            uploaded_at=record.uploaded_at,
        ),
    )
    return record


async def find_for_download(
    session: DbSession,
    actor: Actor,
    ticket_ref: int | str,
    attachment_ref: int | str,
    *,
    settings: Settings,
) -> tuple[StoredAttachment, Path]:
    """The attachment (internal id or `tatt_` id) on that ticket (number or `tkt_` id) and its
    file; AttachmentNotFound alike for no such ticket, not the caller's, or not on it."""
    if isinstance(attachment_ref, int):
        # A larger value names nothing (and must not reach the driver, which would refuse it).
        if not 1 <= attachment_ref <= ROW_ID_MAX:
            raise AttachmentNotFound()
    elif not is_public_id("tatt", attachment_ref):
        raise AttachmentNotFound()
    if isinstance(ticket_ref, int) and not 1 <= ticket_ref <= TICKET_NUMBER_MAX:
        raise AttachmentNotFound()
    found = await repository.find_visible(session, actor, ticket_ref, attachment_ref)
    if found is None:
        raise AttachmentNotFound()
    try:
        path = FileStore.for_settings(settings).path_for(found.sha256)
    except ValueError:
        path = None
    if path is None or not path.is_file():
        log.error("attachment %d has no stored file (sha256 %r)", found.id, found.sha256)
        raise AttachmentNotFound()
    return found, path


async def purge_stale_uploads(
    session: DbSession,
    settings: Settings,
    *,
    now: datetime | None = None,
    ttl: timedelta | None = None,
) -> Purged:
    """Delete files no row names, then uploads no ticket claimed within `ttl` (default: the
    `upload_ttl_hours` setting). Safe to run at any time, and concurrently with the server."""
    now = now or utcnow()
    ttl = ttl if ttl is not None else timedelta(hours=settings.upload_ttl_hours)
    files = FileStore.for_settings(settings)
    written_before = (now - FILE_GRACE).timestamp()
    # Files first, judged by the rows as they stand before this run deletes any: a file is
    # never gone while a row that a rollback could bring back still names it. The files of the
    # uploads deleted below are therefore freed by the next run.
    candidates = files.stored_before(written_before)
    removed = 0
    for start in range(0, len(candidates), _SWEEP_BATCH):
        batch = candidates[start : start + _SWEEP_BATCH]
        referenced = await repository.referenced_digests(session, batch)
        removed += files.delete_unreferenced(batch, referenced, written_before=written_before)
    removed += files.delete_leftovers(written_before=written_before)
    uploads = await repository.delete_pending_before(session, now - ttl)
    return Purged(uploads=uploads, files=removed)
