"""The rules of tickets, whoever asks: open, read, list, reply, close, reopen, and history.

Every function takes the `Actor` who acts and returns what its callers render. Each change
writes its timeline event in the caller's transaction; reading marks the ticket read for the
reader's side, and only `read_ticket` reads in that sense (a command that answers with the
ticket it changed does not mark it read).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from supportdesk.accounts import repository as accounts
from supportdesk.accounts.repository import Contact
from supportdesk.core.actor import Actor
from supportdesk.core.clock import iso_millis, utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import (
    Conflict,
    Forbidden,
    InvalidField,
    RateLimited,
    ReopenNotAllowed,
    TicketClosed,
    TicketNotFound,
)
from supportdesk.core.ids import public_id
from supportdesk.departments import repository as departments_repository
from supportdesk.departments import service as departments
from supportdesk.departments.models import CLIENT_REPLY, CLOSED, OPEN
from supportdesk.hosting import repository as hosting
from supportdesk.jobs import events as jobs_events
from supportdesk.jobs.events import ChangeEvent
from supportdesk.tickets import conversation, merging, repository, versions
from supportdesk.tickets.models import (
    DRAFT,
    FLAG_NO_CLIENT_REOPEN,
    FLAG_REPLIES_LOCKED,
    REPLY_FLAG_SENSITIVE,
    SENT,
)
from supportdesk.tickets.numbers import access_hash, candidate, number_width
from supportdesk.tickets.records import NewMessage, NewTicket, Page, Posted, TicketRecord
from supportdesk.tickets.repository import (
    Changes,
    EventInsert,
    EventRecord,
    ListFilter,
    Position,
    ReplyInsert,
    TicketInsert,
    TicketState,
)
from supportdesk.tickets.repository import desk as desk_repository

CRITICAL_WINDOW = timedelta(hours=1)
_NUMBER_ATTEMPTS = 50


# --- reading ----------------------------------------------------------------------------------


async def read_ticket(session: DbSession, actor: Actor, ref: int | str) -> TicketRecord:
    """The ticket as the actor may see it; reading marks it read for the actor's side.

    The marker is written only when it changes. It does not move `lastupdate`: being read is
    not a change to the ticket, and it writes no event.
    """
    ticket = await _shown(session, actor, ref)
    if actor.is_staff and not ticket.admin_read:
        await repository.mark_read(session, ticket.id, "staff")
        ticket = replace(ticket, admin_read=True)
    elif actor.is_client and not ticket.client_read:
        await repository.mark_read(session, ticket.id, "client")
        ticket = replace(ticket, client_read=True)
    return ticket


async def list_tickets(
    session: DbSession,
    actor: Actor,
    where: ListFilter,
    *,
    after: Position | None = None,
    limit: int = 20,
) -> Page:
    """The actor's tickets in the filter's order (newest activity first), `limit` at a time.
    Staff's filters and sorts are for staff (the doors refuse them to a client's key first)."""
    if not actor.is_staff and where.staff_filters():
        raise Forbidden(f"Only staff filter by {', '.join(where.staff_filters())}.")
    found = await repository.list_visible_tickets(session, actor, where, after, limit + 1, utcnow())
    items = [ticket for ticket, _ in found[:limit]]
    if actor.is_staff:
        # The staff's part of the page (desk.md), in one more statement whatever its size.
        extra = await desk_repository.desk_summaries(session, [item.id for item in items])
        items = [replace(item, desk=extra.get(item.id)) for item in items]
    has_more = len(found) > limit
    position = found[limit - 1][1] if has_more else None
    return Page(items=items, has_more=has_more, next_position=position)


async def ticket_history(session: DbSession, actor: Actor, ref: int | str) -> list[EventRecord]:
    """Every change to the ticket, oldest first: the timeline is for staff and the system."""
    if not actor.is_staff:
        raise Forbidden("The timeline of a ticket is for staff.")
    ticket = await _state(session, actor, ref)
    return await repository.list_events(session, ticket.id)


# --- opening ----------------------------------------------------------------------------------


async def open_ticket(session: DbSession, actor: Actor, new: NewTicket) -> TicketRecord:
    """Open a ticket (model.md, lifecycle 1) and return it as the actor sees it."""
    if new.priority == "critical" and not new.critical_reason:
        raise InvalidField(
            "critical_reason", "required when priority is critical.", code="required"
        )
    now = utcnow()
    department = await departments.department_for_new_ticket(
        session, actor, dept_id=new.dept_id, slug=new.dept_slug
    )
    if department is None:
        raise InvalidField("department", "no department you can open tickets in has it.")
    client_id, requester = await _requester(session, actor, new)
    if new.priority == "critical" and client_id is not None:
        await _one_critical_an_hour(session, client_id, now)
    service_id = await _linked_service(session, client_id, new)
    row = TicketInsert(
        ticket_number=0,
        public_id=public_id("tkt"),
        acc_hash=access_hash(),
        dept_id=department.id,
        org_dept_id=department.id,
        brand_id=department.brand_id,
        client_id=client_id,
        creator_id=actor.id or 0,
        status_id=await departments_repository.status_id(session, OPEN),
        name=requester.name,
        email=requester.email,
        cc=",".join(new.cc),
        subject=new.subject,
        body=new.body,
        critical_reason=new.critical_reason,
        priority=new.priority,
        type="Client" if actor.is_client else "Admin",
        senderip=new.senderip,
        admin_read=False,
        client_read=True,
        created_at=now,
        last_reply_at=now,
        updated_at=now,
        start_date=now,
        resolve_date=now + timedelta(hours=department.resolve_within_hours)
        if department.resolve_within_hours
        else None,
    )
    ticket_id, number = await insert_numbered(session, row)
    if service_id is not None:
        await hosting.link(
            session,
            ticket_id=ticket_id,
            service_id=service_id,
            ai_summary=new.ai_summary,
            ai_helpful=new.ai_helpful,
            now=now,
        )
    await _claim(session, actor, new.upload_ids, ticket_id, None)
    changes: Changes = {
        "status": {"from": None, "to": OPEN},
        "department": {"from": None, "to": department.slug},
        "priority": {"from": None, "to": new.priority},
        "subject": {"from": None, "to": new.subject},
    }
    if client_id is not None:
        changes["client"] = {"from": None, "to": client_id}
    await record_change(session, actor, ticket_id, "opened", changes, now)
    return await _shown(session, actor, number)


async def insert_numbered(session: DbSession, row: TicketInsert) -> tuple[int, int]:
    """Insert a new ticket under a freshly drawn number: its (id, number)."""
    width = await number_width(session)
    for _ in range(_NUMBER_ATTEMPTS):
        number = candidate(width)
        ticket_id = await repository.insert_ticket(session, replace(row, ticket_number=number))
        if ticket_id is not None:
            return ticket_id, number
    raise RuntimeError("could not draw a free ticket number")  # pragma: no cover


async def _requester(
    session: DbSession, actor: Actor, new: NewTicket
) -> tuple[int | None, Contact]:
    """Whose ticket it is: the actor's own, or (for staff) a named client's or a guest's."""
    if actor.client_id is not None:
        return actor.client_id, await accounts.actor_contact(session, actor)
    if new.client_id is not None:
        contact = await accounts.client_contact(session, new.client_id)
        if contact is None:
            raise InvalidField("client", "no client has that id.")
        return new.client_id, contact
    if new.guest_name and new.guest_email:
        return None, Contact(new.guest_name, new.guest_email)
    raise InvalidField("client", "a staff key must name the client, or a guest (name and email).")


