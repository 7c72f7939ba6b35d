"""v2 wire shapes of the desk's conversation routes: staff messages, merge, split, timeline."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, StrictBool

from supportdesk.api.inputs import MessageBody, Reference, SendAt, StatusName, Subject
from supportdesk.api.v2.schemas import V2Message


class V2EditMessage(BaseModel):
    """`PATCH .../messages/{messageId}`: a draft or a scheduled message; `sendAt: null` makes a
    scheduled message a draft again, a time schedules a draft."""

    model_config = ConfigDict(extra="forbid")

    message: MessageBody | None = None
    sendAt: SendAt | None = None
    status: StatusName | None = None
    notify: StrictBool | None = None
    keepIfClientReplies: StrictBool | None = None


class V2StaffMessage(V2Message):
    """A staff message with its desk state: `sent`, `draft` or `scheduled` (then `sendAt`)."""

    state: Literal["sent", "draft", "scheduled"]
    sendAt: str | None


class V2Merge(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intoTicketId: Reference
    allowDifferentClients: StrictBool = False


class V2Split(BaseModel):
    model_config = ConfigDict(extra="forbid")

    messageId: Reference
    subject: Subject


class V2EventActor(BaseModel):
    type: Literal["client", "staff", "system"]
    id: int | None
    name: str


class V2Event(BaseModel):
    id: int
    at: str
    actor: V2EventActor
    via: str
    kind: str
    changes: dict[str, dict[str, Any]]


class V2EventPage(BaseModel):
    data: list[V2Event]
    nextCursor: str | None
    hasMore: bool
