"""The lifecycle rules (model.md, "Lifecycle"), through the service functions both APIs call."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from supportdesk.core.actor import Actor
from supportdesk.core.db import Database, DbSession
from supportdesk.core.errors import (
    Conflict,
    InvalidField,
    RateLimited,
    ReopenNotAllowed,
    TicketClosed,
    TicketNotFound,
    ValidationFailed,
)
from supportdesk.departments.models import Status
from supportdesk.hosting.models import TicketService
from supportdesk.tickets import service
from supportdesk.tickets.models import Reply
from supportdesk.tickets.records import NewMessage, NewTicket, TicketRecord
from tests import builders, conversation_builders
from tests.builders import OPENED, BuiltTicket, World
from tests.conversation_builders import client_actor, staff_actor, ticket_count

T = TypeVar("T")
NUMBER = 616828


async def run(db: Database, work: Callable[[DbSession], Awaitable[T]]) -> T:
    """One transaction, as a request has: committed if `work` returns, rolled back if not."""
    async with db.transaction() as session:
        return await work(session)


def draft(dept_id: int, **overrides: Any) -> NewTicket:
    values: dict[str, Any] = {
        "subject": "Mail bounces",
        "body": "Since this morning.",
        "priority": "medium",
        "dept_id": dept_id,
    }
    values.update(overrides)
    return NewTicket(**values)


async def open_number(session: DbSession, actor: Actor, new: NewTicket) -> int:
    """Open a ticket and return its number."""
    return (await service.open_ticket(session, actor, new)).ticket_number


async def post(
    session: DbSession, actor: Actor, ref: int | str, body: str, **options: Any
) -> tuple[TicketRecord, int]:
    """Post a message; the ticket as the service answers it, and the new reply's id."""
    posted = await service.post_message(session, actor, ref, NewMessage(body, **options))
    return posted.ticket, posted.message.id


async def status_name(db: Database, status_id: int) -> str:
    async with db.transaction() as session:
        name = (
            await session.execute(select(Status.name).where(Status.id == status_id))
        ).scalar_one()
    return str(name)


async def stored(db: Database, number: int = NUMBER) -> dict[str, Any]:
    row = await conversation_builders.ticket_row(db, number)
    row["status"] = await status_name(db, row["status_id"])
    return row


async def reply_row(db: Database, reply_id: int) -> dict[str, Any]:
    async with db.transaction() as session:
        row = (await session.execute(select(*Reply.__table__.c).where(Reply.id == reply_id))).one()
    return dict(row._mapping)


@pytest.fixture
async def ticket(db: Database, world: World) -> BuiltTicket:
    """An Open ticket of the world's client, opened (and last touched) at OPENED."""
    return await builders.ticket(
        db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, admin_read=True
    )