async def _one_critical_an_hour(session: DbSession, client_id: int, now: datetime) -> None:
    """At most one critical ticket per client per hour. The client's row is locked first, so
    that concurrent requests check and insert one after another."""
    await accounts.lock_client(session, client_id)
    oldest = await repository.oldest_recent_critical(session, client_id, now - CRITICAL_WINDOW)
    if oldest is not None:
        wait = int((oldest + CRITICAL_WINDOW - now).total_seconds()) + 1
        raise RateLimited(
            wait, "Only one critical ticket per hour: reply to your open critical ticket instead."
        )


async def _linked_service(session: DbSession, client_id: int | None, new: NewTicket) -> int | None:
    if new.service_id is None or new.service_type is None:
        return None
    found = (
        await hosting.find_client_service(
            session, client_id=client_id, service_type=new.service_type, service_id=new.service_id
        )
        if client_id is not None
        else None
    )
    if found is None:
        raise InvalidField("service", "not one of this client's services of that type.")
    return found


async def _claim(
    session: DbSession,
    actor: Actor,
    upload_ids: tuple[str, ...],
    ticket_id: int,
    reply_id: int | None,
) -> None:
    wanted = list(dict.fromkeys(upload_ids))
    if not wanted:
        return
    claimed = await repository.claim_uploads(
        session, actor, wanted, ticket_id=ticket_id, reply_id=reply_id
    )
    if claimed != len(wanted):
        raise InvalidField(
            "attachments", "an attachment id is unknown, not yours, or already attached."
        )


