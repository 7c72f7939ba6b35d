"""The ticket page and its forms, through httpx: the same services as the v2 desk API."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from sqlalchemy import select

from supportdesk.core.clock import utcnow
from supportdesk.core.db import Database
from supportdesk.tickets.models import Ticket
from tests import builders
from tests.web.desk.conftest import NUMBER
from tests.web.desk.helpers import csrf_of, field, sign_in

SCRIPT = "<script>alert('owned')</script>"


async def _signed_in(api: httpx.AsyncClient) -> str:
    await sign_in(api)
    return await csrf_of(api, f"/desk/tickets/{NUMBER}")


async def _post(api: httpx.AsyncClient, action: str, csrf: str, **data: str) -> httpx.Response:
    return await api.post(f"/desk/tickets/{NUMBER}/{action}", data={"csrf_token": csrf, **data})


async def test_a_note_shows_in_line_and_unmistakably_internal_and_never_to_the_client(
    api: httpx.AsyncClient, world_ticket: int, world: builders.World
) -> None:
    csrf = await _signed_in(api)
    added = await _post(api, "note", csrf, note="CANARY-desk-note: the disk is failing")
    assert added.status_code == 303
    assert added.headers["location"] == f"/desk/tickets/{NUMBER}?done=noted"
    page = (await api.get(added.headers["location"])).text
    assert "Note added." in page
    entry = re.search(r'<li class="entry note"[^>]*>(.*?)</li>', page, re.S)
    assert entry is not None
    assert "Internal note — never shown to the client" in entry.group(1)
    assert "CANARY-desk-note" in entry.group(1)
    client_view = await api.get(
        f"/api/v2/support/tickets/{NUMBER}", headers={"X-API-Key": world.client_key}
    )
    assert client_view.status_code == 200
    assert "CANARY-desk-note" not in client_view.text


async def test_what_a_person_wrote_is_escaped_and_links_are_clickable(
    api: httpx.AsyncClient, db: Database, world: builders.World
) -> None:
    from tests.web.desk.helpers import staff_with_password

    await staff_with_password(db)
    await builders.ticket(
        db,
        number=NUMBER,
        dept_id=world.dept_id,
        client_id=world.client_id,
        subject=f"Subject {SCRIPT}",
        body=f"Body {SCRIPT} see https://status.example/x?a=1&b=2 now",
    )
    await _signed_in(api)
    page = (await api.get(f"/desk/tickets/{NUMBER}")).text
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(&#39;owned&#39;)&lt;/script&gt;" in page
    assert (
        '<a href="https://status.example/x?a=1&amp;b=2" rel="nofollow noopener noreferrer">' in page
    )
    queue = (await api.get("/desk/?view=open")).text
    assert SCRIPT not in queue
    assert "Subject &lt;script&gt;" in queue


async def test_a_reply_against_an_outdated_page_is_stopped_and_the_new_message_shown(
    api: httpx.AsyncClient, db: Database, world_ticket: int, world: builders.World
) -> None:
    _, client_key = await builders.api_key(
        db, client_id=world.client_id, scopes=("read:support", "write:support")
    )
    csrf = await _signed_in(api)
    page = (await api.get(f"/desk/tickets/{NUMBER}")).text
    seen = field(page, "last_seen")
    # The client writes while the staff member is typing.
    client_reply = await api.post(
        f"/api/v2/support/tickets/{NUMBER}/messages",
        json={"message": "Actually it boots now, never mind!"},
        headers={"X-API-Key": client_key},
    )
    assert client_reply.status_code == 201, client_reply.text
    stopped = await _post(
        api, "reply", csrf, body="Let me reinstall the kernel for you.", last_seen=seen
    )
    assert stopped.status_code == 409
    assert "the client wrote a new message while you were writing" in stopped.text
    assert "Actually it boots now, never mind!" in stopped.text
    # The draft is kept in the form, and the form now carries the newest message.
    assert "Let me reinstall the kernel for you.</textarea>" in stopped.text
    newest = client_reply.json()["id"]
    assert field(stopped.text, "last_seen") == newest
    assert f'class="entry client newest" id="{newest}"' in stopped.text
    # Nothing was sent; sending again from the new page goes through.
    detail = await api.get(
        f"/api/v2/support/tickets/{NUMBER}", headers={"X-API-Key": world.client_key}
    )
    assert "reinstall the kernel" not in detail.text
    sent = await _post(
        api, "reply", csrf, body="Let me reinstall the kernel for you.", last_seen=newest
    )
    assert sent.status_code == 303


async def test_reply_with_a_file_and_a_status_then_assign_update_and_close(
    api: httpx.AsyncClient, db: Database, world_ticket: int, world: builders.World
) -> None:
    csrf = await _signed_in(api)
    page = (await api.get(f"/desk/tickets/{NUMBER}")).text
    sent = await api.post(
        f"/desk/tickets/{NUMBER}/reply",
        data={
            "csrf_token": csrf,
            "body": "Here is the log.",
            "status_after": "In-Progress",
            "last_seen": field(page, "last_seen"),
            "mode": "send",
        },
        files={"files": ("boot.log", b"kernel panic at 0xdeadbeef\n", "text/plain")},
    )
    assert sent.status_code == 303, sent.text
    page = (await api.get(f"/desk/tickets/{NUMBER}")).text
    assert "Here is the log." in page
    assert "boot.log" in page
    assert '<span class="status">In-Progress</span>' in page
    link = re.search(rf'href="(/desk/tickets/{NUMBER}/attachments/tatt_[^"]+)"', page)
    assert link is not None
    download = await api.get(link.group(1))
    assert download.status_code == 200
    assert download.content == b"kernel panic at 0xdeadbeef\n"

    assert (await _post(api, "assign", csrf, take="1")).status_code == 303
    assert (await _post(api, "assign", csrf, owner=str(world.owner_id))).status_code == 303
    updated = await _post(
        api, "update", csrf, status="On-Hold", priority="high", department="", tags="vps, boot"
    )
    assert updated.status_code == 303, updated.text
    assert (await _post(api, "close", csrf)).status_code == 303
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(Ticket.owner_id, Ticket.priority).where(Ticket.ticket_number == NUMBER)
            )
        ).one()
    assert tuple(row) == (world.owner_id, "high")
    page = (await api.get(f"/desk/tickets/{NUMBER}")).text
    assert '<span class="status">Closed</span>' in page
    assert "Reopen" in page
    # Every change came through the web door and is on the timeline.
    assert page.count("via web") >= 5


async def test_a_refused_action_shows_why_and_changes_nothing(
    api: httpx.AsyncClient, world_ticket: int
) -> None:
    csrf = await _signed_in(api)
    refused = await _post(api, "merge", csrf, into=str(NUMBER))
    assert refused.status_code == 409
    assert 'role="alert"' in refused.text
    assert f'value="{NUMBER}"' in refused.text  # what was typed is kept
    unknown = await api.get("/desk/tickets/999999")
    assert unknown.status_code == 404
    assert "Not Found" in unknown.text


async def test_merge_into_another_ticket_and_split_a_message_off(
    api: httpx.AsyncClient, db: Database, world_ticket: int, world: builders.World
) -> None:
    other = await builders.ticket(
        db, number=NUMBER + 1, dept_id=world.dept_id, client_id=world.client_id, subject="Also"
    )
    await builders.reply(db, other.id, body="A message worth its own ticket")
    csrf = await _signed_in(api)
    merged = await _post(api, "merge", csrf, into=str(NUMBER + 1))
    assert merged.status_code == 303
    assert merged.headers["location"] == f"/desk/tickets/{NUMBER + 1}?done=merged"
    page = (await api.get(merged.headers["location"])).text
    assert "Since the last reboot the console shows a kernel panic." in page
    message_id = re.search(r'<option value="(tmsg_[^"]+)"', page)
    assert message_id is not None
    split = await api.post(
        f"/desk/tickets/{NUMBER + 1}/split",
        data={"csrf_token": csrf, "message_id": message_id.group(1), "subject": "Split off"},
    )
    assert split.status_code == 303, split.text
    assert "?done=split" in split.headers["location"]
    assert "Split off" in (await api.get(split.headers["location"])).text


async def test_drafts_are_listed_apart_and_sent_from_the_page(
    api: httpx.AsyncClient, world_ticket: int, world: builders.World
) -> None:
    csrf = await _signed_in(api)
    saved = await _post(api, "reply", csrf, body="Draft: we are on it", mode="draft")
    assert saved.status_code == 303
    page = (await api.get(f"/desk/tickets/{NUMBER}")).text
    assert "Drafts and scheduled messages" in page
    assert "Draft: we are on it" in page
    client_view = await api.get(
        f"/api/v2/support/tickets/{NUMBER}", headers={"X-API-Key": world.client_key}
    )
    assert "Draft: we are on it" not in client_view.text
    draft_id = re.search(
        r'action="/desk/tickets/\d+/send">\s*<input[^>]*>\s*<input type="hidden" '
        r'name="message_id" value="([^"]+)"',
        page,
    )
    assert draft_id is not None
    assert (await _post(api, "send", csrf, message_id=draft_id.group(1))).status_code == 303
    client_view = await api.get(
        f"/api/v2/support/tickets/{NUMBER}", headers={"X-API-Key": world.client_key}
    )
    assert "Draft: we are on it" in client_view.text


async def _macro(db: Database) -> int:
    from supportdesk.admin.macros import create_macro
    from supportdesk.core.actor import VIA_CLI, Actor

    async with db.transaction() as session:
        made = await create_macro(
            session,
            Actor.system(VIA_CLI),
            {
                "name": "Reboot advice",
                "body": "Hello {{client.firstname}}, please reboot into rescue mode.",
                "changes": {"priority": "high", "addTags": ["rescue"]},
            },
        )
    return made.id


async def test_a_macro_is_previewed_without_changing_anything_then_applied(
    api: httpx.AsyncClient, db: Database, world_ticket: int, world: builders.World
) -> None:
    macro_id = await _macro(db)
    csrf = await _signed_in(api)
    # Without scripts: the whole page again, the preview in it.
    preview = await _post(api, "macro", csrf, macro_id=str(macro_id), preview="1")
    assert preview.status_code == 200
    assert "Preview (nothing changed yet)" in preview.text
    assert "Hello Ada, please reboot into rescue mode." in preview.text
    assert "priority: medium → high" in preview.text
    # With htmx: the preview alone, for its box.
    fragment = await _post(api, "macro", csrf, macro_id=str(macro_id), preview="1", fragment="1")
    assert fragment.text.lstrip().startswith('<section class="macro-preview"')
    unchanged = (await api.get(f"/desk/tickets/{NUMBER}")).text
    assert "please reboot into rescue mode" not in unchanged
    applied = await _post(api, "macro", csrf, macro_id=str(macro_id), preview="0")
    assert applied.status_code == 303
    page = (await api.get(applied.headers["location"])).text
    assert "Macro applied." in page
    assert "Hello Ada, please reboot into rescue mode." in page
    assert "priority high" in page
    assert 'value="rescue"' in page


async def test_a_scheduled_reply_waits_with_its_time_and_a_past_time_is_refused(
    api: httpx.AsyncClient, world_ticket: int, world: builders.World
) -> None:
    csrf = await _signed_in(api)
    later = (utcnow() + timedelta(days=2)).replace(second=0, microsecond=0)
    scheduled = await _post(
        api,
        "reply",
        csrf,
        body="Maintenance is done on Monday.",
        mode="schedule",
        send_at=later.strftime("%Y-%m-%dT%H:%M"),
    )
    assert scheduled.status_code == 303
    page = (await api.get(scheduled.headers["location"])).text
    assert "Reply scheduled." in page
    assert f"goes out {later:%Y-%m-%d %H:%M} UTC" in page
    past = await _post(
        api, "reply", csrf, body="Too late.", mode="schedule", send_at="2020-01-01T10:00"
    )
    assert past.status_code == 400
    assert "must be in the future" in past.text
    assert "Too late.</textarea>" in past.text
