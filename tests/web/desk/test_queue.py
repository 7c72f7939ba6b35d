"""The queue: its views and their counts, unread tickets, search, paging, presence."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.departments.models import Department
from tests import builders
from tests.support import AppFactory, client_for
from tests.web.desk.helpers import sign_in, staff_with_password


def _count(page: str, label: str) -> int:
    found = re.search(rf">{re.escape(label)} <span class=\"count\">(\d+)</span>", page)
    assert found is not None, label
    return int(found.group(1))


async def _slug(db: Database, dept_id: int) -> str:
    async with db.transaction() as session:
        found = await session.execute(select(Department.slug).where(Department.id == dept_id))
        return str(found.scalar_one())


def _numbers(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="ticket-link" href="/desk/tickets/(\d+)"', page)]


async def test_each_view_shows_its_tickets_and_every_view_is_counted(
    api: httpx.AsyncClient, db: Database, world: builders.World
) -> None:
    me = await staff_with_password(db)
    dept, client = world.dept_id, world.client_id
    now = utcnow()
    await builders.ticket(db, number=100001, dept_id=dept, client_id=client, owner_id=me)
    await builders.ticket(
        db, number=100002, dept_id=dept, client_id=client, status="Client-Reply", tags=["vps"]
    )
    await builders.ticket(
        db,
        number=100003,
        dept_id=dept,
        client_id=client,
        status="Answered",
        admin_read=True,
        owner_id=world.owner_id,
        resolve_date=now - timedelta(hours=1),
    )
    await builders.ticket(
        db,
        number=100004,
        dept_id=dept,
        client_id=client,
        status="In-Progress",
        escalated=2,
        owner_id=me,
    )
    await builders.ticket(db, number=100005, dept_id=dept, client_id=client, status="Closed")
    await sign_in(api)
    expected = {
        "mine": [100004, 100001],
        "unassigned": [100002],
        "awaiting": [100002, 100001],
        "open": [100004, 100003, 100002, 100001],
        "overdue": [100003],
        "escalated": [100004],
    }
    labels = {
        "mine": "Mine",
        "unassigned": "Unassigned",
        "awaiting": "Awaiting staff",
        "open": "All open",
        "overdue": "Overdue",
        "escalated": "Escalated",
    }
    for view, numbers in expected.items():
        page = (await api.get(f"/desk/?view={view}")).text
        assert sorted(_numbers(page)) == sorted(numbers), view
        for other, other_numbers in expected.items():
            assert _count(page, labels[other]) == len(other_numbers), (view, other)
    tagged = (await api.get("/desk/?tag=vps")).text
    assert _numbers(tagged) == [100002]
    assert _count(tagged, "vps") == 1
    # Unread tickets stand out: 100003 has been read by staff, the others not.
    page = (await api.get("/desk/?view=open")).text
    unread = re.findall(r'<tr class="ticket-row unread[^"]*" data-href="/desk/tickets/(\d+)"', page)
    assert sorted(int(n) for n in unread) == [100001, 100002, 100004]
    other_dept = await builders.department(db, name="Billing")
    await builders.ticket(db, number=100006, dept_id=other_dept, client_id=client)
    billing = (await api.get("/desk/", params={"department": await _slug(db, other_dept)})).text
    assert _numbers(billing) == [100006]
    assert _count(billing, "Billing") == 1


async def test_search_finds_tickets_by_their_words_and_says_so_when_there_is_none(
    api: httpx.AsyncClient, db: Database, world: builders.World
) -> None:
    await staff_with_password(db)
    await builders.ticket(
        db,
        number=200001,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject="Mailbox quota exceeded",
    )
    await builders.ticket(db, number=200002, dept_id=world.dept_id, client_id=world.client_id)
    await sign_in(api)
    found = await api.get("/desk/", params={"q": "quota"})
    assert found.status_code == 200
    assert _numbers(found.text) == [200001]
    assert "Search: quota" in found.text
    nothing = await api.get("/desk/", params={"q": "!!!"})
    assert nothing.status_code == 400
    assert "no word to search for" in nothing.text


async def test_the_queue_is_paged_by_cursor_newest_activity_first(
    make_app: AppFactory, db: Database, world: builders.World
) -> None:
    from supportdesk.web.desk import pages

    await staff_with_password(db)
    start = utcnow() - timedelta(days=1)
    total = pages.QUEUE_PAGE + 5
    for index in range(total):
        await builders.ticket(
            db,
            number=300000 + index,
            dept_id=world.dept_id,
            client_id=world.client_id,
            updated_at=start + timedelta(minutes=index),
        )
    async with client_for(make_app()) as client:
        await sign_in(client)
        first = (await client.get("/desk/?view=open")).text
        numbers = _numbers(first)
        assert numbers == [300000 + i for i in reversed(range(5, total))]
        more = re.search(r'rel="next" href="([^"]+)"', first)
        assert more is not None
        second = (await client.get(more.group(1).replace("&amp;", "&"))).text
        assert _numbers(second) == [300004, 300003, 300002, 300001, 300000]
        assert 'rel="next"' not in second
        forged = await client.get("/desk/?view=open&cursor=forged")
        assert forged.status_code == 400


async def test_who_else_has_the_ticket_open_shows_on_the_page_and_in_its_poll(
    make_app: AppFactory, db: Database, world: builders.World, world_ticket: int
) -> None:
    await staff_with_password(
        db, username="alan", firstname="Alan", lastname="Turing", email="alan@hostup.example"
    )
    # Two server processes: presence is in the database, not in a process.
    first, second = make_app(), make_app()
    async with client_for(first) as grace, client_for(second) as alan:
        await sign_in(grace)
        await sign_in(alan, username="alan")
        page = (await grace.get(f"/desk/tickets/{world_ticket}")).text
        assert "Nobody else has this ticket open." in page
        page = (await alan.get(f"/desk/tickets/{world_ticket}")).text
        assert "Also open by:</strong> Grace Hopper" in page
        poll = await grace.get(f"/desk/tickets/{world_ticket}/presence")
        assert poll.status_code == 200
        assert "Also open by:</strong> Alan Turing" in poll.text


async def test_a_poll_after_the_session_ended_sends_the_whole_page_to_the_sign_in_form(
    api: httpx.AsyncClient, world_ticket: int
) -> None:
    response = await api.get(
        f"/desk/tickets/{world_ticket}/presence",
        headers={
            "HX-Request": "true",
            "HX-Current-URL": f"http://test/desk/tickets/{world_ticket}",
        },
    )
    assert response.status_code == 401
    assert response.headers["hx-redirect"] == (
        f"/desk/sign-in?next=%2Fdesk%2Ftickets%2F{world_ticket}"
    )