# --- the conversation -------------------------------------------------------------------------


async def post_message(
    session: DbSession,
    actor: Actor,
    ref: int | str,
    new: NewMessage,
    options: conversation.ReplyOptions | None = None,
) -> Posted:
    """Add a message (model.md, lifecycle 2 and 3): the other side has not read it yet.

    A staff message may carry the desk's `options` (desk.md): the status after it, a draft or
    a scheduled time (which change nothing the client sees), the collision guard."""
    ticket = await _locked_state(session, actor, ref)
    await merging.refuse_if_merged(session, ticket.id)
    conversation.refuse_client_options(actor, options)
    if actor.is_client:
        if ticket.status == CLOSED:
            raise TicketClosed()
        if ticket.flags & FLAG_REPLIES_LOCKED:
            raise Conflict("Replies to this ticket are locked.")
    now = utcnow()
    staff = (
        None
        if actor.is_client
        else await conversation.plan_staff_reply(
            session, ticket, options or conversation.ReplyOptions(), now
        )
    )
    author = await accounts.actor_contact(session, actor)
    message_id = public_id("tmsg")
    sent_now = staff is None or staff.state == SENT
    reply_id = await repository.insert_reply(
        session,
        ReplyInsert(
            public_id=message_id,
            ticket_id=ticket.id,
            replier_id=actor.id or 0,
            name=author.name,
            email=author.email,
            body=new.body,
            status=SENT if staff is None else staff.state,
            type=_reply_type(actor),
            flags=REPLY_FLAG_SENSITIVE if new.encrypted else 0,
            senderip=new.senderip,
            created_at=now,
            send_at=None if staff is None else staff.send_at,
            keep_if_client_replies=bool(options and options.keep_if_client_replies),
            notify=options.notify if options else True,
            status_after="" if staff is None or sent_now else staff.status_after,
        ),
    )
    await _claim(session, actor, new.upload_ids, ticket.id, reply_id)
    if staff is not None:
        if sent_now:
            await conversation.apply_sent_reply(
                session, actor, ticket, message_id, staff.status_after, now, author=author
            )
        else:
            kind = "drafted" if staff.state == DRAFT else "scheduled"
            changes: Changes = {"message": {"from": None, "to": message_id}}
            if staff.send_at is not None:
                changes["sendAt"] = {"from": None, "to": iso_millis(staff.send_at)}
            await record_change(session, actor, ticket.id, kind, changes, now, author)
        return await conversation.posted(session, actor, ticket, reply_id)
    await repository.update_ticket(
        session,
        ticket.id,
        status_id=await departments_repository.status_id(session, CLIENT_REPLY),
        last_reply_at=now,
        updated_at=now,
        admin_read=False,
    )
    changes = {"message": {"from": None, "to": message_id}}
    if ticket.status != CLIENT_REPLY:
        changes["status"] = {"from": ticket.status, "to": CLIENT_REPLY}
    await record_change(session, actor, ticket.id, "replied", changes, now, author)
    shown = await _shown(session, actor, ticket.ticket_number)
    message = next(reply for reply in shown.replies if reply.id == reply_id)
    return Posted(ticket=shown, message=message)


