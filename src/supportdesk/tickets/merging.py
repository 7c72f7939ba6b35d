"""Merging and splitting tickets (model.md rule 7, desk.md): nothing of either ticket is lost.

Merging B into A makes B's opening message a reply of A (B's author, date, body and files) and
moves B's replies, files and notes to A, where the conversation is ordered by time; B's tags,
subscribers and linked services are copied to A (B keeps its own, A gets each once). B is then
closed, its `parent_id` is A and `merged_at` is set; B's number still opens B, which takes no
more messages (409 `ticket_merged`, naming A). Both tickets are locked, lowest id first, so a
reply to either waits for the merge, or the merge for the reply: every reply lands in A.

Splitting takes one sent message off a ticket into a new ticket of the same client and
department: the message becomes the new ticket's opening message (its files with it) and leaves
the old ticket; the new ticket's `parent_id` points back. The opening message stays.
"""

from __future__ import annotations

from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, Forbidden, NotFound, TicketMerged
from supportdesk.core.ids import public_id
from supportdesk.departments import repository as departments_repository
from supportdesk.departments.models import CLOSED, OPEN
from supportdesk.tickets import repository, service
from supportdesk.tickets.models import (
    FLAG_HAS_NOTES,
    FLAG_INTERNAL,
    FLAG_SENSITIVE,
    REPLY_FLAG_SENSITIVE,
    SENT,
    TICKET_TYPES,
)
from supportdesk.tickets.numbers import access_hash
from supportdesk.tickets.records import TicketRecord
from supportdesk.tickets.repository import Changes, ReplyInsert, TicketInsert, TicketState
from supportdesk.tickets.repository import merges as rows
from supportdesk.tickets.repository import messages as message_rows
from supportdesk.tickets.repository.messages import CLIENT_SIDE


async def refuse_if_merged(session: DbSession, ticket_id: int) -> None:
    """A merged ticket takes no more messages: 409 naming the ticket it lives on in."""
    into = await rows.merged_into(session, ticket_id)
    if into is not None:
        raise TicketMerged(*into)


async def _target(session: DbSession, actor: Actor, ref: int | str | None) -> TicketState:
    found = None if ref is None else await repository.find_visible_state(session, actor, ref)
    if found is None:
        raise NotFound("No ticket to merge into has that id or number (intoTicketId).")
    return found


async def merge_ticket(
    session: DbSession,
    actor: Actor,
    ref: int | str,
    into: int | str | None,
    *,
    allow_different_clients: bool = False,
) -> TicketRecord:
    """Merge ticket `ref` (B) into ticket `into` (A); A as the actor sees it afterwards."""
    if not actor.is_staff:
        raise Forbidden("Merging tickets is staff's.")
    source = await service.visible_state(session, actor, ref)
    target = await _target(session, actor, into)
    if source.id == target.id:
        raise Conflict("A ticket cannot be merged into itself.")
    await rows.lock_in_order(session, [source.id, target.id])
    # Read again under the locks: a merge or a reply that came first is seen.
    source = await service.visible_state(session, actor, source.public_id)
    b, a = await rows.ticket_row(session, source.id), await rows.ticket_row(session, target.id)
    if b.merged_at is not None:
        raise Conflict("This ticket was merged already.")
    if a.merged_at is not None:
        raise Conflict("That ticket was merged into another: merge into that one instead.")
    if a.client_id != b.client_id and not allow_different_clients:
        raise Conflict(
            "The tickets belong to different clients: send allowDifferentClients to merge them."
        )
    now = utcnow()
    opening = await repository.insert_reply(
        session,
        ReplyInsert(
            public_id=public_id("tmsg"),
            ticket_id=a.id,
            replier_id=b.creator_id,
            name=b.name,
            email=b.email,
            body=b.body,
            status=SENT,
            type=b.type,
            flags=REPLY_FLAG_SENSITIVE if b.flags & FLAG_SENSITIVE else 0,
            senderip=b.senderip,
            created_at=b.created_at,
        ),
    )
    moved = await rows.move_conversation(session, b.id, a.id, opening)
    await rows.copy_links(session, b.id, a.id)
    latest = await message_rows.latest_sent_at(session, a.id)
    await rows.target_after_merge(
        session,
        a.id,
        last_reply_at=max(moment for moment in (latest, a.created_at) if moment is not None),
        flags=b.flags & FLAG_HAS_NOTES,
        now=now,
    )
    closed = await departments_repository.status_id(session, CLOSED)
    await rows.merge_marks(
        session, source_id=b.id, target_id=a.id, closed_status_id=closed, now=now
    )
    merged: Changes = {"mergedInto": {"from": None, "to": a.public_id}}
    if source.status != CLOSED:
        merged["status"] = {"from": source.status, "to": CLOSED}
    await service.record_change(session, actor, b.id, "merged", merged, now)
    merged_in: Changes = {
        "mergedFrom": {"from": None, "to": b.public_id},
        "messages": {"from": None, "to": moved + 1},
    }
    await service.record_change(session, actor, a.id, "merged_in", merged_in, now)
    return await service.shown(session, actor, a.public_id)


