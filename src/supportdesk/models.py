"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from supportdesk.accounts.models import Brand, Client, ClientGroup, DepartmentStaff, Staff
from supportdesk.core.models import Base
from supportdesk.departments.models import Department, SlaPolicy, Status
from supportdesk.hosting.models import Service, TicketService
from supportdesk.idempotency.models import IdempotencyKey
from supportdesk.jobs.models import JobEffect
from supportdesk.keys.models import ApiKey
from supportdesk.mail.models import MailOutbox
from supportdesk.sessions.models import WebPresence, WebSession
from supportdesk.sla.models import SlaBreach, SlaClock, SlaPause, SlaPending
from supportdesk.tickets.models import (
    Attachment,
    Macro,
    Note,
    RenderGeneration,
    Reply,
    Tag,
    Ticket,
    TicketEvent,
    TicketLabel,
    TicketSubscription,
    TicketTag,
)
from supportdesk.webhooks.models import WebhookDelivery, WebhookEndpoint

__all__ = [
    "ApiKey",
    "Attachment",
    "Base",
    "Brand",
    "Client",
    "ClientGroup",
    "Department",
    "DepartmentStaff",
    "IdempotencyKey",
    "JobEffect",
    "Macro",
    "MailOutbox",
    "Note",
    "RenderGeneration",
    "Reply",
    "Service",
    "SlaBreach",
    "SlaClock",
    "SlaPause",
    "SlaPending",
    "SlaPolicy",
    "Staff",
    "Status",
    "Tag",
    "Ticket",
    "TicketEvent",
    "TicketLabel",
    "TicketService",
    "TicketSubscription",
    "TicketTag",
    "WebPresence",
    "WebSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]
