"""Every table, imported in one place so that Alembic and the tests see the whole schema."""

from supportdesk.accounts.models import Brand, Client, ClientGroup, DepartmentStaff, Staff
from supportdesk.core.models import Base
from supportdesk.departments.models import Department, SlaPolicy, Status
from supportdesk.hosting.models import Service, TicketService
from supportdesk.keys.models import ApiKey
from supportdesk.sessions.models import WebPresence, WebSession
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

__all__ = [
    "ApiKey",
    "Attachment",
    "Base",
    "Brand",
    "Client",
    "ClientGroup",
    "Department",
    "DepartmentStaff",
    "Macro",
    "Note",
    "RenderGeneration",
    "Reply",
    "Service",
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
]
