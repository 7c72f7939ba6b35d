"""Staff messages (desk.md): the status after a reply, drafts, scheduled messages, the collision
guard, editing and sending a message not yet sent, and the timeline route's pages.

`service.post_message` takes a staff message's `ReplyOptions` and asks `plan_staff_reply` what
the message is (sent now, a draft, scheduled) and what sending it does. A draft or a scheduled
message changes nothing the client sees: no status, `lastreply`, read marker or `lastupdate`
moves until it is sent (here, by `send_message`, or at `sendAt` by the automation).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from supportdesk.accounts import repository as accounts
from supportdesk.accounts.repository import Contact
from supportdesk.core.actor import VIA_AUTOMATION, Actor
from supportdesk.core.clock import iso_millis, utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, Forbidden, InvalidField, NotFound, StaleTicket
from supportdesk.departments import repository as departments_repository
from supportdesk.departments.models import ANSWERED
from supportdesk.tickets import merging, repository, service
from supportdesk.tickets.models import DRAFT, SCHEDULED, SENT
from supportdesk.tickets.records import Posted
from supportdesk.tickets.repository import Changes, EventRecord, TicketState
from supportdesk.tickets.repository import automatic as automatic_rows
from supportdesk.tickets.repository import messages as message_rows
from supportdesk.tickets.repository.messages import MessageRow

STATES = {SENT: "sent", DRAFT: "draft", SCHEDULED: "scheduled"}


@dataclass(frozen=True, slots=True)
class ReplyOptions:
    """What a staff member may say about a message besides its text (desk.md)."""

    # The status after the reply: a status name or a v2 status; None = Answered.
    status: str | None = None
    draft: bool = False
    send_at: datetime | None = None
    notify: bool = True
    keep_if_client_replies: bool = False
    # The newest message the author had seen (a `tmsg_` id, or the ticket's `tkt_` id for
    # its opening message): the collision guard.
    last_seen_message_id: str | None = None
    force: bool = False
    # The options the caller set, in the model's names: a client may set none of them.
    given: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StaffReply:
    """What a staff message is, once its options are checked."""

    state: str  # Sent, Draft or Scheduled
    status_after: str  # the status name sending it sets
    send_at: datetime | None


@dataclass(frozen=True, slots=True)
class MessageEdit:
    """`PATCH .../messages/{id}`: only the fields the caller set (`given`) change."""

    body: str | None = None
    send_at: datetime | None = None
    status: str | None = None
    notify: bool | None = None
    keep_if_client_replies: bool | None = None
    given: frozenset[str] = frozenset()


def refuse_client_options(actor: Actor, options: ReplyOptions | None) -> None:
    """The desk's message options are staff's: a client setting one is told which."""
    if actor.is_client and options is not None and options.given:
        raise InvalidField(options.given[0], "only a staff key may set this.", code="staff_only")


async def plan_staff_reply(
    session: DbSession, ticket: TicketState, options: ReplyOptions, now: datetime
) -> StaffReply:
    """Check a staff message's options against the ticket: the status it names, its time, and
    the collision guard (before anything is written)."""
    status_after = await _status_after(session, options.status)
    if options.draft and options.send_at is not None:
        raise InvalidField("send_at", "a draft has no send time: leave out draft to schedule.")
    if options.send_at is not None and options.send_at <= now:
        raise InvalidField("send_at", "must be in the future.", code="in_the_past")
    if options.last_seen_message_id is not None and not options.force:
        await check_collision(session, ticket, options.last_seen_message_id)
    if options.draft:
        return StaffReply(DRAFT, status_after, None)
    if options.send_at is not None:
        return StaffReply(SCHEDULED, status_after, options.send_at)
    return StaffReply(SENT, status_after, None)


async def _status_after(session: DbSession, value: str | None) -> str:
    if value is None:
        return ANSWERED
    found = await message_rows.status_named(session, value)
    if found is None:
        raise InvalidField("status_after", "no status has that name.", code="unknown_status")
    return found


async def check_collision(session: DbSession, ticket: TicketState, last_seen: str) -> None:
    """StaleTicket when the client wrote after the message `last_seen` (on this ticket)."""
    if last_seen == ticket.public_id:
        seen = (await message_rows.opened_at(session, ticket.id), 0)
    else:
        message = await message_rows.find_message(session, ticket.id, last_seen)
        if message is None:
            raise InvalidField("last_seen_message", "no message of this ticket has that id.")
        seen = (message.created_at, message.id)
    newest = await message_rows.newest_client_message(session, ticket.id)
    if newest is not None and (newest.created_at, newest.id) > seen:
        raise StaleTicket(newest.public_id, iso_millis(newest.created_at))


async def apply_sent_reply(
    session: DbSession,
    actor: Actor,
    ticket: TicketState,
    message_id: str,
    status_after: str,
    now: datetime,
    changed: Changes | None = None,
    author: Contact | None = None,
) -> None:
    """What a staff message does to its ticket once it is sent (model.md, lifecycle 2)."""
    await repository.update_ticket(
        session,
        ticket.id,
        status_id=await departments_repository.status_id(session, status_after),
        last_reply_at=now,
        updated_at=now,
        client_read=False,
    )
    changes: Changes = {"message": {"from": None, "to": message_id}, **(changed or {})}
    if status_after != ticket.status:
        changes["status"] = {"from": ticket.status, "to": status_after}
    await service.record_change(session, actor, ticket.id, "replied", changes, now, author)


# --- a message not yet sent -------------------------------------------------------------------


async def _unsent_message(
    session: DbSession, actor: Actor, ref: int | str, message_id: str
) -> tuple[TicketState, MessageRow]:
    if not actor.is_staff:
        raise Forbidden("Drafts and scheduled messages are staff's.")
    ticket = await service.locked_state(session, actor, ref)
    await merging.refuse_if_merged(session, ticket.id)
    message = await message_rows.find_message(session, ticket.id, message_id)
    if message is None:
        raise NotFound("No message with that id is on this ticket.")
    if message.status == SENT:
        raise Conflict("The message was sent already: a sent message is not edited here.")
    return ticket, message


async def edit_message(
    session: DbSession, actor: Actor, ref: int | str, message_id: str, edit: MessageEdit
) -> Posted:
    """Change a draft or a scheduled message; `send_at` null makes a scheduled one a draft."""
    ticket, message = await _unsent_message(session, actor, ref, message_id)
    now = utcnow()
    values: dict[str, object] = {}
    changes: Changes = {}
    if "body" in edit.given and edit.body is not None:
        values["body"] = edit.body
        changes["body"] = {"from": None, "to": "edited"}
    if "send_at" in edit.given:
        if edit.send_at is not None and edit.send_at <= now:
            raise InvalidField("send_at", "must be in the future.", code="in_the_past")
        state = DRAFT if edit.send_at is None else SCHEDULED
        values.update(send_at=edit.send_at, status=state)
        changes["sendAt"] = {
            "from": iso_millis(message.send_at) if message.send_at else None,
            "to": iso_millis(edit.send_at) if edit.send_at else None,
        }
        if state != message.status:
            changes["state"] = {"from": STATES[message.status], "to": STATES[state]}
    if "status_after" in edit.given:
        status_after = await _status_after(session, edit.status)
        values["status_after"] = status_after
        changes["statusAfter"] = {"from": message.status_after or ANSWERED, "to": status_after}
    for name, field in (("notify", "notify"), ("keep_if_client_replies", "keepIfClientReplies")):
        wanted = getattr(edit, name)
        if name in edit.given and wanted is not None and wanted != getattr(message, name):
            values[name] = wanted
            changes[field] = {"from": getattr(message, name), "to": wanted}
    if values:
        values.update(edited_at=now, edited_by=(await accounts.actor_contact(session, actor)).name)
        await message_rows.update_message(session, message.id, **values)
        changes["message"] = {"from": message.public_id, "to": message.public_id}
        await service.record_change(session, actor, ticket.id, "message_edited", changes, now)
    return await posted(session, actor, ticket, message.id)


async def send_message(session: DbSession, actor: Actor, ref: int | str, message_id: str) -> Posted:
    """Send a draft or a scheduled message now: it is dated now, and the ticket changes as for
    any staff reply (the status it names, `client_read` 0, `lastreply`)."""
    ticket, message = await _unsent_message(session, actor, ref, message_id)
    await deliver(session, actor, ticket, message, utcnow())
    return await posted(session, actor, ticket, message.id)


async def deliver(
    session: DbSession, actor: Actor, ticket: TicketState, message: MessageRow, now: datetime
) -> None:
    """Send a draft or a scheduled message (by staff now, or by the automation at `sendAt`):
    it is dated `now` and the ticket changes as for any staff reply."""
    await message_rows.update_message(
        session, message.id, status=SENT, created_at=now, send_at=None
    )
    sent: Changes = {"state": {"from": STATES[message.status], "to": "sent"}}
    status_after = message.status_after or ANSWERED
    await apply_sent_reply(session, actor, ticket, message.public_id, status_after, now, sent)


async def unschedule_for_client_reply(session: DbSession, ticket_id: int, now: datetime) -> None:
    """A client reply cancels the ticket's scheduled messages not yet due (automation.md),
    unless created with `keepIfClientReplies`: each becomes a draft again (staff's text is
    kept, to be sent or rescheduled by hand), and the timeline says so, by the system."""
    system = Actor.system(VIA_AUTOMATION)
    for public_id, send_at in await automatic_rows.unschedule_for_client_reply(
        session, ticket_id, now
    ):
        changes: Changes = {
            "message": {"from": public_id, "to": public_id},
            "state": {"from": STATES[SCHEDULED], "to": STATES[DRAFT]},
            "sendAt": {"from": iso_millis(send_at), "to": None},
        }
        await service.record_change(session, system, ticket_id, "message_edited", changes, now)


async def posted(session: DbSession, actor: Actor, ticket: TicketState, reply_id: int) -> Posted:
    """The ticket as the actor sees it, and the message `reply_id` in it."""
    shown = await service.shown(session, actor, ticket.ticket_number)
    message = next(reply for reply in shown.replies if reply.id == reply_id)
    row = await message_rows.find_message(session, ticket.id, message.public_id)
    return Posted(ticket=shown, message=message, send_at=row.send_at if row else None)


# --- the timeline -----------------------------------------------------------------------------


async def timeline_page(
    session: DbSession, actor: Actor, ref: int | str, *, after_id: int, limit: int
) -> tuple[list[EventRecord], bool]:
    """A page of the ticket's events, oldest first, after event `after_id`; and whether more
    follow. The timeline is staff's."""
    if not actor.is_staff:
        raise Forbidden("The timeline of a ticket is for staff.")
    ticket = await service.visible_state(session, actor, ref)
    found = await repository.list_events(session, ticket.id, after_id=after_id, limit=limit + 1)
    return found[:limit], len(found) > limit