class TestOpen:
    async def test_a_new_ticket_is_open_unread_by_staff_with_its_clocks_at_opening(
        self, db: Database, world: World
    ) -> None:
        before = datetime.now(UTC)
        number = await run(
            db,
            lambda s: open_number(
                s, client_actor(world.client_id), draft(world.dept_id, senderip="192.0.2.9")
            ),
        )
        after = datetime.now(UTC)
        row = await stored(db, number)
        assert row["status"] == "Open"
        assert (row["admin_read"], row["client_read"]) == (False, True)
        assert before <= row["created_at"] <= after
        assert row["last_reply_at"] == row["updated_at"] == row["start_date"] == row["created_at"]
        assert row["resolve_date"] is None, "no SLA in this department"
        assert (row["type"], row["client_id"], row["creator_id"]) == (
            "Client",
            world.client_id,
            world.client_id,
        )
        assert (row["name"], row["email"]) == ("Ada Lovelace", "ada@example.com")
        assert row["org_dept_id"] == row["dept_id"] == world.dept_id
        assert row["senderip"] == "192.0.2.9"
        assert re.fullmatch(r"[a-z0-9]{32}", row["acc_hash"])
        assert re.fullmatch(r"tkt_[0-9a-hjkmnp-tv-z]{26}", row["public_id"])
        assert 100_000 <= number <= 999_999

    async def test_staff_opens_as_admin_for_a_client(self, db: Database, world: World) -> None:
        number = await run(
            db,
            lambda s: open_number(
                s,
                staff_actor(world.staff_id),
                draft(world.hidden_dept_id, client_id=world.other_client_id),
            ),
        )
        row = await stored(db, number)
        assert (row["type"], row["creator_id"], row["client_id"]) == (
            "Admin",
            world.staff_id,
            world.other_client_id,
        )
        assert row["name"] == "Alan Turing"

    async def test_resolve_date_comes_from_the_departments_resolve_within_hours(
        self, db: Database, world: World
    ) -> None:
        dept_id, _ = await conversation_builders.department(db, resolve_within_hours=36)
        number = await run(
            db,
            lambda s: open_number(s, client_actor(world.client_id), draft(dept_id)),
        )
        row = await stored(db, number)
        assert row["resolve_date"] - row["created_at"] == timedelta(hours=36)

    @pytest.mark.parametrize("which", ["hidden", "unknown"])
    async def test_a_client_may_only_use_a_visible_department(
        self, db: Database, world: World, which: str
    ) -> None:
        dept_id = world.hidden_dept_id if which == "hidden" else 987654
        with pytest.raises(ValidationFailed) as raised:
            await run(
                db,
                lambda s: open_number(s, client_actor(world.client_id), draft(dept_id)),
            )
        assert isinstance(raised.value, InvalidField)
        assert raised.value.field == "department"
        assert await ticket_count(db) == 0

    async def test_numbers_are_six_digits_and_distinct(self, db: Database, world: World) -> None:
        principal = client_actor(world.client_id)
        numbers = [
            await run(db, lambda s: open_number(s, principal, draft(world.dept_id)))
            for _ in range(30)
        ]
        assert len(set(numbers)) == 30
        assert all(re.fullmatch(r"[1-9][0-9]{5}", str(number)) for number in numbers)

    async def test_a_number_that_is_taken_is_never_reused(
        self, db: Database, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.other_client_id
        )
        drawn: Iterator[int] = iter([NUMBER, NUMBER, 654321])
        monkeypatch.setattr(service, "candidate", lambda width: next(drawn))
        number = await run(
            db,
            lambda s: open_number(s, client_actor(world.client_id), draft(world.dept_id)),
        )
        assert number == 654321
        assert (await stored(db, NUMBER))["client_id"] == world.other_client_id, "untouched"

    async def test_a_linked_service_must_be_the_callers(self, db: Database, world: World) -> None:
        theirs = await builders.service(db, world.other_client_id)
        mine = await builders.service(db, world.client_id, service_type="hosting")
        principal = client_actor(world.client_id)
        for service_type, service_id in (("vps", theirs), ("vps", mine), ("hosting", 999_999)):

            def opening(
                s: DbSession, t: str = service_type, i: int = service_id
            ) -> Awaitable[object]:
                return open_number(s, principal, draft(world.dept_id, service_type=t, service_id=i))

            with pytest.raises(ValidationFailed) as raised:
                await run(db, opening)
            assert isinstance(raised.value, InvalidField)
            assert raised.value.field == "service"
        assert await ticket_count(db) == 0
        number = await run(
            db,
            lambda s: open_number(
                s,
                principal,
                draft(
                    world.dept_id,
                    service_type="hosting",
                    service_id=mine,
                    ai_summary="Quota exceeded.",
                    ai_helpful=True,
                ),
            ),
        )
        row = await stored(db, number)
        async with db.transaction() as session:
            link = (
                await session.execute(
                    select(
                        TicketService.service_id,
                        TicketService.ai_summary,
                        TicketService.ai_helpful,
                    ).where(TicketService.ticket_id == row["id"])
                )
            ).one()
        assert tuple(link) == (mine, "Quota exceeded.", True)

    async def test_a_guest_ticket_links_no_service(self, db: Database, world: World) -> None:
        service_id = await builders.service(db, world.client_id)
        guest = draft(
            world.dept_id,
            guest_name="Guest",
            guest_email="guest@example.org",
            service_type="vps",
            service_id=service_id,
        )
        with pytest.raises(ValidationFailed):
            await run(db, lambda s: open_number(s, staff_actor(world.staff_id), guest))


