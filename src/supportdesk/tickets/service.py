"""The rules of tickets: who sees what, and what reading one changes."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from supportdesk.auth.principal import Principal
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import (
    Conflict,
    RateLimited,
    ReopenNotAllowed,
    TicketClosed,
    TicketNotFound,
    ValidationFailed,
)
from supportdesk.core.ids import public_id
from supportdesk.departments import repository as dept_repository
from supportdesk.departments import service as departments
from supportdesk.hosting import repository as hosting
from supportdesk.tickets import repository, store
from supportdesk.tickets.models import (
    FLAG_NO_CLIENT_REOPEN,
    FLAG_REPLIES_LOCKED,
    REPLY_FLAG_SENSITIVE,
)
from supportdesk.tickets.numbers import access_hash, candidate, number_width
from supportdesk.tickets.records import TicketRecord
from supportdesk.tickets.store import TicketState


async def read_ticket(session: DbSession, principal: Principal, ref: int | str) -> TicketRecord:
    """The ticket as the caller may see it; reading marks it read for the caller's side.

    The marker is written only when it changes. It does not move `lastupdate`: being read is
    not a change to the ticket.
    """
    ticket = await repository.get_visible_ticket(session, principal, ref)
    if ticket is None:
        raise TicketNotFound()
    if principal.is_staff and not ticket.admin_read:
        await repository.mark_read(session, ticket.id, "staff")
        ticket = dataclasses.replace(ticket, admin_read=True)
    elif not principal.is_staff and not ticket.client_read:
        await repository.mark_read(session, ticket.id, "client")
        ticket = dataclasses.replace(ticket, client_read=True)
    return ticket


@dataclass(frozen=True, slots=True)
class TicketDraft:
    """A new ticket as either API generation asks for it, in the model's terms."""

    subject: str
    body: str
    priority: str
    dept_id: int | None = None
    dept_slug: str | None = None
    client_id: int | None = None
    guest_name: str | None = None
    guest_email: str | None = None
    cc: tuple[str, ...] = ()
    service_type: str | None = None
    service_id: int | None = None
    ai_summary: str = ""
    ai_helpful: bool | None = None
    critical_reason: str = ""
    upload_ids: tuple[str, ...] = ()
    senderip: str = ""
    field_names: dict[str, str] = field(default_factory=dict)

    def pointer(self, name: str) -> str:
        """The caller's name for a field (v1 `dept_id`, v2 `/departmentSlug`)."""
        return self.field_names.get(name, name)

    def invalid(self, name: str, problem: str) -> ValidationFailed:
        """A 400 that names the field as the caller spelled it."""
        pointer = self.pointer(name)
        return ValidationFailed(f"Field '{_label(pointer)}': {problem}", pointer=pointer)


def _label(pointer: str) -> str:
    """A field as a message names it: `/context/serviceId` → `context.serviceId`."""
    return pointer.lstrip("/").replace("/", ".")


CRITICAL_WINDOW = timedelta(hours=1)
_NUMBER_ATTEMPTS = 50


async def open_ticket(session: DbSession, principal: Principal, draft: TicketDraft) -> int:
    """Open a ticket (model.md, lifecycle 1) and return its public number."""
    now = utcnow()
    department = await departments.department_for_new_ticket(
        session, principal, dept_id=draft.dept_id, slug=draft.dept_slug
    )
    if department is None:
        raise draft.invalid("department", "no department you can open tickets in has it.")
    client_id, name, email = await _requester(session, principal, draft)
    if draft.priority == "critical" and client_id is not None:
        oldest = await store.oldest_recent_critical(session, client_id, now - CRITICAL_WINDOW)
        if oldest is not None:
            wait = int((oldest + CRITICAL_WINDOW - now).total_seconds()) + 1
            raise RateLimited(
                wait,
                "Only one critical ticket per hour: reply to your open critical ticket instead.",
            )
    service_id = await _linked_service(session, client_id, draft)
    width = await number_width(session)
    values: dict[str, Any] = {
        "public_id": public_id("tkt"),
        "acc_hash": access_hash(),
        "dept_id": department.id,
        "org_dept_id": department.id,
        "brand_id": department.brand_id,
        "client_id": client_id,
        "creator_id": principal.staff_id if principal.is_staff else client_id,
        "status_id": await dept_repository.status_id(session, "Open"),
        "name": name,
        "email": email,
        "cc": ",".join(draft.cc),
        "subject": draft.subject,
        "body": draft.body,
        "critical_reason": draft.critical_reason,
        "priority": draft.priority,
        "flags": 0,
        "admin_read": False,
        "client_read": True,
        "type": "Admin" if principal.is_staff else "Client",
        "senderip": draft.senderip,
        "created_at": now,
        "last_reply_at": now,
        "updated_at": now,
        "start_date": now,
        "resolve_date": now + timedelta(hours=department.resolve_within_hours)
        if department.resolve_within_hours
        else None,
    }
    for _ in range(_NUMBER_ATTEMPTS):
        number = candidate(width)
        ticket_id = await store.insert_ticket(session, {**values, "ticket_number": number})
        if ticket_id is not None:
            break
    else:  # pragma: no cover - 50 collisions in a half-empty space do not happen
        raise RuntimeError("could not draw a free ticket number")
    if service_id is not None:
        await hosting.link(
            session,
            ticket_id=ticket_id,
            service_id=service_id,
            ai_summary=draft.ai_summary,
            ai_helpful=draft.ai_helpful,
            now=now,
        )
    await _claim(session, principal, draft.upload_ids, ticket_id, None, draft.pointer("uploads"))
    return number


