"""v2 wire shapes: request bodies (validated) and responses (for the OpenAPI document)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

from supportdesk.api.inputs import (
    AiSummary,
    CriticalReason,
    Email,
    MessageBody,
    Reference,
    RowId,
    SendAt,
    Slug,
    StatusName,
    Subject,
    UploadId,
)
from supportdesk.core.columns import ATTACHMENTS_PER_MESSAGE, CC_ADDRESSES

Priority = Literal["low", "medium", "high", "urgent", "critical"]
V2Status = Literal["open", "answered", "customer_reply", "in_progress", "on_hold", "closed"]


def _service_id(value: object) -> object:
    """A service id as a JSON integer or a string of digits (HostUp sends both)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return value


ServiceId = Annotated[RowId, BeforeValidator(_service_id)]


class V2TicketContext(BaseModel):
    serviceType: Literal["domain", "hosting", "vps", "other"]
    serviceId: ServiceId


class V2CreateTicket(BaseModel):
    """`POST /api/v2/support/tickets`. A staff key also names the client (`clientId`)."""

    model_config = ConfigDict(extra="forbid")

    departmentSlug: Slug
    subject: Subject
    message: MessageBody
    priority: Priority = "medium"
    ccEmails: Annotated[list[Email], Field(max_length=CC_ADDRESSES)] = []
    context: V2TicketContext | None = None
    aiSummary: AiSummary | None = None
    aiHelpful: StrictBool | None = None
    criticalReason: CriticalReason | None = None
    attachmentIds: Annotated[list[UploadId], Field(max_length=ATTACHMENTS_PER_MESSAGE)] = []
    clientId: RowId | None = None


class V2PostMessage(BaseModel):
    """A message. The other fields are a staff key's (desk.md); a client key setting one gets
    400: `status` after the reply (a status name or a v2 status; default `Answered`), `draft`,
    `sendAt` (a future time: scheduled), `notify`, `keepIfClientReplies`, and the collision
    guard `lastSeenMessageId` (409 `stale_ticket` when the client wrote since, unless `force`)."""

    model_config = ConfigDict(extra="forbid")

    message: MessageBody
    encrypted: StrictBool = False
    attachmentIds: Annotated[list[UploadId], Field(max_length=ATTACHMENTS_PER_MESSAGE)] = []
    status: StatusName | None = None
    draft: StrictBool = False
    sendAt: SendAt | None = None
    notify: StrictBool = True
    keepIfClientReplies: StrictBool = False
    lastSeenMessageId: Reference | None = None
    force: StrictBool = False


class V2Attachment(BaseModel):
    id: str
    filename: str
    byteLength: int
    contentType: str
    downloadUrl: str
    uploadedAt: str


class V2Message(BaseModel):
    id: str
    ticketId: str
    sentAt: str
    body: str
    sender: Literal["customer", "staff", "automation"]
    senderName: str
    encrypted: bool
    attachments: list[V2Attachment]


class V2ServiceDetails(BaseModel):
    status: str
    nextDue: str | None
    hostname: str | None


class V2LinkedService(BaseModel):
    serviceType: str
    serviceId: str
    serviceName: str
    details: V2ServiceDetails | None


class V2DeskSummary(BaseModel):
    """What staff see of a ticket in a list besides the client's view."""

    statusName: str
    clientId: int | None
    ownerId: int | None
    tags: list[str]
    unread: bool
    escalationLevel: int
    resolveBy: str | None


class V2NoteAuthor(BaseModel):
    id: int
    name: str


class V2Note(BaseModel):
    id: str
    body: str
    author: V2NoteAuthor
    createdAt: str
    updatedAt: str


class V2Draft(V2Message):
    state: Literal["draft", "scheduled"]
    sendAt: str | None


class V2DeskOwner(BaseModel):
    id: int
    username: str
    name: str


class V2Desk(BaseModel):
    """What staff see of a ticket besides the client's view (desk.md)."""

    statusName: str
    clientId: int | None
    ownerId: int | None
    owner: V2DeskOwner | None
    tags: list[str]
    bccEmails: list[str]
    subscriberIds: list[int]
    unread: bool
    requestType: str
    deadline: str | None
    internal: bool
    repliesLocked: bool
    clientMayReopen: bool
    escalationLevel: int
    slaPolicyId: int | None
    resolveBy: str | None
    mergedInto: str | None
    mergedFrom: list[str]
    notes: list[V2Note]
    drafts: list[V2Draft]


class V2TicketSummary(BaseModel):
    id: str
    number: str
    subject: str
    status: str
    priority: Priority
    departmentSlug: str
    departmentName: str
    createdAt: str
    updatedAt: str
    lastMessageAt: str
    ccEmails: list[str]
    requesterName: str | None
    messageCount: int
    linkedServices: list[V2LinkedService]
    aiSummary: str | None
    aiHelpful: bool | None
    # Staff keys only (desk.md).
    desk: V2DeskSummary | None = None


class V2Ticket(V2TicketSummary):
    body: str
    attachments: list[V2Attachment]
    messages: list[V2Message]
    desk: V2Desk | None = None  # type: ignore[assignment]


class V2TicketPage(BaseModel):
    data: list[V2TicketSummary]
    nextCursor: str | None
    hasMore: bool


class V2Department(BaseModel):
    slug: str
    displayName: str
    description: str
    email: str


class V2Departments(BaseModel):
    departments: list[V2Department]


class V2FieldError(BaseModel):
    pointer: str
    detail: str
    code: str


class V2Problem(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str
    requestId: str
    timestamp: str
    errors: list[V2FieldError] | None = None


class V2ErrorCode(BaseModel):
    type: str
    code: str
    title: str
    status: int
    description: str


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The `responses=` of a v2 route: each error status as a problem document."""
    return {
        status: {
            "model": V2Problem,
            "description": "A problem document (RFC 9457).",
            "content": {
                "application/problem+json": {"schema": {"$ref": "#/components/schemas/V2Problem"}}
            },
        }
        for status in statuses
    }
