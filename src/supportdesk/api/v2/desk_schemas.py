"""The desk's wire shapes: the ticket PATCH (also a macro's and a bulk change's `changes`),
notes, bulk changes and macros.

Tags are 1–64 letters, digits and `-_.:`, kept in lower case (`VIP` and `vip` are one tag).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from supportdesk.api.inputs import Email, IsText, MessageBody, Reference, RowId, Slug, Subject
from supportdesk.api.v2.schemas import Priority, V2Note, V2Ticket
from supportdesk.core import columns
from supportdesk.core.text import NO_NUL_PATTERN
from supportdesk.tickets.models import REQUEST_TYPES
from supportdesk.tickets.records import TicketEdit

TAG_LENGTH = 64  # tags.name
STATUS_NAME_LENGTH = 64  # statuses.name
TAGS_PER_TICKET = 50
SUBSCRIBERS_PER_TICKET = 50
BULK_TICKETS = 100
TAG_PATTERN = r"^[A-Za-z0-9_.:-]+$"
_RFC3339 = re.compile(
    r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d{1,6})?([Zz]|[+-]\d\d:\d\d)$", re.ASCII
)
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9998, 12, 31, tzinfo=UTC)

Tag = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TAG_LENGTH, pattern=TAG_PATTERN),
    IsText,
    AfterValidator(str.lower),
]
StatusName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=STATUS_NAME_LENGTH, pattern=NO_NUL_PATTERN),
    IsText,
]
RequestType = Literal[
    "General", "Incident", "Problem", "Task", "Question", "Project", "Delivery", "Billing"
]
assert tuple(RequestType.__args__) == REQUEST_TYPES  # type: ignore[attr-defined]


def parse_moment(value: object) -> object:
    """An RFC 3339 date-time with its offset, between 1970 and 9998 (UTC)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("must be an RFC 3339 date-time with an offset")
    try:
        moment = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise ValueError("must be a date-time between 1970 and 9998") from None
    if not EARLIEST <= moment <= LATEST:
        raise ValueError("must be a date-time between 1970 and 9998")
    return moment


Moment = Annotated[
    datetime, BeforeValidator(parse_moment), Field(json_schema_extra={"format": "date-time"})
]

# The PATCH's field names → TicketEdit's.
_DOMAIN = {
    "status": "status",
    "priority": "priority",
    "ownerId": "owner_id",
    "departmentSlug": "department",
    "subject": "subject",
    "ccEmails": "cc",
    "bccEmails": "bcc",
    "tags": "tags",
    "addTags": "add_tags",
    "removeTags": "remove_tags",
    "deadline": "deadline",
    "requestType": "request_type",
    "internal": "internal",
    "repliesLocked": "replies_locked",
    "clientMayReopen": "client_may_reopen",
    "subscriberIds": "subscribers",
}
Addresses = Annotated[list[Email], Field(max_length=columns.CC_ADDRESSES)]
Tags = Annotated[list[Tag], Field(max_length=TAGS_PER_TICKET)]


class V2TicketPatch(BaseModel):
    """`PATCH /api/v2/support/tickets/{id}`: the fields to change (any of them)."""

    model_config = ConfigDict(extra="forbid")

    status: StatusName | None = Field(
        None, description="A status name (`On-Hold`, custom ones) or a v2 status (`on_hold`)."
    )
    priority: Priority | None = None
    ownerId: RowId | None = Field(None, description="An active staff member; `null` unassigns.")
    departmentSlug: Slug | None = None
    subject: Subject | None = None
    ccEmails: Addresses | None = None
    bccEmails: Addresses | None = None
    tags: Tags | None = Field(None, description="Replaces the tags.")
    addTags: Tags | None = None
    removeTags: Tags | None = None
    deadline: Moment | None = Field(None, description="ISO 8601 with an offset; `null` clears.")
    requestType: RequestType | None = None
    internal: StrictBool | None = None
    repliesLocked: StrictBool | None = None
    clientMayReopen: StrictBool | None = None
    subscriberIds: Annotated[list[RowId], Field(max_length=SUBSCRIBERS_PER_TICKET)] | None = None

    def to_edit(self) -> TicketEdit:
        # A field sent as null clears it where it can be cleared (owner, deadline); elsewhere
        # null is as if the field was not sent.
        given = {
            _DOMAIN[name]
            for name in self.model_fields_set
            if getattr(self, name) is not None or name in ("ownerId", "deadline")
        }
        return TicketEdit(
            given=frozenset(given),
            status=self.status,
            priority=self.priority,
            owner_id=self.ownerId,
            department=self.departmentSlug,
            subject=self.subject,
            cc=tuple(self.ccEmails or ()),
            bcc=tuple(self.bccEmails or ()),
            tags=tuple(self.tags or ()),
            add_tags=tuple(self.addTags or ()),
            remove_tags=tuple(self.removeTags or ()),
            deadline=self.deadline,
            request_type=self.requestType,
            internal=self.internal,
            replies_locked=self.repliesLocked,
            client_may_reopen=self.clientMayReopen,
            subscribers=tuple(self.subscriberIds or ()),
        )


class V2NoteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: MessageBody


class V2Notes(BaseModel):
    notes: list[V2Note]


TicketNumber = Annotated[StrictInt, Field(ge=1, le=columns.TICKET_NUMBER_MAX)]


class V2Bulk(BaseModel):
    """`POST /api/v2/support/tickets/bulk`."""

    model_config = ConfigDict(extra="forbid")

    ticketIds: Annotated[
        list[Reference | TicketNumber], Field(min_length=1, max_length=BULK_TICKETS)
    ]
    changes: V2TicketPatch = Field(default_factory=V2TicketPatch)
    note: MessageBody | None = None


class V2BulkResult(BaseModel):
    ticketId: str | int
    ok: bool
    code: str | None = None
    detail: str | None = None


class V2BulkResults(BaseModel):
    results: list[V2BulkResult]


class V2Macro(BaseModel):
    id: int
    name: str
    body: str
    changes: dict[str, object]
    createdAt: str
    updatedAt: str


class V2Macros(BaseModel):
    macros: list[V2Macro]


class V2ApplyMacro(BaseModel):
    model_config = ConfigDict(extra="forbid")

    macroId: RowId
    preview: StrictBool = False


class V2MacroOutcome(BaseModel):
    preview: bool
    reply: str
    changes: dict[str, dict[str, object]]
    ticket: V2Ticket