async def _requester(
    session: DbSession, principal: Principal, draft: TicketDraft
) -> tuple[int | None, str, str]:
    """Whose ticket it is: the key's client, or (for staff) a named client or a guest."""
    if not principal.is_staff:
        assert principal.client_id is not None
        name, email = await store.person(session, principal)
        return principal.client_id, name, email
    if draft.client_id is not None:
        contact = await store.client_contact(session, draft.client_id)
        if contact is None:
            raise draft.invalid("client_id", "no client has that id.")
        return draft.client_id, *contact
    if draft.guest_name and draft.guest_email:
        return None, draft.guest_name, draft.guest_email
    raise draft.invalid(
        "client_id", "a staff key must name the client, or a guest (name and email)."
    )


async def _linked_service(
    session: DbSession, client_id: int | None, draft: TicketDraft
) -> int | None:
    if draft.service_id is None or draft.service_type is None:
        return None
    found = (
        await hosting.find_client_service(
            session,
            client_id=client_id,
            service_type=draft.service_type,
            service_id=draft.service_id,
        )
        if client_id is not None
        else None
    )
    if found is None:
        raise draft.invalid("service_id", "not one of this client's services of that type.")
    return found


async def _claim(
    session: DbSession,
    principal: Principal,
    upload_ids: tuple[str, ...],
    ticket_id: int,
    reply_id: int | None,
    pointer: str,
) -> None:
    wanted = list(dict.fromkeys(upload_ids))
    if not wanted:
        return
    claimed = await store.claim_uploads(
        session, principal, wanted, ticket_id=ticket_id, reply_id=reply_id
    )
    if claimed != len(wanted):
        raise ValidationFailed(
            f"Field '{_label(pointer)}': "
            "an attachment id is unknown, not yours, or already attached.",
            pointer=pointer,
        )


async def post_reply(
    session: DbSession,
    principal: Principal,
    ref: int | str,
    body: str,
    *,
    encrypted: bool = False,
    upload_ids: tuple[str, ...] = (),
    senderip: str = "",
    uploads_pointer: str = "/attachmentIds",
) -> tuple[TicketState, int]:
    """Add a message (model.md, lifecycle 2 and 3); returns the ticket and the reply id."""
    ticket = await _locked_state(session, principal, ref)
    if not principal.is_staff:
        if ticket.status == "Closed":
            raise TicketClosed()
        if ticket.flags & FLAG_REPLIES_LOCKED:
            raise Conflict("Replies to this ticket are locked.")
    now = utcnow()
    name, email = await store.person(session, principal)
    reply_id = await store.insert_reply(
        session,
        {
            "public_id": public_id("tmsg"),
            "ticket_id": ticket.id,
            "replier_id": principal.staff_id if principal.is_staff else principal.client_id,
            "name": name,
            "email": email,
            "body": body,
            "status": "Sent",
            "type": "Admin" if principal.is_staff else "Client",
            "flags": REPLY_FLAG_SENSITIVE if encrypted else 0,
            "senderip": senderip,
            "created_at": now,
        },
    )
    await _claim(session, principal, upload_ids, ticket.id, reply_id, uploads_pointer)
    # The other side has not seen this message yet.
    status_name, unread = (
        ("Answered", "client_read") if principal.is_staff else ("Client-Reply", "admin_read")
    )
    await store.update_ticket(
        session,
        ticket.id,
        status_id=await dept_repository.status_id(session, status_name),
        last_reply_at=now,
        updated_at=now,
        **{unread: False},
    )
    return dataclasses.replace(ticket, status=status_name), reply_id


async def close_ticket(session: DbSession, principal: Principal, ref: int | str) -> TicketState:
    """Close (either side). Closing a closed ticket changes nothing."""
    ticket = await _locked_state(session, principal, ref)
    if ticket.status != "Closed":
        await _set_status(session, ticket.id, "Closed")
    return dataclasses.replace(ticket, status="Closed")


async def reopen_ticket(session: DbSession, principal: Principal, ref: int | str) -> TicketState:
    """Reopen a closed ticket; a client only where the department and the ticket allow it."""
    ticket = await _locked_state(session, principal, ref)
    if ticket.status != "Closed":
        return ticket
    if not principal.is_staff and (
        not ticket.client_can_reopen or ticket.flags & FLAG_NO_CLIENT_REOPEN
    ):
        raise ReopenNotAllowed()
    await _set_status(session, ticket.id, "Open")
    return dataclasses.replace(ticket, status="Open")


async def _visible_state(session: DbSession, principal: Principal, ref: int | str) -> TicketState:
    ticket = await store.find_visible_state(session, principal, ref)
    if ticket is None:
        raise TicketNotFound()
    return ticket


async def _locked_state(session: DbSession, principal: Principal, ref: int | str) -> TicketState:
    """The ticket, locked for this transaction and read again: concurrent changes to it queue
    here, so each sees the state the previous one left and takes its time after it."""
    ticket = await _visible_state(session, principal, ref)
    if await store.lock(session, ticket.id):
        ticket = await _visible_state(session, principal, ticket.public_id)
    return ticket


async def _set_status(session: DbSession, ticket_id: int, status_name: str) -> None:
    await store.update_ticket(
        session,
        ticket_id,
        status_id=await dept_repository.status_id(session, status_name),
        updated_at=utcnow(),
    )