async def split_ticket(
    session: DbSession, actor: Actor, ref: int | str, message_id: str, subject: str
) -> TicketRecord:
    """A new ticket from one sent message of ticket `ref`; the new ticket as the actor sees it."""
    if not actor.is_staff:
        raise Forbidden("Splitting tickets is staff's.")
    ticket = await service.locked_state(session, actor, ref)
    await refuse_if_merged(session, ticket.id)
    if message_id == ticket.public_id:
        raise Conflict("The opening message stays with its ticket: split off a later message.")
    message = await rows.split_message(session, ticket.id, message_id)
    if message is None:
        raise NotFound("No message of this ticket has that id (messageId).")
    if message.status != SENT:
        raise Conflict("Only a sent message can be split off: send the draft first.")
    old = await rows.ticket_row(session, ticket.id)
    now = utcnow()
    from_client = message.type in CLIENT_SIDE
    new_id, number = await service.insert_numbered(
        session,
        TicketInsert(
            ticket_number=0,
            public_id=public_id("tkt"),
            acc_hash=access_hash(),
            dept_id=old.dept_id,
            org_dept_id=old.dept_id,
            brand_id=old.brand_id,
            client_id=old.client_id,
            creator_id=message.replier_id,
            status_id=await departments_repository.status_id(session, OPEN),
            name=message.name,
            email=message.email,
            cc="",
            subject=subject,
            body=message.body,
            critical_reason="",
            priority=old.priority,
            type=message.type if message.type in TICKET_TYPES else "Admin",
            senderip=message.senderip,
            admin_read=not from_client,
            client_read=from_client,
            created_at=message.created_at,
            last_reply_at=message.created_at,
            updated_at=now,
            start_date=message.created_at,
            resolve_date=None,
            flags=(old.flags & FLAG_INTERNAL)
            | (FLAG_SENSITIVE if message.flags & REPLY_FLAG_SENSITIVE else 0),
        ),
    )
    await rows.set_parent(session, new_id, ticket.id)
    await rows.move_message_out(session, message.id, new_id)
    latest = await message_rows.latest_sent_at(session, ticket.id)
    await rows.set_last_reply(session, ticket.id, latest or old.created_at, now)
    new_public_id = await _public_id(session, actor, number)
    split: Changes = {
        "message": {"from": message.public_id, "to": None},
        "splitInto": {"from": None, "to": new_public_id},
    }
    await service.record_change(session, actor, ticket.id, "split", split, now)
    department = await departments_repository.find_department(session, dept_id=old.dept_id)
    opened: Changes = {
        "status": {"from": None, "to": OPEN},
        "department": {"from": None, "to": department.slug if department else None},
        "subject": {"from": None, "to": subject},
        "splitFrom": {"from": None, "to": ticket.public_id},
    }
    if old.client_id is not None:
        opened["client"] = {"from": None, "to": old.client_id}
    await service.record_change(session, actor, new_id, "opened", opened, now)
    return await service.shown(session, actor, number)


async def _public_id(session: DbSession, actor: Actor, number: int) -> str:
    return (await service.visible_state(session, actor, number)).public_id
