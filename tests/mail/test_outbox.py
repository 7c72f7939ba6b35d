"""What enters the outbox, in the change's transaction, and how the operator reads it: kept
without an SMTP server, listed by `supportdesk mail outbox`; templates a company replaces."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import orjson
from sqlalchemy import select

from supportdesk.core.actor import VIA_AUTOMATION, Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import Database
from supportdesk.core.errors import InvalidField
from supportdesk.mail.compose import addresses, mailable
from supportdesk.models import Staff
from supportdesk.tickets import desk, merging, service
from supportdesk.tickets.conversation import ReplyOptions
from supportdesk.tickets.records import NewMessage, TicketEdit
from tests import builders
from tests.conftest import Run
from tests.mail.conftest import (
    PUBLIC_URL,
    mail_count,
    one_mail,
    open_ticket,
    outbox,
    run_sender,
    staff_actor,
    templates_dir,
    ticket_life,
)
from tests.mail.peer import HOST, Inbox, smtp_server


async def test_without_an_smtp_url_mails_are_kept_and_listed(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings], run: Run
) -> None:
    life = await ticket_life(db)
    assert await run_sender(db, settings_for()) == 0
    mails = await outbox(db)
    assert {mail.status for mail in mails} == {"pending"}
    assert len(mails) == 6

    listed = run("mail", "outbox", "--json")
    assert listed.exit_code == 0, listed.output
    shown = orjson.loads(listed.stdout)
    assert [item["id"] for item in shown] == [mail.id for mail in reversed(mails)]
    assert {item["status"] for item in shown} == {"kept"}
    assert all(f"[#{life.number}]" in item["subject"] for item in shown)

    table = run("mail", "outbox")
    assert table.exit_code == 0, table.output
    assert "kept" in table.stdout
    assert "not sent" in table.stdout
    assert shown[-1]["to"] == "Ada Lovelace <ada@example.com>"

    closing = mails[-1]
    detail = run("mail", "show", str(closing.id))
    assert detail.exit_code == 0, detail.output
    assert closing.message_id in detail.stdout
    assert f"{PUBLIC_URL}/portal/tickets/{life.number}?hash={life.acc_hash}" in detail.stdout

    assert orjson.loads(run("mail", "outbox", "--failed", "--json").stdout) == []
    missing = run("mail", "show", "999999")
    assert missing.exit_code == 1
    assert "no mail with id 999999" in missing.stderr


async def test_failed_mails_are_listed_with_their_error(
    db: Database, mail_env: Callable[..., None], settings_for: Callable[..., Settings], run: Run
) -> None:
    await ticket_life(db)
    with smtp_server(Inbox(refusals=["554 5.7.1 rejected"])) as port:
        settings = settings_for(smtp_url=f"smtp://{HOST}:{port}")
        assert await run_sender(db, settings) == 5
    failed = orjson.loads(run("mail", "outbox", "--failed", "--json").stdout)
    assert [(item["status"], item["lastError"]) for item in failed] == [
        ("failed", "554 5.7.1 rejected")
    ]
    table = run("mail", "outbox", "--failed")
    assert table.exit_code == 0
    assert "554 5.7.1" in table.stdout
    assert "failed" in table.stdout


async def test_a_refused_change_leaves_no_mail(db: Database, mail_env: Callable[..., None]) -> None:
    world = await builders.world(db)
    _, number, _ = await open_ticket(db, world)
    before = await mail_count(db)
    try:
        async with db.transaction() as session:
            await service.post_message(
                session,
                staff_actor(world.staff_id),
                number,
                NewMessage("Answer"),
                ReplyOptions(status="No such status"),
            )
    except InvalidField:
        pass
    assert await mail_count(db) == before


async def test_what_mails_nobody(db: Database, mail_env: Callable[..., None]) -> None:
    """A reply that says notify false, a scheduled reply not yet sent, a client closing their
    own ticket, staff taking a ticket themselves, an internal ticket's client side."""
    world = await builders.world(db)
    _, number, _ = await open_ticket(db, world)
    staff = staff_actor(world.staff_id)
    client = Actor.client(world.client_id, "api_v2")
    start = await mail_count(db)
    async with db.transaction() as session:
        await service.post_message(
            session, staff, number, NewMessage("quiet"), ReplyOptions(notify=False)
        )
        later = utcnow() + timedelta(hours=1)
        await service.post_message(
            session, staff, number, NewMessage("later"), ReplyOptions(send_at=later)
        )
        await desk.edit_ticket(
            session,
            staff,
            number,
            TicketEdit(given=frozenset({"owner_id"}), owner_id=world.staff_id),
        )
        await service.close_ticket(session, client, number)
    assert await mail_count(db) == start
    async with db.transaction() as session:
        await service.reopen_ticket(session, client, number)
        await desk.edit_ticket(
            session, staff, number, TicketEdit(given=frozenset({"internal"}), internal=True)
        )
        await service.post_message(session, staff, number, NewMessage("internal answer"))
        await service.close_ticket(session, staff, number)
    assert await mail_count(db) == start


async def test_a_split_off_ticket_mails_nobody(db: Database, mail_env: Callable[..., None]) -> None:
    world = await builders.world(db)
    _, number, _ = await open_ticket(db, world)
    client = Actor.client(world.client_id, "api_v2")
    async with db.transaction() as session:
        posted = await service.post_message(session, client, number, NewMessage("Also: DNS?"))
    start = await mail_count(db)
    async with db.transaction() as session:
        await merging.split_ticket(
            session, staff_actor(world.staff_id), number, posted.message.public_id, "DNS"
        )
    assert await mail_count(db) == start