def _reply_type(actor: Actor) -> str:
    if actor.guest_ticket_id is not None:
        return "Unregistered"
    return {"client": "Client", "staff": "Admin", "system": "System"}[actor.type]


async def close_ticket(session: DbSession, actor: Actor, ref: int | str) -> TicketRecord:
    """Close (either side). Closing a closed ticket changes nothing."""
    ticket = await _locked_state(session, actor, ref)
    if ticket.status != CLOSED:
        await _set_status(session, actor, ticket, CLOSED, "closed")
    return await _shown(session, actor, ticket.ticket_number)


async def reopen_ticket(session: DbSession, actor: Actor, ref: int | str) -> TicketRecord:
    """Reopen a closed ticket; a client only where the department and the ticket allow it."""
    ticket = await _locked_state(session, actor, ref)
    if ticket.status == CLOSED:
        if actor.is_client and (
            not ticket.client_can_reopen or ticket.flags & FLAG_NO_CLIENT_REOPEN
        ):
            raise ReopenNotAllowed()
        await _set_status(session, actor, ticket, OPEN, "reopened")
    return await _shown(session, actor, ticket.ticket_number)


# --- the parts every command shares -----------------------------------------------------------


async def _shown(session: DbSession, actor: Actor, ref: int | str) -> TicketRecord:
    ticket = await repository.get_visible_ticket(session, actor, ref)
    if ticket is None:
        raise TicketNotFound()
    return ticket


async def _state(session: DbSession, actor: Actor, ref: int | str) -> TicketState:
    ticket = await repository.find_visible_state(session, actor, ref)
    if ticket is None:
        raise TicketNotFound()
    return ticket


async def _locked_state(session: DbSession, actor: Actor, ref: int | str) -> TicketState:
    """The ticket, locked for this transaction and read again: concurrent changes to it queue
    here, so each sees the state the previous one left and takes its time after it."""
    ticket = await _state(session, actor, ref)
    if await repository.lock(session, ticket.id):
        ticket = await _state(session, actor, ticket.public_id)
    return ticket


# The shared steps, for the desk's modules (conversation, merging).
shown = _shown
visible_state = _state
locked_state = _locked_state


async def _set_status(
    session: DbSession, actor: Actor, ticket: TicketState, status: str, kind: str
) -> None:
    now = utcnow()
    await repository.update_ticket(
        session,
        ticket.id,
        status_id=await departments_repository.status_id(session, status),
        updated_at=now,
    )
    changes: Changes = {"status": {"from": ticket.status, "to": status}}
    await record_change(session, actor, ticket.id, kind, changes, now)


async def record_change(
    session: DbSession,
    actor: Actor,
    ticket_id: int,
    kind: str,
    changes: Changes,
    at: datetime,
    contact: Contact | None = None,
) -> None:
    """Write a change's timeline event, in the same transaction as the change (every command
    here calls it; so does anything else that changes a ticket, the demo's import included)."""
    contact = contact or await accounts.actor_contact(session, actor)
    await versions.ticket_changed(session, ticket_id)
    await repository.insert_event(
        session,
        EventInsert(
            ticket_id=ticket_id,
            at=at,
            actor_type=actor.type,
            actor_id=actor.id,
            actor_name=contact.name,
            via=actor.via,
            kind=kind,
            changes=changes,
        ),
    )
    await jobs_events.on_event(session, ChangeEvent(ticket_id, kind, changes, at, actor))
