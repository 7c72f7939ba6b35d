"""A client's `q` reads only what the client sees: never a note, a draft or scheduled message,
an internal ticket or another client's ticket. Each is planted with its own canary word, which
staff's search finds and the client's does not."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.tickets.models import FLAG_INTERNAL
from tests import builders
from tests.builders import OPENED
from tests.conversation_builders import Cast
from tests.search.listing import numbers

CANARIES = ["notecanary", "draftcanary", "scheduledcanary", "internalcanary", "othercanary"]


@pytest.fixture
async def planted(db: Database, cast: Cast) -> dict[str, int]:
    world = cast.world

    async def ticket(number: int, **columns: object) -> int:
        values = {"client_id": world.client_id, **columns}
        built = await builders.ticket(db, number=number, dept_id=world.dept_id, **values)  # type: ignore[arg-type]
        return built.id

    shared = await ticket(1, subject="Backup failed", body="The nightly backup failed.")
    await builders.note(db, shared, world.staff_id, "notecanary: customer owes us")
    await builders.reply(db, shared, body="draftcanary not sent yet", status="Draft")
    await builders.reply(
        db,
        shared,
        body="scheduledcanary for tomorrow",
        status="Scheduled",
        send_at=OPENED + timedelta(days=1),
    )
    await ticket(2, subject="internalcanary audit", flags=FLAG_INTERNAL)
    await ticket(3, subject="othercanary", client_id=world.other_client_id)
    return {"notecanary": 1, "draftcanary": 1, "scheduledcanary": 1, "internalcanary": 2,
            "othercanary": 3}  # fmt: skip


@pytest.mark.parametrize("canary", CANARIES)
async def test_staff_find_it_the_client_does_not(
    api: httpx.AsyncClient, cast: Cast, planted: dict[str, int], canary: str
) -> None:
    assert await numbers(api, cast.staff_key, q=canary) == [planted[canary]]
    assert await numbers(api, cast.client_key, q=canary) == []
    # Not as a prefix, nor together with a word the client may see.
    assert await numbers(api, cast.client_key, q=canary[:6]) == []
    assert await numbers(api, cast.client_key, q=f"backup {canary}") == []


async def test_the_client_finds_the_same_ticket_by_what_it_sees(
    api: httpx.AsyncClient, cast: Cast, planted: dict[str, int]
) -> None:
    assert await numbers(api, cast.client_key, q="nightly backup") == [1]
    assert await numbers(api, cast.other_key, q="othercanary") == [3]
    assert await numbers(api, cast.other_key, q="backup") == []


async def test_a_sent_draft_becomes_searchable_by_the_client(
    api: httpx.AsyncClient, db: Database, cast: Cast, planted: dict[str, int]
) -> None:
    from sqlalchemy import update

    from supportdesk.models import Reply

    async with db.transaction() as session:
        await session.execute(
            update(Reply).where(Reply.body.like("draftcanary%")).values(status="Sent")
        )
    assert await numbers(api, cast.client_key, q="draftcanary") == [1]
