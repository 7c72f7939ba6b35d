"""Which mails a ticket's event asks for, to whom, and what they say (automation.md's table).

- the client (and `cc`; `bcc` as blind copies): ticket opened, staff reply sent, ticket closed
  by staff or automatically;
- the owner and subscribers, or the department address when unassigned: ticket opened, client
  reply; an SLA breach (the department address always); ticket assigned to them (them alone).

A client's mail is built from what the client may see: the ticket's own fields, a sent staff
message's author name and text, the access link. Never a note (no note event mails), a draft
or a scheduled message not yet sent (their events are `drafted`/`scheduled`), a `bcc` address
(blind copies are envelope recipients, in no header) or a staff member's e-mail address.
Internal tickets (flag 16) send the client nothing. Staff are not told what they did themselves.
A ticket split off another (`opened` with `splitFrom`) mails nobody: staff made it.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import format_datetime, formataddr, parseaddr
from typing import TYPE_CHECKING, Any

from supportdesk.accounts import repository as accounts
from supportdesk.core.config import Settings
from supportdesk.core.db import DbSession
from supportdesk.departments.models import CLOSED
from supportdesk.mail import repository
from supportdesk.mail.repository import MessageFacts, NewMail, StaffAddress, TicketFacts
from supportdesk.mail.templates import render
from supportdesk.tickets.models import FLAG_INTERNAL, FLAG_SENSITIVE, REPLY_FLAG_SENSITIVE, SENT

if TYPE_CHECKING:
    from supportdesk.jobs.events import ChangeEvent

# The events that may mail; every other kind (notes, drafts, edits, tags...) returns at once.
_MAILING_KINDS = frozenset({"opened", "replied", "closed", "sla_breached", "updated"})
_STAFF_SIDE_TYPES = frozenset({"Admin"})
_NO_MAIL_TYPES = frozenset({"System"})


@dataclass(frozen=True, slots=True)
class _Audience:
    to: list[str]
    cc: list[str]
    blind: list[str]


def mailable(address: str) -> bool:
    """An address this sender can write in a header: `local@domain` in ASCII. The model
    accepts internationalised addresses (RFC 6531), which need an SMTPUTF8 path end to end;
    such a recipient is left out of the mail rather than failing the change."""
    return "@" in address and address.isascii()


def addresses(stored: str) -> list[str]:
    """A comma-separated address list (`cc`, `bcc`) as clean addresses, once each."""
    found = (parseaddr(part.strip())[1] for part in stored.split(","))
    return list(dict.fromkeys(address for address in found if mailable(address)))


def mail_domain(settings: Settings) -> str:
    return parseaddr(settings.mail_from)[1].rsplit("@", 1)[1]


def root_message_id(number: int, settings: Settings) -> str:
    """The ticket's thread: every mail about it refers to this id, so mail clients thread."""
    return f"<ticket-{number}@{mail_domain(settings)}>"


def _sender(settings: Settings) -> str:
    name, address = parseaddr(settings.mail_from)
    return formataddr((name or settings.company_name, address))


async def mails_for(
    session: DbSession, event: ChangeEvent, settings_now: Callable[[], Settings]
) -> list[NewMail]:
    """The mails `event` asks for, rendered now (they are what the change said); the settings
    are asked for only when a mail is due."""
    if event.kind not in _MAILING_KINDS:
        return []
    status = event.changes.get("status") or {}
    owner = event.changes.get("owner") or {}
    closes = status.get("to") == CLOSED and status.get("from") != CLOSED
    assigned = owner.get("to") if isinstance(owner.get("to"), int) else None
    if event.kind == "updated" and not closes and assigned is None:
        return []
    if event.kind == "opened" and "splitFrom" in event.changes:
        return []  # staff split a message off: the client's words were answered where they wrote
    ticket = await repository.ticket_facts(session, event.ticket_id)
    composer = _Composer(session, event, settings_now(), ticket)
    if event.kind == "opened":
        await composer.client("client_opened", message=composer.opening())
        await composer.staff("staff_opened", message=composer.opening())
    elif event.kind == "replied":
        await composer.reply()
    elif event.kind == "sla_breached":
        level = (event.changes.get("escalated") or {}).get("to")
        policy = (event.changes.get("sla") or {}).get("to") or {}
        await composer.staff(
            "staff_sla_breached",
            with_department=True,
            level=level,
            policy=str(policy.get("name") or "") if isinstance(policy, dict) else "",
            trigger=str(policy.get("trigger") or "") if isinstance(policy, dict) else "",
        )
    if closes and event.kind in ("closed", "updated") and not event.actor.is_client:
        await composer.client("client_closed", automatic=event.actor.type == "system")
    # A breach that assigns tells the new owner by its own mail (they watch the ticket now).
    if assigned is not None and assigned != event.actor.staff_id and event.kind != "sla_breached":
        person = await repository.active_staff(session, assigned)
        if person is not None:
            await composer.to_staff("staff_assigned", [person], [])
    return composer.mails


