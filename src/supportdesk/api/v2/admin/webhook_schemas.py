"""Wire shapes of `/api/v2/admin/webhooks`: bodies and answers."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from supportdesk.api.inputs import IsText, _limited
from supportdesk.api.v2.admin.schemas import NoNull
from supportdesk.webhooks.models import URL_LENGTH
from supportdesk.webhooks.outbox import EventType

Events = Annotated[list[EventType], Field(min_length=1, max_length=8)] | Literal["*"]
Url = Annotated[
    str,
    _limited(URL_LENGTH, min_length=1),
    IsText,
    Field(description="An http or https URL; private and loopback addresses are refused."),
]
DeliveryStatus = Literal["pending", "delivering", "delivered", "failed"]


class V2AdminWebhookCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url
    events: Events = "*"
    active: StrictBool = True


class V2AdminWebhookPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: Url | NoNull = None
    events: Events | NoNull = None
    active: StrictBool | NoNull = None


class V2AdminWebhookOut(BaseModel):
    id: int
    url: str
    events: Events
    active: bool
    consecutiveFailures: int
    failingSince: str | None
    disabledAt: str | None
    disabledReason: str | None
    createdAt: str
    updatedAt: str


class V2AdminWebhookCreated(V2AdminWebhookOut):
    secret: str = Field(
        description="The signing secret (`whsec_` + base64, Standard Webhooks): shown this once."
    )


class V2AdminWebhookPage(BaseModel):
    data: list[V2AdminWebhookOut]
    nextCursor: str | None
    hasMore: bool


class V2AdminWebhookAttempt(BaseModel):
    at: str
    statusCode: int | None
    error: str | None
    durationMs: int


class V2AdminWebhookDelivery(BaseModel):
    id: str = Field(description="The `webhook-id` every attempt of this delivery carries.")
    endpointId: int
    ticketId: str
    type: EventType
    status: DeliveryStatus
    attempts: int
    nextAttemptAt: str | None
    lastStatusCode: int | None
    lastError: str | None
    createdAt: str
    deliveredAt: str | None
    attemptLog: list[V2AdminWebhookAttempt] = Field(
        description="The latest attempts, oldest first."
    )


class V2AdminWebhookDeliveryPage(BaseModel):
    data: list[V2AdminWebhookDelivery]
    nextCursor: str | None
    hasMore: bool
