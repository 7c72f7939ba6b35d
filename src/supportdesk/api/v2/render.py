"""Records in v2's shape: camelCase, prefixed ids, ISO times, `null` for absent text."""

from __future__ import annotations

from typing import Any

from supportdesk.attachments.urls import v2_download_path
from supportdesk.core.clock import day, iso_millis
from supportdesk.tickets.models import REPLY_FLAG_SENSITIVE, SENT
from supportdesk.tickets.records import (
    AttachmentRecord,
    LinkedServiceRecord,
    ReplyRecord,
    TicketRecord,
    TicketSummaryRecord,
)

SENDERS = {"Admin": "staff", "System": "automation"}


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
    return {
        **fields,
        "messageCount": ticket.message_count,
        "linkedServices": [_service(link) for link in ticket.linked_services],
        "aiSummary": (first.ai_summary or None) if first else None,
        "aiHelpful": first.ai_helpful if first else None,
    }


def detail(ticket: TicketRecord) -> dict[str, Any]:
    """The v2 ticket. Only sent messages appear: v2 has no way to mark a draft."""
    fields, first = _summary_fields(ticket, ticket.v2_status, ticket.dept_slug, ticket.dept_name)
    sent = [reply for reply in ticket.replies if reply.status == SENT]
    return {
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
