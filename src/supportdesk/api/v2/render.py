"""Records in v2's shape: camelCase, prefixed ids, ISO times, `null` for absent text."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson
from fastapi.responses import Response

from supportdesk.api.conditional import weak_etag
from supportdesk.attachments.urls import v2_download_path
from supportdesk.core.clock import day, iso_millis
from supportdesk.tickets.models import (
    FLAG_INTERNAL,
    FLAG_NO_CLIENT_REOPEN,
    FLAG_REPLIES_LOCKED,
    REPLY_FLAG_SENSITIVE,
    SCHEDULED,
    SENT,
)
from supportdesk.tickets.records import (
    AttachmentRecord,
    DeskSummaryRecord,
    LinkedServiceRecord,
    NoteRecord,
    ReplyRecord,
    TicketRecord,
    TicketSummaryRecord,
)

SENDERS = {"Admin": "staff", "System": "automation"}


def json_response(
    data: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A v2 JSON answer (every v2 route's, the admin ones too)."""
    return Response(
        orjson.dumps(data), status_code=status_code, media_type="application/json", headers=headers
    )


def attachment(record: AttachmentRecord, ticket_public_id: str) -> dict[str, Any]:
    return {
        "id": record.public_id,
        "filename": record.filename,
        "byteLength": record.byte_length,
        "contentType": record.content_type,
        "downloadUrl": v2_download_path(record.public_id, ticket_public_id),
        "uploadedAt": iso_millis(record.uploaded_at),
    }


def message(
    reply: ReplyRecord, ticket_public_id: str, attachments: list[AttachmentRecord]
) -> dict[str, Any]:
    return {
        "id": reply.public_id,
        "ticketId": ticket_public_id,
        "sentAt": iso_millis(reply.created_at),
        "body": reply.body,
        "sender": SENDERS.get(reply.type, "customer"),
        "senderName": reply.name,
        "encrypted": bool(reply.flags & REPLY_FLAG_SENSITIVE),
        "attachments": [
            attachment(a, ticket_public_id) for a in attachments if a.reply_id == reply.id
        ],
    }


def _service(link: LinkedServiceRecord) -> dict[str, Any]:
    return {
        "serviceType": link.service_type,
        "serviceId": str(link.service_id),
        "serviceName": link.name,
        "details": {
            "status": link.status,
            "nextDue": day(link.next_due) or None,
            "hostname": link.hostname or None,
        },
    }


def _summary_fields(
    ticket: TicketRecord | TicketSummaryRecord, status: str, dept_slug: str, dept_name: str
) -> tuple[dict[str, Any], LinkedServiceRecord | None]:
    first = ticket.linked_services[0] if ticket.linked_services else None
    return {
        "id": ticket.public_id,
        "number": str(ticket.ticket_number),
        "subject": ticket.subject,
        "status": status,
        "priority": ticket.priority,
        "departmentSlug": dept_slug,
        "departmentName": dept_name,
        "createdAt": iso_millis(ticket.created_at),
        "updatedAt": iso_millis(ticket.updated_at),
        "lastMessageAt": iso_millis(ticket.last_reply_at),
        "ccEmails": [address for address in ticket.cc.split(",") if address],
        "requesterName": ticket.name or None,
    }, first


def summary(ticket: TicketSummaryRecord) -> dict[str, Any]:
    fields, first = _summary_fields(ticket, ticket.v2_status, ticket.dept_slug, ticket.dept_name)
    shown = {
        **fields,
        "messageCount": ticket.message_count,
        "linkedServices": [_service(link) for link in ticket.linked_services],
        "aiSummary": (first.ai_summary or None) if first else None,
        "aiHelpful": first.ai_helpful if first else None,
    }
    if ticket.desk is not None:
        shown["desk"] = desk_summary(ticket.desk)
    return shown


def _time(moment: datetime | None) -> str | None:
    return iso_millis(moment) if moment is not None else None


def desk_summary(desk: DeskSummaryRecord) -> dict[str, Any]:
    """The staff's part of a list item (desk.md's ◦ fields, in the table's order)."""
    return {
        "statusName": desk.status_name,
        "clientId": desk.client_id,
        "ownerId": desk.owner_id,
        "tags": desk.tags,
        "unread": desk.unread,
        "escalationLevel": desk.escalated,
        "resolveBy": _time(desk.resolve_date),
    }


def note(record: NoteRecord) -> dict[str, Any]:
    return {
        "id": record.public_id,
        "body": record.body,
        "author": {"id": record.staff_id, "name": record.author_name},
        "createdAt": iso_millis(record.created_at),
        "updatedAt": iso_millis(record.updated_at),
    }


def draft(reply: ReplyRecord, ticket: TicketRecord) -> dict[str, Any]:
    """A staff message not sent yet: the message shape, its state and when it goes out."""
    return {
        **message(reply, ticket.public_id, ticket.attachments),
        "state": "scheduled" if reply.status == SCHEDULED else "draft",
        "sendAt": _time(reply.send_at),
    }


def desk(ticket: TicketRecord) -> dict[str, Any]:
    """What staff see of a ticket besides the client's view (desk.md), in the table's order."""
    owner = ticket.owner
    return {
        "statusName": ticket.status,
        "clientId": ticket.client_id,
        "ownerId": owner.id if owner is not None else None,
        "owner": {
            "id": owner.id,
            "username": owner.username,
            "name": f"{owner.firstname} {owner.lastname}".strip(),
        }
        if owner is not None
        else None,
        "tags": ticket.tags,
        "bccEmails": [address for address in ticket.bcc.split(",") if address],
        "subscriberIds": ticket.subscriptions,
        "unread": not ticket.admin_read,
        "requestType": ticket.request_type,
        "deadline": _time(ticket.deadline),
        "internal": bool(ticket.flags & FLAG_INTERNAL),
        "repliesLocked": bool(ticket.flags & FLAG_REPLIES_LOCKED),
        "clientMayReopen": not ticket.flags & FLAG_NO_CLIENT_REOPEN,
        "escalationLevel": ticket.escalated,
        "slaPolicyId": ticket.sla_id,
        "resolveBy": _time(ticket.resolve_date),
        "mergedInto": ticket.merged_into,
        "mergedFrom": ticket.merged_from,
        "notes": [note(record) for record in ticket.note_records],
        "drafts": [draft(reply, ticket) for reply in ticket.replies if reply.status != SENT],
    }


def detail(ticket: TicketRecord) -> dict[str, Any]:
    """The v2 ticket. Only sent messages appear: v2 has no way to mark a draft."""
    fields, first = _summary_fields(ticket, ticket.v2_status, ticket.dept_slug, ticket.dept_name)
    sent = [reply for reply in ticket.replies if reply.status == SENT]
    shown = {
        **fields,
        "body": ticket.body,
        "messageCount": len(sent),
        "linkedServices": [_service(link) for link in ticket.linked_services],
        "attachments": [
            attachment(a, ticket.public_id) for a in ticket.attachments if a.reply_id is None
        ],
        "messages": [message(reply, ticket.public_id, ticket.attachments) for reply in sent],
        "aiSummary": (first.ai_summary or None) if first else None,
        "aiHelpful": first.ai_helpful if first else None,
    }
    if ticket.staff_view:
        shown["desk"] = desk(ticket)
    return shown


def detail_etag(ticket: TicketRecord) -> str:
    """The detail's `ETag`, as the GET sends it and a PATCH's `If-Match` is checked against."""
    return weak_etag(detail(ticket))