class _Composer:
    def __init__(
        self, session: DbSession, event: ChangeEvent, settings: Settings, ticket: TicketFacts
    ) -> None:
        self.session = session
        self.event = event
        self.settings = settings
        self.ticket = ticket
        self.mails: list[NewMail] = []

    def opening(self) -> dict[str, Any]:
        return {
            "author": self.ticket.name,
            "body": self.ticket.body,
            "hidden": bool(self.ticket.flags & FLAG_SENSITIVE),
        }

    async def reply(self) -> None:
        message_id = (self.event.changes.get("message") or {}).get("to")
        if not isinstance(message_id, str):
            return
        message = await repository.message_facts(self.session, self.ticket.id, message_id)
        if message is None or message.status != SENT or message.type in _NO_MAIL_TYPES:
            return
        shown = _message(message)
        if message.type in _STAFF_SIDE_TYPES:
            if message.notify:
                await self.client("client_reply", message=shown)
        else:
            await self.staff("staff_reply", message=shown)

    async def client(self, kind: str, **extra: Any) -> None:
        ticket = self.ticket
        if ticket.flags & FLAG_INTERNAL or not mailable(ticket.email):
            return
        to = [ticket.email]
        cc = [address for address in addresses(ticket.cc) if address not in to]
        blind = [address for address in addresses(ticket.bcc) if address not in to + cc]
        context = {
            "recipient_name": ticket.name,
            "link": f"{self.settings.public_url}/portal/tickets/{ticket.number}"
            f"?hash={ticket.acc_hash}",
            **extra,
        }
        headers = {"To": formataddr((ticket.name, ticket.email))}
        if cc:
            headers["Cc"] = ", ".join(cc)
        self._add(kind, _Audience(to, cc, blind), headers, context)

    async def staff(self, kind: str, *, with_department: bool = False, **extra: Any) -> None:
        people = await repository.watching_staff(self.session, self.ticket)
        people = [person for person in people if person.id != self.event.actor.staff_id]
        department = self.ticket.department_email
        extra_addresses = (
            [department]
            if mailable(department) and (with_department or self.ticket.owner_id is None)
            else []
        )
        await self.to_staff(kind, people, extra_addresses, **extra)

    async def to_staff(
        self, kind: str, people: list[StaffAddress], more: list[str], **extra: Any
    ) -> None:
        to = list(dict.fromkeys([p.email for p in people if mailable(p.email)] + more))
        if not to:
            return
        actor = await _actor_name(self.session, self.event)
        context = {
            "recipient_name": people[0].name if len(people) == 1 and not more else "",
            "link": f"{self.settings.public_url}/desk/tickets/{self.ticket.number}",
            "client": {"name": self.ticket.name, "email": self.ticket.email},
            "actor_name": actor,
            **extra,
        }
        self._add(kind, _Audience(to, [], []), {"To": ", ".join(to)}, context)

    def _add(
        self, kind: str, audience: _Audience, headers: dict[str, str], context: dict[str, Any]
    ) -> None:
        ticket, settings = self.ticket, self.settings
        rendered = render(
            settings.mail_templates,
            kind,
            {
                "company_name": settings.company_name,
                "public_url": settings.public_url,
                "ticket": {
                    "number": ticket.number,
                    "subject": ticket.subject,
                    "status": ticket.status,
                    "department": ticket.department,
                },
                "message": None,
                **context,
            },
        )
        tag = f"[#{ticket.number}]"
        subject = rendered.subject if tag in rendered.subject else f"{tag} {rendered.subject}"
        root = root_message_id(ticket.number, settings)
        message_id = f"<ticket-{ticket.number}-{uuid.uuid4().hex}@{mail_domain(settings)}>"
        all_headers = {
            "From": _sender(settings),
            **headers,
            "Date": format_datetime(self.event.at),
            "Message-ID": message_id,
            "In-Reply-To": root,
            "References": root,
        }
        if kind != "client_reply":  # a person's answer is not an automatic notice
            all_headers["Auto-Submitted"] = "auto-generated"
        # A name or an address is the writer's text: no line break of it reaches a header.
        all_headers = {name: _one_line(value) for name, value in all_headers.items()}
        self.mails.append(
            NewMail(
                message_id=message_id,
                ticket_id=ticket.id,
                kind=kind,
                recipients=list(dict.fromkeys(audience.to + audience.cc + audience.blind)),
                subject=subject,
                text_body=rendered.text,
                html_body=rendered.html,
                headers=all_headers,
                created_at=self.event.at,
            )
        )


def _one_line(value: str) -> str:
    return " ".join(value.replace("\r", " ").replace("\n", " ").split())


def _message(message: MessageFacts) -> dict[str, Any]:
    return {
        "author": message.name,
        "body": message.body,
        "hidden": bool(message.flags & REPLY_FLAG_SENSITIVE),
    }


async def _actor_name(session: DbSession, event: ChangeEvent) -> str:
    return (await accounts.actor_contact(session, event.actor)).name
