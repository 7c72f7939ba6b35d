"""A `TicketRecord` in HostBill's shape: the seed's fields, in the seed's order, as strings."""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import datetime, tzinfo
from typing import Any

import orjson

from supportdesk.api.answers import Answer
from supportdesk.api.conditional import entity_tag, weak_etag
from supportdesk.attachments.urls import v1_download_path
from supportdesk.core.clock import ZERO_DATETIME, day, hostbill, iso_millis
from supportdesk.tickets.models import FLAG_HAS_NOTES
from supportdesk.tickets.records import LinkedServiceRecord, ReplyRecord, TicketRecord

PRIORITY_DIGITS = {"low": "0", "medium": "1", "high": "2", "urgent": "3", "critical": "3"}
# Replies written by the help desk's side: a client sees no address or IP of theirs.
DESK_REPLY_TYPES = frozenset({"Admin", "System"})


@functools.lru_cache(maxsize=4096)
def gravatar(email: str) -> str:
    return hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()


def _id(value: int | None) -> str:
    return "0" if value is None else str(value)


def _bit(value: bool) -> str:
    return "1" if value else "0"


def _reply(reply: ReplyRecord, ticket_id: str, zone: tzinfo, *, staff_view: bool) -> dict[str, Any]:
    # For a client, a staff reply keeps its author's name but not their address or IP; the
    # gravatar is then the one of the address shown (empty), the same for every staff member.
    private = not staff_view and reply.type in DESK_REPLY_TYPES
    email = "" if private else reply.email
    return {
        "id": str(reply.id),
        "ticket_id": ticket_id,
        "replier_id": str(reply.replier_id),
        "name": reply.name,
        "email": email,
        "date": hostbill(reply.created_at, zone),
        "lastedit": hostbill(reply.edited_at, zone),
        "editby": reply.edited_by,
        "body": reply.body,
        "status": reply.status,
        "type": reply.type,
        "flags": reply.flags,
        "senderip": "" if private else reply.senderip,
        "rating": str(reply.rating),
        "rate_date": hostbill(reply.rated_at, zone),
        "from": "" if private else reply.from_address,
        "gravatar": gravatar(email),
    }


def _link(link: LinkedServiceRecord, number: str) -> dict[str, Any]:
    return {
        "id": str(link.id),
        "ticketNumber": number,
        "clientId": str(link.client_id),
        "serviceType": link.service_type,
        "serviceId": str(link.service_id),
        "serviceName": link.name,
        "metadata": {
            "status": link.status,
            "nextDue": day(link.next_due),
            "hostname": link.hostname,
        },
        "aiSummary": link.ai_summary,
        "aiHelpful": "" if link.ai_helpful is None else _bit(link.ai_helpful),
        "createdAt": iso_millis(link.created_at),
        "updatedAt": iso_millis(link.updated_at),
    }


