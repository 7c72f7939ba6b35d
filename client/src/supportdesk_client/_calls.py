"""Every operation of the API as a `Call`: the one place that knows paths, fields and shapes.

The sync and async resources are thin: each method builds its call here and sends it.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from email.message import Message as _MimeHeader
from pathlib import Path
from typing import IO, Any, Literal, TypeAlias, TypedDict

import httpx

from supportdesk_client._core import Call, camel, query, segment
from supportdesk_client._models import (
    BulkResult,
    Department,
    Download,
    Event,
    Message,
    Model,
    Note,
    Page,
    Ticket,
    Upload,
    V1Department,
    V1Ticket,
)

TicketId: TypeAlias = str | int
"""A ticket's `tkt_` id or its number."""

FileInput: TypeAlias = bytes | IO[bytes] | Path | str
"""Bytes, an open binary file, or a path to read."""

Json: TypeAlias = dict[str, Any]

V2 = "/api/v2/support"
ADMIN = "/api/v2/admin"
V1 = "/api/support"


class TicketFilters(TypedDict, total=False):
    """Filters of the v2 ticket list (the staff-only ones are refused for client keys)."""

    status: str
    q: str
    department_slug: str
    limit: int
    owner_id: int | Literal["me", "none"]
    client_id: int
    priority: str
    tag: str
    escalated: bool
    overdue: bool
    unread: bool
    sort: Literal["-updatedAt", "-priority", "resolveBy"]


class NewTicket(TypedDict, total=False):
    """Optional fields of a new v2 ticket (`client_id` for staff keys)."""

    priority: Literal["low", "medium", "high", "critical"]
    cc_emails: list[str]
    context: Mapping[str, Any]
    ai_summary: str
    ai_helpful: bool
    critical_reason: str
    attachment_ids: list[str]
    client_id: int


class NewMessage(TypedDict, total=False):
    """Optional fields of a reply (all but `encrypted`/`attachment_ids` are staff-only)."""

    encrypted: bool
    attachment_ids: list[str]
    status: str
    draft: bool
    send_at: datetime | str
    notify: bool
    keep_if_client_replies: bool
    last_seen_message_id: str
    force: bool


class TicketChanges(TypedDict, total=False):
    """What a staff `update` (PATCH) may change; `owner_id=None` unassigns."""

    status: str
    priority: str
    owner_id: int | None
    department_slug: str
    subject: str
    cc_emails: list[str]
    bcc_emails: list[str]
    tags: list[str]
    add_tags: list[str]
    remove_tags: list[str]
    deadline: datetime | str | None
    request_type: str
    internal: bool
    replies_locked: bool
    client_may_reopen: bool
    subscriber_ids: list[int]


class NewV1Ticket(TypedDict, total=False):
    """Optional fields of a v1 ticket (`client_id` or `name` + `email` for staff keys)."""

    context: Mapping[str, Any]
    ai_summary: str
    client_id: int
    name: str
    email: str


class DraftEdit(TypedDict, total=False):
    body: str
    send_at: datetime | str | None
    status: str
    notify: bool
    keep_if_client_replies: bool


def _wire(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, Mapping):
        return {camel(str(name)): _wire(item) for name, item in value.items()}
    if isinstance(value, list | tuple):
        return [_wire(item) for item in value]
    return value


def body(fields: Mapping[str, Any]) -> Json:
    """Keyword arguments as a v2 JSON body (camelCase, datetimes as ISO UTC)."""
    wired: Json = _wire(dict(fields))
    return wired


def _json(response: httpx.Response) -> Any:
    return response.json()


def _model(model: type[Model], key: str | None = None) -> Any:
    def parse(response: httpx.Response) -> Any:
        data = response.json()
        return model.from_json(data[key] if key else data)

    return parse


def _models(model: type[Model], *path: str) -> Any:
    def parse(response: httpx.Response) -> Any:
        data = response.json()
        for key in path:
            data = data[key]
        return [model.from_json(item) for item in data]

    return parse


def _page(model: type[Model] | None) -> Any:
    def parse(response: httpx.Response) -> Page[Any]:
        data = response.json()
        items = data.get("data", [])
        return Page(
            items=[model.from_json(item) for item in items] if model else list(items),
            next_cursor=data.get("nextCursor"),
            has_more=bool(data.get("hasMore", False)),
        )

    return parse


def _nothing(response: httpx.Response) -> None:
    return None


def _ticket_path(ticket_id: TicketId, *rest: str) -> str:
    return "/".join((f"{V2}/tickets", segment(ticket_id), *rest))