class TestCriticalTickets:
    async def test_one_critical_ticket_per_client_per_hour(
        self, db: Database, world: World
    ) -> None:
        principal = client_actor(world.client_id)
        critical = draft(world.dept_id, priority="critical", critical_reason="Down")
        await run(db, lambda s: open_number(s, principal, critical))
        with pytest.raises(RateLimited) as raised:
            await run(db, lambda s: open_number(s, principal, critical))
        assert 3590 <= raised.value.retry_after <= 3601
        assert raised.value.v2_code == "rate_limited"
        assert "reply" in raised.value.message
        assert await ticket_count(db) == 1
        # Not for other priorities, nor for other clients.
        await run(db, lambda s: open_number(s, principal, draft(world.dept_id)))
        await run(db, lambda s: open_number(s, client_actor(world.other_client_id), critical))
        assert await ticket_count(db) == 3

    async def test_retry_after_is_when_the_hour_is_over(self, db: Database, world: World) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=world.dept_id,
            client_id=world.client_id,
            priority="critical",
            created_at=datetime.now(UTC) - timedelta(minutes=59),
        )
        critical = draft(world.dept_id, priority="critical", critical_reason="Down")
        with pytest.raises(RateLimited) as raised:
            await run(db, lambda s: open_number(s, client_actor(world.client_id), critical))
        assert 55 <= raised.value.retry_after <= 61

    async def test_a_critical_ticket_over_an_hour_old_does_not_count(
        self, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=world.dept_id,
            client_id=world.client_id,
            priority="critical",
            created_at=datetime.now(UTC) - timedelta(minutes=61),
        )
        critical = draft(world.dept_id, priority="critical", critical_reason="Down")
        await run(db, lambda s: open_number(s, client_actor(world.client_id), critical))
        assert await ticket_count(db) == 2

    async def test_staff_opening_a_critical_ticket_for_the_client_counts(
        self, db: Database, world: World
    ) -> None:
        for_client = draft(
            world.dept_id, priority="critical", critical_reason="Down", client_id=world.client_id
        )
        await run(db, lambda s: open_number(s, staff_actor(world.staff_id), for_client))
        critical = draft(world.dept_id, priority="critical", critical_reason="Down")
        with pytest.raises(RateLimited):
            await run(db, lambda s: open_number(s, client_actor(world.client_id), critical))


