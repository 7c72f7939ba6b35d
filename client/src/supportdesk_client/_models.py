"""What the server answers, as frozen dataclasses that tolerate fields they do not know.

Each model keeps the whole JSON object it was read from in `raw` (unknown and future fields
included, under their wire names); the attributes are the known fields in snake_case, `None`
(or empty) when the server left one out. v2 timestamps become aware `datetime`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, Generic, Self, TypeVar

__all__ = [
    "Actor",
    "Attachment",
    "BulkResult",
    "Department",
    "Desk",
    "Download",
    "Event",
    "LinkedService",
    "Message",
    "Model",
    "Note",
    "Page",
    "Person",
    "Ticket",
    "Upload",
    "V1Department",
    "V1Ticket",
]

Convert = Callable[[Any], Any]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _one(model: type[Model]) -> Convert:
    return lambda value: model.from_json(value) if isinstance(value, Mapping) else None


def _many(model: type[Model]) -> Convert:
    return lambda value: (
        [model.from_json(item) for item in value if isinstance(item, Mapping)]
        if isinstance(value, list)
        else []
    )


def _f(convert: Convert | None = None, *, key: str | None = None) -> Any:
    return field(default=None, metadata={"convert": convert, "key": key})


def _list(convert: Convert | None = None) -> Any:
    return field(default_factory=list, metadata={"convert": convert, "key": None})


@dataclass(frozen=True, slots=True)
class Model:
    """Base of every model: `raw` is the JSON object as received."""

    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _camel_case: ClassVar[bool] = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Self:
        values: dict[str, Any] = {}
        for spec in fields(cls):
            if spec.name == "raw":
                continue
            key = spec.metadata.get("key") or (_camel(spec.name) if cls._camel_case else spec.name)
            if key in data:
                convert = spec.metadata.get("convert")
                values[spec.name] = convert(data[key]) if convert else data[key]
        return cls(raw=dict(data), **values)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object as the server sent it."""
        return dict(self.raw)


@dataclass(frozen=True, slots=True)
class Attachment(Model):
    id: str = _f()
    filename: str = _f()
    byte_length: int = _f()
    content_type: str = _f()
    download_url: str = _f()
    uploaded_at: datetime | None = _f(_when)


@dataclass(frozen=True, slots=True)
class Upload(Model):
    """A stored upload (`satt_` id), to be named in `attachment_ids` of a ticket or reply."""

    attachment_id: str = _f()
    url: str = _f()
    filename: str = _f()
    byte_length: int = _f()
    content_type: str = _f()
    uploaded_at: datetime | None = _f(_when)
    ticket_id: str | None = _f()


@dataclass(frozen=True, slots=True)
class Download:
    """An attachment's bytes with the type and file name the server gave."""

    content: bytes
    content_type: str | None
    filename: str | None


@dataclass(frozen=True, slots=True)
class Message(Model):
    id: str = _f()
    ticket_id: str = _f()
    sent_at: datetime | None = _f(_when)
    body: str = _f()
    sender: str = _f()
    sender_name: str | None = _f()
    encrypted: bool = _f()
    attachments: list[Attachment] = _list(_many(Attachment))
    # Staff drafts and scheduled replies only:
    state: str | None = _f()
    send_at: datetime | None = _f(_when)


@dataclass(frozen=True, slots=True)
class LinkedService(Model):
    service_type: str = _f()
    service_id: int | str | None = _f()
    service_name: str | None = _f()
    details: dict[str, Any] | None = _f()


@dataclass(frozen=True, slots=True)
class Person(Model):
    """A staff member as the desk shows one (owner, note author)."""

    id: int | None = _f()
    name: str | None = _f()
    username: str | None = _f()


@dataclass(frozen=True, slots=True)
class Note(Model):
    """An internal note: staff keys only."""

    id: str = _f()
    body: str = _f()
    author: Person | None = _f(_one(Person))
    created_at: datetime | None = _f(_when)
    updated_at: datetime | None = _f(_when)


@dataclass(frozen=True, slots=True)
class Desk(Model):
    """The staff view of a ticket (`desk` of the v2 ticket, staff keys only)."""

    status_name: str | None = _f()
    client_id: int | None = _f()
    owner_id: int | None = _f()
    owner: Person | None = _f(_one(Person))
    tags: list[str] = _list()
    bcc_emails: list[str] = _list()
    subscriber_ids: list[int] = _list()
    unread: bool | None = _f()
    request_type: str | None = _f()
    deadline: datetime | None = _f(_when)
    internal: bool | None = _f()
    replies_locked: bool | None = _f()
    client_may_reopen: bool | None = _f()
    escalation_level: int | None = _f()
    sla_policy_id: int | None = _f()
    resolve_by: datetime | None = _f(_when)
    merged_into: str | None = _f()
    merged_from: list[str] = _list()
    notes: list[Note] = _list(_many(Note))
    drafts: list[Message] = _list(_many(Message))


@dataclass(frozen=True, slots=True)
class Ticket(Model):
    """A v2 ticket: the detail, or a list summary (no body, attachments or messages)."""

    id: str = _f()
    number: str = _f()
    subject: str = _f()
    status: str = _f()
    priority: str = _f()
    department_slug: str | None = _f()
    department_name: str | None = _f()
    created_at: datetime | None = _f(_when)
    updated_at: datetime | None = _f(_when)
    last_message_at: datetime | None = _f(_when)
    cc_emails: list[str] = _list()
    requester_name: str | None = _f()
    message_count: int | None = _f()
    linked_services: list[LinkedService] = _list(_many(LinkedService))
    ai_summary: str | None = _f()
    ai_helpful: bool | None = _f()
    body: str | None = _f()
    attachments: list[Attachment] = _list(_many(Attachment))
    messages: list[Message] = _list(_many(Message))
    desk: Desk | None = _f(_one(Desk))


@dataclass(frozen=True, slots=True)
class Department(Model):
    slug: str = _f()
    display_name: str = _f()
    description: str | None = _f()
    email: str | None = _f()


@dataclass(frozen=True, slots=True)
class Actor(Model):
    type: str = _f()
    id: int | None = _f()
    name: str | None = _f()


@dataclass(frozen=True, slots=True)
class Event(Model):
    """One entry of a ticket's timeline."""

    id: str = _f()
    at: datetime | None = _f(_when)
    actor: Actor | None = _f(_one(Actor))
    via: str | None = _f()
    kind: str = _f()
    changes: dict[str, Any] = field(default_factory=dict, metadata={"convert": None, "key": None})


@dataclass(frozen=True, slots=True)
class BulkResult(Model):
    ticket_id: str = _f()
    ok: bool = _f()
    code: str | None = _f()
    detail: str | None = _f()


@dataclass(frozen=True, slots=True)
class V1Ticket(Model):
    """A v1 ticket (`data.ticket`): the seed's fields are all in `raw`, the common ones here."""

    _camel_case: ClassVar[bool] = False

    id: int = _f()
    ticket_number: str = _f()
    number: int | None = _f()
    subject: str = _f()
    body: str = _f()
    status: str = _f()
    priority: int | str = _f()
    dept_id: int = _f()
    deptname: str | None = _f()
    client_id: int | None = _f()
    date: str | None = _f()
    lastreply: str | None = _f()


@dataclass(frozen=True, slots=True)
class V1Department(Model):
    _camel_case: ClassVar[bool] = False

    id: int = _f()
    name: str = _f()
    description: str | None = _f()
    email: str | None = _f()
    visible: bool = _f()


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a cursor-paged list; `next_cursor` asks for the next (None at the end)."""

    items: list[T]
    next_cursor: str | None
    has_more: bool

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)