# --- v2: tickets ---------------------------------------------------------------------------


def list_tickets(cursor: str | None, filters: TicketFilters) -> Call[Page[Ticket]]:
    params = query(cursor=cursor, **{camel(name): value for name, value in filters.items()})
    return Call("GET", f"{V2}/tickets", _page(Ticket), params=params)


def get_ticket(ticket_id: TicketId) -> Call[Ticket]:
    return Call("GET", _ticket_path(ticket_id), _model(Ticket))


def create_ticket(
    department_slug: str, subject: str, message: str, key: str | None, extra: NewTicket
) -> Call[Ticket]:
    payload = body({"department_slug": department_slug, "subject": subject, "message": message})
    payload.update(body(extra))
    return Call("POST", f"{V2}/tickets", _model(Ticket), json=payload, idempotency_key=key)


def reply(ticket_id: TicketId, message: str, key: str | None, extra: NewMessage) -> Call[Message]:
    payload = body({"message": message, **extra})
    return Call(
        "POST",
        _ticket_path(ticket_id, "messages"),
        _model(Message),
        json=payload,
        idempotency_key=key,
    )


def action(
    ticket_id: TicketId, name: str, key: str | None, payload: Json | None = None
) -> Call[Ticket]:
    return Call(
        "POST",
        _ticket_path(ticket_id, "actions", name),
        _model(Ticket),
        json=payload,
        idempotency_key=key,
    )


def update_ticket(
    ticket_id: TicketId, if_match: str | None, changes: TicketChanges
) -> Call[Ticket]:
    headers = {"If-Match": if_match} if if_match else {}
    return Call(
        "PATCH", _ticket_path(ticket_id), _model(Ticket), json=body(changes), headers=headers
    )


def merge(
    ticket_id: TicketId, into: TicketId, allow_different_clients: bool, key: str | None
) -> Call[Ticket]:
    payload: Json = {"intoTicketId": str(into)}
    if allow_different_clients:
        payload["allowDifferentClients"] = True
    return action(ticket_id, "merge", key, payload)


def split(ticket_id: TicketId, message_id: str, subject: str, key: str | None) -> Call[Ticket]:
    return action(ticket_id, "split", key, {"messageId": message_id, "subject": subject})


def events(ticket_id: TicketId, cursor: str | None, limit: int | None) -> Call[Page[Event]]:
    return Call(
        "GET",
        _ticket_path(ticket_id, "events"),
        _page(Event),
        params=query(cursor=cursor, limit=limit),
    )


def bulk(
    ticket_ids: Sequence[TicketId], changes: TicketChanges, note: str | None, key: str | None
) -> Call[list[BulkResult]]:
    payload: Json = {"ticketIds": [str(each) for each in ticket_ids], "changes": body(changes)}
    if note is not None:
        payload["note"] = note
    return Call(
        "POST",
        f"{V2}/tickets/bulk",
        _models(BulkResult, "results"),
        json=payload,
        idempotency_key=key,
    )


def apply_macro(ticket_id: TicketId, macro_id: int, preview: bool, key: str | None) -> Call[Json]:
    return Call(
        "POST",
        _ticket_path(ticket_id, "actions", "apply-macro"),
        _json,
        json={"macroId": macro_id, "preview": preview},
        idempotency_key=key,
    )


def macros() -> Call[list[Json]]:
    return Call("GET", f"{V2}/macros", lambda response: list(response.json()["macros"]))


def edit_message(ticket_id: TicketId, message_id: str, changes: DraftEdit) -> Call[Message]:
    return Call(
        "PATCH",
        _ticket_path(ticket_id, "messages", segment(message_id)),
        _model(Message),
        json=body(changes),
    )


def send_message(ticket_id: TicketId, message_id: str, key: str | None) -> Call[Message]:
    return Call(
        "POST",
        _ticket_path(ticket_id, "messages", segment(message_id), "actions", "send"),
        _model(Message),
        idempotency_key=key,
    )


# --- v2: notes -----------------------------------------------------------------------------


def list_notes(ticket_id: TicketId) -> Call[list[Note]]:
    return Call("GET", _ticket_path(ticket_id, "notes"), _models(Note, "notes"))


def add_note(ticket_id: TicketId, text: str, key: str | None) -> Call[Note]:
    return Call(
        "POST",
        _ticket_path(ticket_id, "notes"),
        _model(Note),
        json={"body": text},
        idempotency_key=key,
    )


def edit_note(ticket_id: TicketId, note_id: str, text: str) -> Call[Note]:
    return Call(
        "PATCH",
        _ticket_path(ticket_id, "notes", segment(note_id)),
        _model(Note),
        json={"body": text},
    )


