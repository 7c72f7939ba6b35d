"""v1 wire shapes, for the OpenAPI document. Responses are rendered by `render`, not by these."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from supportdesk.api.inputs import (
    AiSummary,
    Email,
    MessageBody,
    PersonName,
    RowId,
    ServiceName,
    Subject,
)


class V1Owner(BaseModel):
    id: str
    username: str
    firstname: str
    lastname: str
    email: str
    status: str


class V1Reply(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    ticket_id: str
    replier_id: str
    name: str
    email: str
    date: str
    lastedit: str
    editby: str
    body: str
    status: str
    type: str
    flags: int
    senderip: str
    rating: str
    rate_date: str
    from_: str = Field(alias="from")
    gravatar: str


class V1ServiceMetadata(BaseModel):
    status: str
    nextDue: str
    hostname: str


class V1LinkedService(BaseModel):
    id: str
    ticketNumber: str
    clientId: str
    serviceType: str
    serviceId: str
    serviceName: str
    metadata: V1ServiceMetadata
    aiSummary: str
    aiHelpful: str
    createdAt: str
    updatedAt: str


class _V1TicketFields(BaseModel):
    """The seed's fields up to `notes`; the detail and the create answer differ after it."""

    model_config = ConfigDict(populate_by_name=True)

    id: str
    parent_id: str
    date: str
    lastreply: str
    lastupdate: str
    lastedit: str
    editby: str
    ticket_number: str
    acc_hash: str
    dept_id: str
    client_id: str
    creator_id: str
    name: str
    email: str
    cc: str
    bcc: str
    subject: str
    body: str
    status: str
    priority: str
    flags: int
    tags: list[str]
    admin_read: str
    client_read: str
    type: str
    request_type: str
    senderip: str
    escalated: str
    sla_id: str
    start_date: str
    resolve_date: str
    owner_id: str
    metadata: list[str]
    brand_id: str
    deadline: str
    deptname: str
    viewtime: str
    share: str
    share_tag: str
    client_group: str
    status_color: str
    org_deptname: str
    from_: str = Field(alias="from")
    subscriptions: list[str]
    owner: V1Owner
    replies: list[V1Reply]
    attachments: list[str]
    notes: list[str]


class V1Ticket(_V1TicketFields):
    """A ticket as the seed shows it: every field, in its order, ids and counters as strings."""

    number: str
    linkedServices: list[V1LinkedService]


class V1TicketData(BaseModel):
    ticket: V1Ticket


class V1TicketEnvelope(BaseModel):
    success: bool
    timestamp: str
    requestId: str
    data: V1TicketData


class V1Error(BaseModel):
    error: str
    message: str
    code: str
    timestamp: str
    requestId: str


class V1RateLimitedError(BaseModel):
    error: str
    message: str
    retryAfter: str
    requestId: str


def error_responses(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The `responses=` of a route: each error status with its body model."""
    described: dict[int | str, dict[str, object]] = {}
    for status in statuses:
        model = V1RateLimitedError if status == 429 else V1Error
        described[status] = {"model": model, "description": _DESCRIPTIONS[status]}
    return described


_DESCRIPTIONS = {
    400: "A parameter or the body is malformed.",
    401: "No API key, or a malformed, unknown, revoked or expired one.",
    403: "The key lacks the scope, or its client account is not active.",
    404: "Nothing visible to this key has that number.",
    406: "`Accept` rules out JSON.",
    409: "The action does not fit the ticket's state.",
    413: "The body is larger than allowed.",
    415: "The body is not JSON.",
    416: "`Range` names no part of the file (`Content-Range` gives its length).",
    429: "Too many requests.",
}


class V1TicketContext(BaseModel):
    """The service a new ticket is about; it must be the caller's client's."""

    model_config = ConfigDict(extra="forbid")

    service_type: Literal["domain", "hosting", "vps", "other"]
    service_id: RowId
    service_name: ServiceName = ""


class V1CreateTicket(BaseModel):
    """`POST /api/support/tickets`; staff keys also name `client_id`, or a guest name + email."""

    dept_id: RowId
    subject: Subject
    body: MessageBody
    priority: Annotated[StrictInt, Field(ge=0, le=3)]
    context: V1TicketContext | None = None
    ai_summary: AiSummary | None = None
    client_id: RowId | None = None
    name: PersonName | None = None
    email: Email | None = None


class V1CreatedTicket(_V1TicketFields):
    """The created ticket: the detail's fields, with `number` first and a JSON integer."""

    number: int
    linkedServices: list[V1LinkedService]


class V1CreatedTicketData(BaseModel):
    ticket: V1CreatedTicket


class V1CreatedTicketEnvelope(BaseModel):
    success: bool
    timestamp: str
    requestId: str
    data: V1CreatedTicketData


class V1Department(BaseModel):
    id: int
    name: str
    description: str
    email: str
    visible: bool


class V1DepartmentsData(BaseModel):
    departments: list[V1Department]


class V1DepartmentsEnvelope(BaseModel):
    success: bool
    timestamp: str
    requestId: str
    data: V1DepartmentsData
