"""Macros: a canned reply with `{{...}}` fields, plus changes in the PATCH's shape.

The fields a body may use are `FIELDS`; any other `{{...}}` is left as written (an admin sees
the typo in the preview). Applying posts the reply as a staff message (`service.post_message`)
and then the changes (`desk.edit_ticket`), in the caller's one transaction; a preview plans the
same against the ticket as it stands and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidField
from supportdesk.tickets import desk, service
from supportdesk.tickets.records import NewMessage, ReplyRecord, TicketEdit, TicketRecord
from supportdesk.tickets.repository import Changes
from supportdesk.tickets.repository import desk as desk_repository
from supportdesk.tickets.repository.desk import MacroRecord

FIELDS = (
    "client.firstname",
    "client.lastname",
    "client.name",
    "client.email",
    "ticket.number",
    "ticket.id",
    "ticket.subject",
    "ticket.status",
    "ticket.department",
    "staff.firstname",
    "staff.lastname",
    "staff.name",
    "staff.signature",
)
_FIELD = re.compile(r"\{\{\s*([a-z]+\.[a-z]+)\s*\}\}")
# Reads a macro's stored `changes` (JSON text) as the door reads a PATCH body.
ChangesReader = Callable[[str], TicketEdit]


@dataclass(frozen=True, slots=True)
class MacroOutcome:
    ticket: TicketRecord
    reply: str
    changes: Changes
    message: ReplyRecord | None
    preview: bool


async def list_macros(session: DbSession, actor: Actor) -> list[MacroRecord]:
    """The active macros, by name."""
    desk.require_desk(actor)
    return await desk_repository.active_macros(session)


async def apply_macro(
    session: DbSession,
    actor: Actor,
    ref: int | str,
    macro_id: int,
    read_changes: ChangesReader,
    *,
    preview: bool,
) -> MacroOutcome:
    """Apply a macro to a ticket, or (`preview`) say what it would do."""
    desk.require_desk(actor)
    macro = await desk_repository.find_active_macro(session, macro_id)
    if macro is None:
        raise InvalidField("macro", "no active macro has that id.", code="unknown")
    edit = read_changes(macro.changes)
    if preview:
        ticket = await desk.shown(session, actor, ref)
    else:
        state = await desk.locked_state(session, actor, ref)
        ticket = await desk.shown(session, actor, state.public_id)
    reply = await render_body(session, actor, macro.body, ticket)
    if preview:
        plan = await desk.plan_edit(session, ticket, edit)
        return MacroOutcome(ticket, reply, plan.changes, None, preview=True)
    message = None
    if reply.strip():
        posted = await service.post_message(
            session, actor, ticket.public_id, NewMessage(body=reply)
        )
        message = posted.message
    after_reply = await desk.shown(session, actor, ticket.public_id)
    plan = await desk.plan_edit(session, after_reply, edit)
    if plan.changes:
        await desk.apply_plan(session, actor, ticket.id, plan, "macro_applied")
    shown = await desk.shown(session, actor, ticket.public_id)
    return MacroOutcome(shown, reply, plan.changes, message, preview=False)


async def render_body(session: DbSession, actor: Actor, body: str, ticket: TicketRecord) -> str:
    """The body with its known `{{fields}}` filled in for this ticket and staff member."""
    if "{{" not in body:
        return body
    if ticket.client_id is not None:
        first, last, email = await desk_repository.client_names(session, ticket.client_id)
    else:  # a guest: the name the ticket was opened with
        first, _, last = ticket.name.partition(" ")
        email = ticket.email
    staff_first, staff_last, signature = (
        await desk_repository.staff_signature(session, actor.staff_id)
        if actor.staff_id is not None
        else ("", "", "")
    )
    values = {
        "client.firstname": first,
        "client.lastname": last,
        "client.name": f"{first} {last}".strip(),
        "client.email": email,
        "ticket.number": str(ticket.ticket_number),
        "ticket.id": ticket.public_id,
        "ticket.subject": ticket.subject,
        "ticket.status": ticket.status,
        "ticket.department": ticket.dept_name,
        "staff.firstname": staff_first,
        "staff.lastname": staff_last,
        "staff.name": f"{staff_first} {staff_last}".strip(),
        "staff.signature": signature,
    }
    return _FIELD.sub(lambda found: values.get(found.group(1), found.group(0)), body)