def delete_note(ticket_id: TicketId, note_id: str) -> Call[None]:
    return Call("DELETE", _ticket_path(ticket_id, "notes", segment(note_id)), _nothing)


# --- v2: departments and attachments -------------------------------------------------------


def departments() -> Call[list[Department]]:
    return Call("GET", f"{V2}/departments", _models(Department, "departments"))


def _read(file: FileInput) -> tuple[bytes, str | None]:
    if isinstance(file, bytes):
        return file, None
    if isinstance(file, str | Path):
        path = Path(file)
        return path.read_bytes(), path.name
    name = getattr(file, "name", None)
    return file.read(), Path(name).name if isinstance(name, str) else None


def upload(
    file: FileInput,
    filename: str | None,
    content_type: str | None,
    ticket_id: TicketId | None,
    key: str | None,
) -> Call[Upload]:
    # Read whole (uploads are bounded by the server, 10 MiB by default) so a retry resends it.
    content, found_name = _read(file)
    name = filename or found_name or "upload.bin"
    kind = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    data = {"ticketId": str(ticket_id)} if ticket_id is not None else None
    return Call(
        "POST",
        f"{V2}/attachments",
        _model(Upload),
        files={"file": (name, content, kind)},
        data=data,
        idempotency_key=key,
    )


def _download(response: httpx.Response) -> Download:
    disposition = response.headers.get("content-disposition")
    filename = None
    if disposition:
        header = _MimeHeader()
        header["content-disposition"] = disposition
        filename = header.get_filename()
    return Download(
        content=response.content,
        content_type=response.headers.get("content-type"),
        filename=filename,
    )


def download(attachment_id: str, ticket_id: TicketId) -> Call[Download]:
    return Call(
        "GET",
        f"{V2}/attachments/{segment(attachment_id)}",
        _download,
        params={"ticketId": str(ticket_id)},
        headers={"Accept": "*/*"},
    )


# --- v1 ------------------------------------------------------------------------------------


def v1_ticket(number: int | str) -> Call[V1Ticket]:
    return Call(
        "GET",
        f"{V1}/tickets/{segment(number)}",
        lambda response: V1Ticket.from_json(response.json()["data"]["ticket"]),
    )


def v1_create(
    dept_id: int, subject: str, text: str, priority: int, key: str | None, extra: NewV1Ticket
) -> Call[V1Ticket]:
    payload: Json = {"dept_id": dept_id, "subject": subject, "body": text, "priority": priority}
    payload.update(
        {
            name: dict(value) if isinstance(value, Mapping) else value
            for name, value in extra.items()
        }
    )
    return Call(
        "POST",
        f"{V1}/tickets",
        lambda response: V1Ticket.from_json(response.json()["data"]["ticket"]),
        json=payload,
        idempotency_key=key,
    )


def v1_departments() -> Call[list[V1Department]]:
    return Call(
        "GET",
        f"{V1}/departments",
        lambda response: [
            V1Department.from_json(item) for item in response.json()["data"]["departments"]
        ],
    )


def v1_download(number: int | str, attachment_id: int | str) -> Call[Download]:
    return Call(
        "GET",
        f"{V1}/tickets/{segment(number)}/attachments/{segment(attachment_id)}",
        _download,
        headers={"Accept": "*/*"},
    )


# --- v2: administration (generic: each resource answers JSON objects as dicts) -------------


def admin_list(path: str, cursor: str | None, filters: Mapping[str, Any]) -> Call[Page[Json]]:
    params = query(cursor=cursor, **{camel(name): value for name, value in filters.items()})
    return Call("GET", f"{ADMIN}/{path}", _page(None), params=params)


def admin_get(path: str, item_id: int | str) -> Call[Json]:
    return Call("GET", f"{ADMIN}/{path}/{segment(item_id)}", _json)


def admin_create(path: str, fields: Mapping[str, Any], key: str | None) -> Call[Json]:
    return Call("POST", f"{ADMIN}/{path}", _json, json=body(fields), idempotency_key=key)


def admin_update(path: str, item_id: int | str, fields: Mapping[str, Any]) -> Call[Json]:
    return Call("PATCH", f"{ADMIN}/{path}/{segment(item_id)}", _json, json=body(fields))


def admin_delete(path: str, item_id: int | str) -> Call[Json | None]:
    return Call(
        "DELETE",
        f"{ADMIN}/{path}/{segment(item_id)}",
        lambda response: response.json() if response.content else None,
    )