class TestReplies:
    async def test_a_staff_reply_answers_and_unreads_for_the_client(
        self, db: Database, world: World, ticket: BuiltTicket
    ) -> None:
        state, reply_id = await run(
            db,
            lambda s: post(s, staff_actor(world.staff_id), NUMBER, "Fixed.", senderip="10.0.0.1"),
        )
        assert state.status == "Answered"
        row = await stored(db)
        assert row["status"] == "Answered"
        assert (row["client_read"], row["admin_read"]) == (False, True)
        reply = await reply_row(db, reply_id)
        assert row["last_reply_at"] == row["updated_at"] == reply["created_at"] > OPENED
        assert (reply["type"], reply["replier_id"], reply["status"]) == (
            "Admin",
            world.staff_id,
            "Sent",
        )
        assert (reply["name"], reply["body"], reply["flags"]) == ("Grace Hopper", "Fixed.", 0)
        assert reply["senderip"] == "10.0.0.1"
        assert re.fullmatch(r"tmsg_[0-9a-hjkmnp-tv-z]{26}", reply["public_id"])

    async def test_a_client_reply_is_client_reply_and_unreads_for_staff(
        self, db: Database, world: World, ticket: BuiltTicket
    ) -> None:
        public_id = await conversation_builders.public_id_of(db, ticket.id)
        state, reply_id = await run(
            db,
            lambda s: post(
                s, client_actor(world.client_id), public_id, "Still broken.", encrypted=True
            ),
        )
        assert state.status == "Client-Reply"
        row = await stored(db)
        assert row["status"] == "Client-Reply"
        assert (row["admin_read"], row["client_read"]) == (False, True)
        reply = await reply_row(db, reply_id)
        assert row["last_reply_at"] == row["updated_at"] == reply["created_at"] > OPENED
        assert (reply["type"], reply["replier_id"], reply["flags"]) == (
            "Client",
            world.client_id,
            16,
        )

    async def test_each_reply_moves_lastreply_again(
        self, db: Database, world: World, ticket: BuiltTicket
    ) -> None:
        moments = []
        for principal in (client_actor(world.client_id), staff_actor(world.staff_id)) * 2:

            def replying(s: DbSession, p: Actor = principal) -> Awaitable[object]:
                return post(s, p, NUMBER, "...")

            await run(db, replying)
            moments.append((await stored(db))["last_reply_at"])
        assert moments == sorted(moments)
        assert len(set(moments)) == 4
        assert (await stored(db))["status"] == "Answered"

    async def test_a_client_cannot_reply_to_a_closed_ticket(
        self, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, status="Closed"
        )
        with pytest.raises(TicketClosed) as raised:
            await run(
                db,
                lambda s: post(s, client_actor(world.client_id), NUMBER, "Hi"),
            )
        assert (raised.value.status_code, raised.value.v2_code) == (409, "ticket_closed")
        row = await stored(db)
        assert (row["status"], row["updated_at"], row["last_reply_at"]) == (
            "Closed",
            OPENED,
            OPENED,
        )

    async def test_replies_locked_refuse_the_client_not_staff(
        self, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, flags=512
        )
        with pytest.raises(Conflict):
            await run(
                db,
                lambda s: post(s, client_actor(world.client_id), NUMBER, "Hi"),
            )
        await run(db, lambda s: post(s, staff_actor(world.staff_id), NUMBER, "Ok"))
        assert (await stored(db))["status"] == "Answered"

    @pytest.mark.parametrize("whose", ["another client's", "internal"])
    async def test_a_ticket_the_client_may_not_see_is_not_found(
        self, db: Database, world: World, whose: str
    ) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=world.dept_id,
            client_id=world.other_client_id if whose == "another client's" else world.client_id,
            flags=16 if whose == "internal" else 0,
        )
        with pytest.raises(TicketNotFound):
            await run(
                db,
                lambda s: post(s, client_actor(world.client_id), NUMBER, "Hi"),
            )
        assert (await stored(db))["updated_at"] == OPENED


class TestReadMarkers:
    async def test_reading_marks_only_the_readers_side_and_is_not_a_change(
        self, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=world.dept_id,
            client_id=world.client_id,
            admin_read=False,
            client_read=False,
        )
        read = await run(
            db, lambda s: service.read_ticket(s, client_actor(world.client_id), NUMBER)
        )
        assert (read.client_read, read.admin_read) == (True, False)
        row = await stored(db)
        assert (row["client_read"], row["admin_read"], row["updated_at"]) == (True, False, OPENED)
        read = await run(db, lambda s: service.read_ticket(s, staff_actor(world.staff_id), NUMBER))
        assert (read.client_read, read.admin_read) == (True, True)
        row = await stored(db)
        assert (row["client_read"], row["admin_read"], row["updated_at"]) == (True, True, OPENED)

    async def test_a_reply_unreads_the_other_side_until_it_reads(
        self, db: Database, world: World, ticket: BuiltTicket
    ) -> None:
        client, staff = client_actor(world.client_id), staff_actor(world.staff_id)
        await run(db, lambda s: post(s, staff, NUMBER, "Answer"))
        assert (await stored(db))["client_read"] is False
        await run(db, lambda s: service.read_ticket(s, client, NUMBER))
        assert (await stored(db))["client_read"] is True
        await run(db, lambda s: post(s, client, NUMBER, "Thanks"))
        assert (await stored(db))["admin_read"] is False
        await run(db, lambda s: service.read_ticket(s, staff, NUMBER))
        assert (await stored(db))["admin_read"] is True

    async def test_a_ticket_the_reader_may_not_see_is_not_found_and_not_marked(
        self, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, client_read=False
        )
        with pytest.raises(TicketNotFound):
            await run(
                db,
                lambda s: service.read_ticket(s, client_actor(world.other_client_id), NUMBER),
            )
        assert (await stored(db))["client_read"] is False