async def test_an_sla_breach_tells_the_owner_subscribers_and_the_department(
    db: Database, mail_env: Callable[..., None]
) -> None:
    world = await builders.world(db)
    ticket_id, number, _ = await open_ticket(db, world)
    staff = staff_actor(world.staff_id)
    async with db.transaction() as session:
        await desk.edit_ticket(
            session,
            staff,
            number,
            TicketEdit(
                given=frozenset({"owner_id", "subscribers"}),
                owner_id=world.owner_id,
                subscribers=(world.staff_id,),
            ),
        )
    start = await mail_count(db)
    async with db.transaction() as session:
        await service.record_change(
            session,
            Actor.system(VIA_AUTOMATION),
            ticket_id,
            "sla_breached",
            {
                "escalated": {"from": 0, "to": 2},
                "slaPolicy": {"from": None, "to": 1},
                "owner": {"from": None, "to": world.owner_id},  # a breach that assigns
                "sla": {"from": None, "to": {"name": "First answer", "trigger": "first_response"}},
            },
            utcnow(),
        )
    breach = (await outbox(db))[start:]
    assert [mail.kind for mail in breach] == ["staff_sla_breached"]
    async with db.transaction() as session:
        staff_email = (
            await session.execute(select(Staff.email).where(Staff.id == world.staff_id))
        ).scalar_one()
    assert breach[0].recipients == [
        "john.doe@hostup.example",
        staff_email,
        "support@hostup.example",
    ]
    assert 'SLA "First answer" (first response) and is escalated to level 2' in breach[0].text_body


async def test_a_sensitive_message_is_not_copied_into_mail(
    db: Database, mail_env: Callable[..., None]
) -> None:
    world = await builders.world(db)
    _, number, _ = await open_ticket(db, world)
    client = Actor.client(world.client_id, "api_v2")
    async with db.transaction() as session:
        await service.post_message(
            session, client, number, NewMessage("my password is hunter2", encrypted=True)
        )
    notice = (await outbox(db))[-1]
    assert notice.kind == "staff_reply"
    assert "hunter2" not in notice.text_body
    assert "hunter2" not in notice.html_body
    assert "sensitive" in notice.text_body


async def test_a_company_replaces_templates_without_touching_code(
    db: Database, mail_env: Callable[..., None], tmp_path: Path
) -> None:
    directory = templates_dir(tmp_path)
    (directory / "layout.txt").write_text(
        "Dear {{ recipient_name }},\n\n{% block content %}{% endblock %}\n\n"
        "{% block link %}{% endblock %}\n\nWarm regards,\nThe {{ company_name }} crew\n"
    )
    (directory / "client_opened.txt").write_text(
        '{% extends "layout.txt" %}'
        "{% set subject %}We got it: {{ ticket.subject }}{% endset %}"
        "{% block content %}Ticket {{ ticket.number }} is with us.{% endblock %}"
        "{% block link %}{{ link }}{% endblock %}"
    )
    mail_env(MAIL_TEMPLATES=str(directory), COMPANY_NAME="Acme Hosting")
    world = await builders.world(db)
    _, number, acc_hash = await open_ticket(db, world, subject="Disk full")
    confirmation, staff_notice = await outbox(db)
    # The subject keeps the ticket's tag even when a template leaves it out.
    assert confirmation.subject == f"[#{number}] We got it: Disk full"
    assert confirmation.text_body.startswith("Dear Ada Lovelace,")
    assert "The Acme Hosting crew" in confirmation.text_body
    assert f"?hash={acc_hash}" in confirmation.text_body
    assert "Acme Hosting" in confirmation.html_body  # the packaged HTML, the company's name
    assert "Warm regards" in staff_notice.text_body  # the shared layout replaced for all
    assert (await one_mail(db, confirmation.id)).headers[
        "From"
    ] == "HostUp Support <help@hostup.example>"


async def test_staff_closing_through_the_desk_tells_the_client(
    db: Database, mail_env: Callable[..., None]
) -> None:
    world = await builders.world(db)
    _, number, _ = await open_ticket(db, world)
    start = await mail_count(db)
    async with db.transaction() as session:
        await desk.edit_ticket(
            session,
            staff_actor(world.staff_id),
            number,
            TicketEdit(given=frozenset({"status"}), status="closed"),
        )
    closing = (await outbox(db))[start:]
    assert [mail.kind for mail in closing] == ["client_closed"]
    assert "was closed." in closing[0].text_body
    assert "automatically" not in closing[0].text_body


def test_an_address_no_ascii_header_can_carry_is_left_out_of_the_mail() -> None:
    """The model accepts internationalised addresses; the mail leaves them out (an SMTPUTF8
    path is not assumed) rather than failing the change that would have mailed them. The
    change itself is tested in tests/api/test_inputs.py (a guest's e-mail at its limit)."""
    assert addresses("a@example.se, åsa@example.se, Bob <b@example.com>, nobody") == [
        "a@example.se",
        "b@example.com",
    ]
    assert not mailable("°" * 10 + "@example.se")
    assert mailable("ada@example.com")
