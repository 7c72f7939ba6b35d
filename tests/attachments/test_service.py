"""Upload, download and purge rules, against the test database."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from supportdesk.attachments import service
from supportdesk.attachments.service import UploadRecord
from supportdesk.attachments.storage import FileStore
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.errors import (
    AttachmentNotFound,
    PayloadTooLarge,
    TicketNotFound,
    UnsupportedMediaType,
    ValidationFailed,
)
from supportdesk.tickets import repository as tickets_repository
from supportdesk.tickets.models import FLAG_INTERNAL, Attachment, Ticket
from tests import builders
from tests.attachments.conftest import (
    LOG,
    NUMBER,
    OTHER_NUMBER,
    Tickets,
    client_actor,
    staff_actor,
    stored_attachment,
)
from tests.builders import World

ULID = "[0-9a-hjkmnp-tv-z]{26}"


async def upload(
    db: Database,
    principal: Actor,
    settings: Settings,
    data: bytes = LOG,
    filename: str | None = "console.log",
    ticket_ref: int | str | None = None,
) -> UploadRecord:
    async with db.transaction() as session:
        return await service.upload(
            session,
            principal,
            filename=filename,
            data=data,
            ticket_ref=ticket_ref,
            settings=settings,
        )


async def claim(db: Database, principal: Actor, record: UploadRecord, ticket_id: int) -> None:
    async with db.transaction() as session:
        claimed = await tickets_repository.claim_uploads(
            session, principal, [record.upload_id], ticket_id=ticket_id, reply_id=None
        )
    assert claimed == 1


async def rows(db: Database) -> list[tuple[str, int | None, int | None, int | None, str]]:
    async with db.transaction() as session:
        result = await session.execute(
            select(
                Attachment.upload_id,
                Attachment.ticket_id,
                Attachment.uploader_client_id,
                Attachment.uploader_staff_id,
                Attachment.sha256,
            ).order_by(Attachment.id)
        )
        return [(row[0], row[1], row[2], row[3], row[4]) for row in result.all()]


async def download(
    db: Database,
    principal: Actor,
    settings: Settings,
    ticket_ref: int | str,
    attachment_ref: int | str,
) -> bytes:
    async with db.transaction() as session:
        found, path = await service.find_for_download(
            session, principal, ticket_ref, attachment_ref, settings=settings
        )
    assert found.byte_length == path.stat().st_size
    return path.read_bytes()


class TestUpload:
    async def test_a_client_upload_is_stored_pending_and_recorded_as_theirs(
        self, db: Database, world: World, settings: Settings, files: FileStore
    ) -> None:
        record = await upload(db, client_actor(world.client_id), settings, filename="../x.log")
        assert re.fullmatch(f"satt_{ULID}", record.upload_id)
        assert re.fullmatch(f"tatt_{ULID}", record.public_id)
        assert record.filename == "x.log"
        assert record.content_type == "text/plain"
        assert record.byte_length == len(LOG)
        assert record.ticket_public_id is None
        assert abs(utcnow() - record.uploaded_at) < timedelta(minutes=1)
        [(upload_id, ticket_id, client_id, staff_id, digest)] = await rows(db)
        assert (upload_id, ticket_id, client_id, staff_id) == (
            record.upload_id,
            None,
            world.client_id,
            None,
        )
        assert files.path_for(digest).read_bytes() == LOG

    async def test_a_staff_upload_records_the_staff_member(
        self, db: Database, world: World, settings: Settings
    ) -> None:
        await upload(db, staff_actor(world.staff_id), settings)
        [(_, _, client_id, staff_id, _)] = await rows(db)
        assert (client_id, staff_id) == (None, world.staff_id)

    async def test_the_same_bytes_twice_are_two_uploads_and_one_file(
        self, db: Database, world: World, settings: Settings, files: FileStore
    ) -> None:
        first = await upload(db, client_actor(world.client_id), settings)
        second = await upload(db, client_actor(world.other_client_id), settings)
        assert first.upload_id != second.upload_id
        assert len({row[4] for row in await rows(db)}) == 1
        assert len(files.stored_before(utcnow().timestamp() + 60)) == 1

    async def test_a_file_over_the_limit_is_refused(
        self, db: Database, world: World, settings: Settings
    ) -> None:
        small = settings.model_copy(update={"attachment_max_bytes": 1024})
        with pytest.raises(PayloadTooLarge, match="1024 bytes"):
            await upload(db, client_actor(world.client_id), small, data=b"x" * 1025)
        assert await rows(db) == []

    async def test_an_empty_file_is_refused(
        self, db: Database, world: World, settings: Settings
    ) -> None:
        with pytest.raises(ValidationFailed) as refused:
            await upload(db, client_actor(world.client_id), settings, data=b"")
        assert refused.value.pointer == "/file"

    async def test_a_disallowed_type_is_refused_and_nothing_is_stored(
        self, db: Database, world: World, settings: Settings, files: FileStore
    ) -> None:
        with pytest.raises(UnsupportedMediaType):
            await upload(db, client_actor(world.client_id), settings, data=b"MZ\x90\x00")
        assert await rows(db) == []
        assert files.stored_before(utcnow().timestamp() + 60) == []

    @pytest.mark.parametrize("by_public_id", [False, True])
    async def test_a_visible_ticket_is_echoed_as_its_tkt_id_and_the_upload_stays_pending(
        self, db: Database, world: World, settings: Settings, tickets: Tickets, by_public_id: bool
    ) -> None:
        public_id = await ticket_public_id(db, tickets.mine.id)
        ref: int | str = public_id if by_public_id else NUMBER
        record = await upload(db, client_actor(world.client_id), settings, ticket_ref=ref)
        assert record.ticket_public_id == public_id
        [(_, ticket_id, _, _, _)] = await rows(db)
        assert ticket_id is None

    async def test_a_ticket_the_caller_may_not_see_is_not_found(
        self, db: Database, world: World, settings: Settings, tickets: Tickets
    ) -> None:
        internal = await builders.ticket(
            db, number=838383, dept_id=world.dept_id, client_id=world.client_id, flags=FLAG_INTERNAL
        )
        client = client_actor(world.client_id)
        for ref in (OTHER_NUMBER, internal.number, 999999):
            with pytest.raises(TicketNotFound):
                await upload(db, client, settings, ticket_ref=ref)
        assert await rows(db) == []
        staff = await upload(db, staff_actor(world.staff_id), settings, ticket_ref=OTHER_NUMBER)
        assert staff.ticket_public_id == await ticket_public_id(db, tickets.theirs.id)


async def ticket_public_id(db: Database, ticket_id: int) -> str:
    async with db.transaction() as session:
        found = await session.execute(select(Ticket.public_id).where(Ticket.id == ticket_id))
        return str(found.scalar_one())


class TestDownload:
    async def test_a_claimed_upload_is_served_by_internal_or_public_ids(
        self, db: Database, world: World, settings: Settings, tickets: Tickets
    ) -> None:
        client = client_actor(world.client_id)
        record = await upload(db, client, settings)
        await claim(db, client, record, tickets.mine.id)
        [attachment_id] = await attachment_ids(db)
        assert await download(db, client, settings, NUMBER, attachment_id) == LOG
        ticket_id = await ticket_public_id(db, tickets.mine.id)
        assert await download(db, client, settings, ticket_id, record.public_id) == LOG
        staff = staff_actor(world.staff_id)
        assert await download(db, staff, settings, NUMBER, record.public_id) == LOG

    async def test_every_other_case_is_the_same_not_found(
        self, db: Database, world: World, settings: Settings, tickets: Tickets, files: FileStore
    ) -> None:
        client = client_actor(world.client_id)
        other = client_actor(world.other_client_id)
        mine = await stored_attachment(db, files, tickets.mine.id)
        theirs = await stored_attachment(db, files, tickets.theirs.id)
        pending = await upload(db, client, settings)
        cases: list[tuple[Actor, int | str, int | str]] = [
            (other, NUMBER, mine.id),  # not their ticket
            (client, OTHER_NUMBER, theirs.id),  # not mine
            (client, NUMBER, theirs.id),  # on another ticket
            (client, 999999, mine.id),  # no such ticket
            (client, NUMBER, 2**31),  # beyond the column
            (client, 2**63, mine.id),
            (client, NUMBER, "tatt_nope"),
            (client, NUMBER, pending.public_id),  # not claimed yet
            (client, NUMBER, mine.id + theirs.id + 100),
        ]
        for principal, ticket_ref, attachment_ref in cases:
            with pytest.raises(AttachmentNotFound):
                await download(db, principal, settings, ticket_ref, attachment_ref)

    async def test_files_on_drafts_are_staff_only(
        self, db: Database, world: World, settings: Settings, tickets: Tickets, files: FileStore
    ) -> None:
        on_draft = await stored_attachment(
            db, files, tickets.mine.id, reply_id=tickets.draft_reply, data=b"draft\n"
        )
        on_sent = await stored_attachment(
            db, files, tickets.mine.id, reply_id=tickets.sent_reply, data=b"sent\n"
        )
        client = client_actor(world.client_id)
        with pytest.raises(AttachmentNotFound):
            await download(db, client, settings, NUMBER, on_draft.id)
        assert await download(db, client, settings, NUMBER, on_sent.id) == b"sent\n"
        staff = staff_actor(world.staff_id)
        assert await download(db, staff, settings, NUMBER, on_draft.public_id) == b"draft\n"

    async def test_a_row_whose_file_is_gone_is_not_found(
        self, db: Database, world: World, settings: Settings, tickets: Tickets, files: FileStore
    ) -> None:
        attachment = await stored_attachment(db, files, tickets.mine.id, data=b"lost\n")
        [digest] = files.stored_before(utcnow().timestamp() + 60)
        files.path_for(digest).unlink()
        with pytest.raises(AttachmentNotFound):
            await download(db, client_actor(world.client_id), settings, NUMBER, attachment.id)


async def attachment_ids(db: Database) -> list[int]:
    async with db.transaction() as session:
        result = await session.execute(select(Attachment.id).order_by(Attachment.id))
        return [int(value) for value in result.scalars()]


class TestPurge:
    async def purge(self, db: Database, settings: Settings, later: timedelta) -> service.Purged:
        async with db.transaction() as session:
            return await service.purge_stale_uploads(session, settings, now=utcnow() + later)

    async def test_stale_pending_uploads_go_then_their_files(
        self, db: Database, world: World, settings: Settings, tickets: Tickets, files: FileStore
    ) -> None:
        client = client_actor(world.client_id)
        stale = await upload(db, client, settings, data=b"never attached\n")
        claimed = await upload(db, client, settings, data=b"attached\n")
        await claim(db, client, claimed, tickets.mine.id)
        shared = await upload(db, client, settings, data=b"attached\n")  # same bytes as claimed

        assert await self.purge(db, settings, timedelta(hours=1)) == service.Purged(0, 0)
        assert len(await rows(db)) == 3

        first = await self.purge(db, settings, timedelta(hours=25))
        assert first == service.Purged(uploads=2, files=0)
        assert [row[0] for row in await rows(db)] == [claimed.upload_id]
        assert stale.upload_id != shared.upload_id

        # The files of the uploads just deleted are freed by the next run; a file that a
        # remaining row names stays.
        second = await self.purge(db, settings, timedelta(hours=25))
        assert second == service.Purged(uploads=0, files=1)
        [remaining] = files.stored_before(utcnow().timestamp() + 60)
        assert files.path_for(remaining).read_bytes() == b"attached\n"
        assert await download(db, client, settings, NUMBER, claimed.public_id) == b"attached\n"

    async def test_the_ttl_comes_from_the_settings(
        self, db: Database, world: World, settings: Settings
    ) -> None:
        await upload(db, client_actor(world.client_id), settings)
        longer = settings.model_copy(update={"upload_ttl_hours": 48})
        assert (await self.purge(db, longer, timedelta(hours=25))).uploads == 0
        assert (await self.purge(db, longer, timedelta(hours=49))).uploads == 1
