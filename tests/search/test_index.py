"""The index follows every write in the write's own transaction, whoever writes: the service,
a merge moving messages between tickets, a draft being sent, a note edited or deleted, plain SQL.
"""

from __future__ import annotations

from collections.abc import Sequence

import httpx
from sqlalchemy import delete, insert, update

from supportdesk.core.db import Database, DbSession
from supportdesk.models import Note, Reply, Ticket
from supportdesk.tickets import service
from supportdesk.tickets.repository import ListFilter
from supportdesk.tickets.search import search_terms
from tests import builders
from tests.api.v2.assertions import key
from tests.conversation_builders import Cast, staff_actor
from tests.search.listing import URL, numbers


async def found(session: DbSession, cast: Cast, query: str) -> Sequence[int]:
    where = ListFilter(terms=search_terms(query))
    page = await service.list_tickets(session, staff_actor(cast.world.staff_id), where)
    return [ticket.ticket_number for ticket in page.items]


async def test_a_message_posted_through_the_api_is_found(
    api: httpx.AsyncClient, db: Database, cast: Cast
) -> None:
    ticket = await builders.ticket(db, number=7, dept_id=cast.world.dept_id,
                                   client_id=cast.world.client_id)  # fmt: skip
    assert await numbers(api, cast.client_key, q="quasar") == []
    response = await api.post(
        f"{URL}/7/messages", json={"message": "The quasar module crashed."},
        headers=key(cast.client_key),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    assert await numbers(api, cast.client_key, q="quasar crash") == [7]
    assert ticket.number == 7


async def test_a_ticket_opened_through_the_api_is_found_by_its_subject_and_body(
    api: httpx.AsyncClient, cast: Cast
) -> None:
    response = await api.post(
        URL,
        json={"departmentSlug": cast.dept_slug, "subject": "Zeppelin upload",
              "message": "FTP says 553 for every file."},
        headers=key(cast.client_key),
    )  # fmt: skip
    assert response.status_code == 201, response.text
    number = int(response.json()["number"])
    assert await numbers(api, cast.client_key, q="zeppelin") == [number]
    assert await numbers(api, cast.staff_key, q="ftp 553") == [number]


async def test_every_write_shows_in_the_same_transaction(db: Database, cast: Cast) -> None:
    world = cast.world
    first = await builders.ticket(db, number=1, dept_id=world.dept_id, client_id=world.client_id,
                                  subject="Alpha", body="first body")  # fmt: skip
    second = await builders.ticket(db, number=2, dept_id=world.dept_id, client_id=world.client_id,
                                   subject="Beta", body="second body")  # fmt: skip
    async with db.transaction() as session:
        await session.execute(update(Ticket).where(Ticket.id == first.id).values(subject="Gamma"))
        assert await found(session, cast, "gamma") == [1]
        assert await found(session, cast, "alpha") == []
        reply_id = (
            await session.execute(
                insert(Reply)
                .values(builders._reply_values(second.id, body="moved words"))
                .returning(Reply.id)
            )
        ).scalar_one()
        assert await found(session, cast, "moved") == [2]
        # A merge moves messages to another ticket.
        await session.execute(update(Reply).where(Reply.id == reply_id).values(ticket_id=first.id))
        assert await found(session, cast, "moved") == [1]
        await session.execute(update(Reply).where(Reply.id == reply_id).values(body="edited"))
        assert await found(session, cast, "moved") == []
        assert await found(session, cast, "edited gamma") == [1]
        await session.execute(delete(Reply).where(Reply.id == reply_id))
        assert await found(session, cast, "edited") == []
    note_id = await builders.note(db, second.id, world.staff_id, "kestrel")
    async with db.transaction() as session:
        assert await found(session, cast, "kestrel") == [2]
        await session.execute(update(Note).where(Note.id == note_id).values(body="osprey"))
        assert await found(session, cast, "kestrel") == []
        assert await found(session, cast, "osprey beta") == [2]
        await session.execute(update(Note).where(Note.id == note_id).values(ticket_id=first.id))
        assert await found(session, cast, "osprey") == [1]
        await session.execute(delete(Note).where(Note.id == note_id))
        assert await found(session, cast, "osprey") == []


async def test_a_rolled_back_write_leaves_the_index_as_it_was(db: Database, cast: Cast) -> None:
    world = cast.world
    ticket = await builders.ticket(db, number=1, dept_id=world.dept_id, client_id=world.client_id,
                                   subject="Alpha")  # fmt: skip

    class Undo(Exception):
        pass

    try:
        async with db.transaction() as session:
            await session.execute(
                update(Ticket).where(Ticket.id == ticket.id).values(subject="Omega")
            )
            raise Undo
    except Undo:
        pass
    async with db.transaction() as session:
        assert await found(session, cast, "omega") == []
        assert await found(session, cast, "alpha") == [1]