class TestCloseAndReopen:
    @pytest.mark.parametrize("side", ["client", "staff"])
    async def test_either_side_closes_and_closing_moves_lastupdate_only(
        self, db: Database, world: World, ticket: BuiltTicket, side: str
    ) -> None:
        principal = (
            client_actor(world.client_id) if side == "client" else staff_actor(world.staff_id)
        )
        state = await run(db, lambda s: service.close_ticket(s, principal, NUMBER))
        assert state.status == "Closed"
        row = await stored(db)
        assert row["status"] == "Closed"
        assert row["updated_at"] > OPENED
        assert row["last_reply_at"] == OPENED

    async def test_closing_a_closed_ticket_changes_nothing(
        self, db: Database, world: World
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, status="Closed"
        )
        await run(db, lambda s: service.close_ticket(s, client_actor(world.client_id), NUMBER))
        assert (await stored(db))["updated_at"] == OPENED

    async def test_reopening_a_closed_ticket_opens_it(self, db: Database, world: World) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, status="Closed"
        )
        state = await run(
            db, lambda s: service.reopen_ticket(s, client_actor(world.client_id), NUMBER)
        )
        assert state.status == "Open"
        row = await stored(db)
        assert (row["status"], row["last_reply_at"]) == ("Open", OPENED)
        assert row["updated_at"] > OPENED

    @pytest.mark.parametrize("status", ["Open", "Answered", "Client-Reply", "On-Hold"])
    async def test_reopening_a_ticket_that_is_not_closed_changes_nothing(
        self, db: Database, world: World, status: str
    ) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.client_id, status=status
        )
        state = await run(
            db, lambda s: service.reopen_ticket(s, client_actor(world.client_id), NUMBER)
        )
        assert state.status == status
        row = await stored(db)
        assert (row["status"], row["updated_at"]) == (status, OPENED)

    @pytest.mark.parametrize("forbidden_by", ["department", "flag 4096"])
    async def test_a_client_may_not_reopen_where_forbidden_staff_may(
        self, db: Database, world: World, forbidden_by: str
    ) -> None:
        dept_id = world.dept_id
        if forbidden_by == "department":
            dept_id, _ = await conversation_builders.department(db, client_can_reopen=False)
        await builders.ticket(
            db,
            number=NUMBER,
            dept_id=dept_id,
            client_id=world.client_id,
            status="Closed",
            flags=4096 if forbidden_by == "flag 4096" else 0,
        )
        with pytest.raises(ReopenNotAllowed) as raised:
            await run(db, lambda s: service.reopen_ticket(s, client_actor(world.client_id), NUMBER))
        assert (raised.value.status_code, raised.value.v2_code) == (403, "reopen_not_allowed")
        assert (await stored(db))["status"] == "Closed"
        await run(db, lambda s: service.reopen_ticket(s, staff_actor(world.staff_id), NUMBER))
        assert (await stored(db))["status"] == "Open"

    async def test_another_clients_ticket_is_not_found(self, db: Database, world: World) -> None:
        await builders.ticket(
            db, number=NUMBER, dept_id=world.dept_id, client_id=world.other_client_id
        )
        principal = client_actor(world.client_id)
        for action in (service.close_ticket, service.reopen_ticket):

            def acting(
                s: DbSession, a: Callable[..., Awaitable[object]] = action
            ) -> Awaitable[object]:
                return a(s, principal, NUMBER)

            with pytest.raises(TicketNotFound):
                await run(db, acting)
        assert (await stored(db))["status"] == "Open"