def ticket_dict(
    ticket: TicketRecord, *, staff_view: bool, zone: tzinfo, viewtime: str
) -> dict[str, Any]:
    """Every field of the seed, in its order."""
    number = str(ticket.ticket_number)
    ticket_id = str(ticket.id)
    flags = ticket.flags if staff_view else ticket.flags & ~FLAG_HAS_NOTES
    owner = ticket.owner
    return {
        "id": ticket_id,
        "parent_id": _id(ticket.parent_id),
        "date": hostbill(ticket.created_at, zone),
        "lastreply": hostbill(ticket.last_reply_at, zone),
        "lastupdate": hostbill(ticket.updated_at, zone),
        "lastedit": hostbill(ticket.edited_at, zone),
        "editby": ticket.edited_by,
        "ticket_number": number,
        "acc_hash": ticket.acc_hash,
        "dept_id": str(ticket.dept_id),
        "client_id": _id(ticket.client_id),
        "creator_id": str(ticket.creator_id),
        "name": ticket.name,
        "email": ticket.email,
        "cc": ticket.cc,
        "bcc": ticket.bcc,
        "subject": ticket.subject,
        "body": ticket.body,
        "status": ticket.status,
        "priority": PRIORITY_DIGITS[ticket.priority],
        "flags": flags,
        "tags": ticket.tags,
        "admin_read": _bit(ticket.admin_read),
        "client_read": _bit(ticket.client_read),
        "type": ticket.type,
        "request_type": ticket.request_type,
        # A ticket staff opened for a client (type Admin) was sent from a staff member's address.
        "senderip": "" if not staff_view and ticket.type == "Admin" else ticket.senderip,
        "escalated": str(ticket.escalated),
        "sla_id": _id(ticket.sla_id),
        "start_date": hostbill(ticket.start_date, zone),
        "resolve_date": hostbill(ticket.resolve_date, zone),
        "owner_id": _id(owner.id if owner else None),
        "metadata": ticket.labels,
        "brand_id": _id(ticket.brand_id),
        "deadline": hostbill(ticket.deadline, zone),
        "deptname": ticket.dept_name,
        "viewtime": viewtime,
        "share": "",
        "share_tag": "",
        "client_group": ticket.client_group,
        "status_color": ticket.status_color,
        "org_deptname": ticket.org_dept_name,
        "from": ticket.from_address,
        "subscriptions": [str(staff_id) for staff_id in ticket.subscriptions],
        "owner": {
            "id": str(owner.id),
            "username": owner.username,
            "firstname": owner.firstname,
            "lastname": owner.lastname,
            "email": owner.email,
            "status": owner.status,
        }
        if owner
        else {
            "id": "0",
            "username": "",
            "firstname": "",
            "lastname": "",
            "email": "",
            "status": "",
        },
        "replies": [
            _reply(reply, ticket_id, zone, staff_view=staff_view) for reply in ticket.replies
        ],
        "attachments": [
            v1_download_path(ticket.ticket_number, attachment.id)
            for attachment in ticket.attachments
        ],
        "notes": ticket.notes,
        "number": number,
        "linkedServices": [_link(link, number) for link in ticket.linked_services],
    }


def etag(ticket: dict[str, Any]) -> str:
    """A weak tag over everything shown but the view time, so it moves with any change."""
    return weak_etag(dict(ticket, viewtime=ZERO_DATETIME))


def envelope(data: dict[str, Any], *, now: datetime, request_id: str) -> bytes:
    return orjson.dumps(
        {"success": True, "timestamp": iso_millis(now), "requestId": request_id, "data": data}
    )


_ZERO_JSON = orjson.dumps(ZERO_DATETIME)


def spliced_ticket(ticket: TicketRecord, *, staff_view: bool, zone: tzinfo) -> Answer:
    """The encoded ticket, cut where its `viewtime` goes, and its tag (the one `etag` gives).

    The cut is found by a marker no stored text can hold (random, and with NUL, which no door
    accepts); should it ever occur twice, another is drawn."""
    while True:
        marker = orjson.dumps("\x00" + secrets.token_hex(8))
        shown = ticket_dict(ticket, staff_view=staff_view, zone=zone, viewtime=orjson.loads(marker))
        parts = orjson.dumps(shown).split(marker)
        if len(parts) == 2:
            head, tail = parts
            return Answer(etag=entity_tag(head + _ZERO_JSON + tail), head=head, tail=tail)


def spliced_envelope(answer: Answer, *, now: datetime, request_id: str, viewtime: str) -> bytes:
    """`envelope({"ticket": ...})` of a spliced ticket: the same bytes, without encoding it."""
    return b"".join(
        (
            b'{"success":true,"timestamp":',
            orjson.dumps(iso_millis(now)),
            b',"requestId":',
            orjson.dumps(request_id),
            b',"data":{"ticket":',
            answer.head,
            orjson.dumps(viewtime),
            answer.tail,
            b"}}",
        )
    )
