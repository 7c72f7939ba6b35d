"""A ticket's whole life delivered to a real SMTP server (aiosmtpd) and read back with the
stdlib's e-mail parser: who gets what, threading, the access link, both parts, and what a
client's mail never carries (notes, drafts, the bcc address, staff addresses)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.mail import repository
from supportdesk.tickets import service
from supportdesk.tickets.records import NewTicket
from tests import builders
from tests.mail.conftest import (
    BCC,
    CC,
    COMPANY,
    DRAFT_CANARY,
    NOTE_CANARY,
    PUBLIC_URL,
    outbox,
    run_sender,
    smtp_settings,
    staff_actor,
    ticket_life,
)
from tests.mail.peer import HOST, Inbox, Received, smtp_server

CLIENT = "ada@example.com"
DEPARTMENT = "support@hostup.example"
OWNER = "john.doe@hostup.example"


def _by_kind(received: list[Received], kinds: list[str]) -> dict[str, Received]:
    assert len(received) == len(kinds)
    return dict(zip(kinds, received, strict=True))


async def test_a_tickets_life_arrives_threaded_to_the_right_people(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    life = await ticket_life(db)
    queued = await outbox(db)
    kinds = [mail.kind for mail in queued]
    assert kinds == [
        "client_opened",
        "staff_opened",
        "staff_assigned",
        "client_reply",
        "staff_reply",
        "client_closed",
    ]
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = smtp_settings(settings_for, f"smtp://{HOST}:{port}")
        assert await run_sender(db, settings) == 6
        assert await run_sender(db, settings) == 0  # each mail once
    mails = _by_kind(inbox.received, kinds)
    root = f"<ticket-{life.number}@hostup.example>"
    link = f"{PUBLIC_URL}/portal/tickets/{life.number}?hash={life.acc_hash}"
    stored = {mail.kind: mail for mail in queued}

    for kind, got in mails.items():
        message = got.message
        assert got.mail_from == "help@hostup.example"
        assert f"[#{life.number}]" in message["Subject"]
        assert message["Message-ID"] == stored[kind].message_id
        assert message["In-Reply-To"] == root
        assert message["References"] == root
        assert message.get_content_type() == "multipart/alternative"
        assert got.part("plain")
        assert got.part("html")
        assert COMPANY in got.part("plain")
        for canary in (NOTE_CANARY, DRAFT_CANARY):
            assert canary.encode() not in got.raw, kind
    assert len({got.message["Message-ID"] for got in mails.values()}) == 6

    for kind in ("client_opened", "client_reply", "client_closed"):
        got = mails[kind]
        # The bcc was set after the ticket was opened: blind copies from then on.
        blind = [] if kind == "client_opened" else [BCC]
        assert sorted(got.rcpt_tos) == sorted([CLIENT, CC, *blind]), kind
        assert CLIENT in got.message["To"]
        assert got.message["Cc"] == CC
        assert got.message["Bcc"] is None
        assert BCC.encode() not in got.raw, kind
        for address in life.staff_emails:
            assert address.encode() not in got.raw, (kind, address)
        assert link in got.part("plain"), kind
        assert f'href="{link}"' in got.part("html"), kind
        # What the client wrote is text in the HTML part, never markup.
        assert "<b>broken</b>" not in got.part("html")
        assert "Login &lt;b&gt;broken&lt;/b&gt; &amp; slow" in got.part("html")
    assert "Please clear your cookies." in mails["client_reply"].part("plain")
    assert "John Doe" not in mails["client_reply"].part("plain")  # Grace answered, not the owner
    assert mails["client_reply"].message["Auto-Submitted"] is None
    assert mails["client_closed"].message["Auto-Submitted"] == "auto-generated"

    # Staff: the department while unassigned, then the owner; never a client's access link.
    assert mails["staff_opened"].rcpt_tos == [DEPARTMENT]
    assert mails["staff_assigned"].rcpt_tos == [OWNER]
    assert mails["staff_reply"].rcpt_tos == [OWNER]
    assert "That fixed it, thanks!" in mails["staff_reply"].part("plain")
    for kind in ("staff_opened", "staff_assigned", "staff_reply"):
        assert life.acc_hash.encode() not in mails[kind].raw
        assert f"{PUBLIC_URL}/desk/tickets/{life.number}" in mails[kind].part("plain")


async def test_a_refused_send_is_retried_later_with_the_same_message_id(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    await ticket_life(db)
    first = (await outbox(db))[0]
    inbox = Inbox(refusals=["451 4.3.0 Try again later"])
    with smtp_server(inbox) as port:
        settings = smtp_settings(
            settings_for, f"smtp://{HOST}:{port}", mail_retry_seconds=30, mail_max_attempts=3
        )
        assert await run_sender(db, settings) == 5  # all but the refused one
        refused = next(mail for mail in await outbox(db) if mail.id == first.id)
        assert (refused.status, refused.attempts) == ("pending", 1)
        assert refused.last_error.startswith("451")
        assert refused.next_attempt_at > refused.created_at
        # Not due before its backoff; due after it.
        assert await run_sender(db, settings) == 0
        later = refused.next_attempt_at
        assert await run_sender(db, settings, now=later) == 1
    assert [got.message["Message-ID"] for got in inbox.received].count(first.message_id) == 1
    again = next(mail for mail in await outbox(db) if mail.id == first.id)
    assert (again.status, again.attempts, again.last_error) == ("sent", 2, "")
    assert again.sent_at is not None


async def test_a_mail_the_server_keeps_refusing_fails_after_the_last_attempt(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    await ticket_life(db)
    inbox = Inbox(refusals=["451 4.3.0 busy"] * 12)
    with smtp_server(inbox) as port:
        settings = smtp_settings(
            settings_for, f"smtp://{HOST}:{port}", mail_retry_seconds=1, mail_max_attempts=2
        )
        assert await run_sender(db, settings) == 0
        mails = await outbox(db)
        assert {(m.status, m.attempts) for m in mails} == {("pending", 1)}
        later = max(m.next_attempt_at for m in mails)
        assert await run_sender(db, settings, now=later) == 0
    assert {(m.status, m.attempts) for m in await outbox(db)} == {("failed", 2)}
    assert inbox.received == []


async def test_a_permanent_refusal_fails_at_once(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    await ticket_life(db)
    inbox = Inbox(refusals=["550 5.1.1 no such mailbox"])
    with smtp_server(inbox) as port:
        settings = smtp_settings(settings_for, f"smtp://{HOST}:{port}")
        assert await run_sender(db, settings) == 5
    first = (await outbox(db))[0]
    assert (first.status, first.attempts) == ("failed", 1)
    assert first.last_error.startswith("550")


async def test_an_unreachable_server_keeps_the_mails_for_later(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    await ticket_life(db)
    with smtp_server(Inbox()) as port:
        pass  # the port is now closed
    settings = smtp_settings(settings_for, f"smtp://{HOST}:{port}")
    assert await run_sender(db, settings) == 0
    mails = await outbox(db)
    assert {(m.status, m.attempts) for m in mails} == {("pending", 1)}
    assert all(m.last_error for m in mails)


async def test_two_senders_at_once_send_each_mail_once(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    await ticket_life(db)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = smtp_settings(settings_for, f"smtp://{HOST}:{port}")
        sent = await asyncio.gather(
            run_sender(db, settings, worker="a"), run_sender(db, settings, worker="b")
        )
    assert sum(sent) == 6
    ids = [got.message["Message-ID"] for got in inbox.received]
    assert sorted(ids) == sorted(mail.message_id for mail in await outbox(db))


async def test_a_crashed_senders_lease_runs_out_and_the_mail_goes_with_its_id(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    await ticket_life(db)
    now = utcnow()
    async with db.transaction() as session:
        taken = await repository.claim_due(
            session, worker="crashed", now=now, hold=timedelta(minutes=10), limit=50
        )
    assert len(taken) == 6
    inbox = Inbox()
    with smtp_server(inbox) as port:
        settings = smtp_settings(settings_for, f"smtp://{HOST}:{port}")
        assert await run_sender(db, settings, now=now, worker="b") == 0  # leased
        later = now + timedelta(minutes=11)
        assert await run_sender(db, settings, now=later, worker="b") == 6
    assert sorted(got.message["Message-ID"] for got in inbox.received) == sorted(
        mail.message_id for mail in taken
    )
    # The crashed sender, back, cannot record over the lease it lost.
    async with db.transaction() as session:
        assert await repository.mark_sent(session, [taken[0].id], worker="crashed", now=later) == []
    assert {(m.status, m.attempts) for m in await outbox(db)} == {("sent", 2)}


async def test_a_line_break_in_a_name_or_subject_adds_no_header(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings]
) -> None:
    world = await builders.world(db)
    async with db.transaction() as session:
        await service.open_ticket(
            session,
            staff_actor(world.staff_id),
            NewTicket(
                subject="Help\r\nBcc: evil@example.net",
                body="Hi",
                priority="low",
                dept_id=world.dept_id,
                guest_name="Eve\r\nBcc: evil@example.net",
                guest_email="eve@example.com",
            ),
        )
    inbox = Inbox()
    with smtp_server(inbox) as port:
        assert await run_sender(db, smtp_settings(settings_for, f"smtp://{HOST}:{port}")) == 2
    for got in inbox.received:
        assert got.message["Bcc"] is None
        assert "evil@example.net" not in got.rcpt_tos
        head = got.raw.split(b"\r\n\r\n", 1)[0]
        assert b"\r\nBcc:" not in head
    confirmation = inbox.received[0]
    assert confirmation.rcpt_tos == ["eve@example.com"]
    assert "\n" not in confirmation.message["Subject"]
