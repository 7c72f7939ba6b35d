"""Every input of every route, and how to send a value through it, for the input tests.

An `Input` is one field, path or query parameter, or form field of one route. `send` puts a
value in an otherwise valid request: a `str` (NUL, a lone surrogate, too long...), an `int`, or
raw `bytes` (which are not UTF-8). `columns` names the columns the input lands in or is compared
with (`tests/core/test_columns.py` proves each String and Integer column of the metadata is
mapped here or listed as not client-writable).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote, quote_from_bytes

import httpx

from supportdesk.api.v2.cursor import CursorCodec
from supportdesk.core import columns as sizes
from tests.conversation_builders import Cast

NUMBER = 616828
UNKNOWN_MESSAGE = "tmsg_" + "0" * 26
LOG = b"2026-11-27 09:51:56 kernel: panic - not syncing\n"
RAW = "__raw_bytes__"  # where raw bytes go in a JSON body
Value = str | int | bytes


@dataclass(frozen=True, slots=True)
class Scene:
    """The data the requests name: the client's open ticket, a file on it, a service."""

    api: httpx.AsyncClient
    # The app's own cursor codec: a forged cursor that only its id makes unacceptable.
    cursors: CursorCodec
    cast: Cast
    ticket_id: str
    attachment_id: int
    attachment_public_id: str
    service_id: int

    @property
    def dept_id(self) -> int:
        return self.cast.world.dept_id


Sender = Callable[[Scene, Value], Awaitable[httpx.Response]]
Where = Literal["body", "path", "query", "form"]


@dataclass(frozen=True, slots=True)
class Input:
    label: str
    v2: bool
    where: Where
    kind: Literal["text", "integer", "reference", "choice"]
    send: Sender
    # maxLength (text), maximum (integer); a reference is text up to this length, or a number.
    limit: int
    # (method, path, the parameter's name or the body field's dotted path) in the document.
    openapi: tuple[str, str, str]
    columns: tuple[str, ...] = ()
    # A number past the range, when not the generation's 400: v2 references name no ticket.
    past_range: tuple[int, str] | None = None
    # Other codes a refusal may carry (a cursor is `invalid_cursor` whatever is wrong with it).
    codes: frozenset[str] = field(default_factory=frozenset)

    def refusal(self) -> tuple[int, str]:
        if self.v2:
            return 400, "invalid_request"
        return 400, "VALIDATION_ERROR" if self.where in ("body", "form") else "INVALID_PARAMETER"


# --- sending a value ---------------------------------------------------------------------------


def _set(body: dict[str, Any], dotted: str, value: Value) -> dict[str, Any]:
    target: Any = body
    *parents, last = dotted.split(".")
    for part in parents:
        target = target[part]
    where: Any = int(last) if isinstance(target, list) else last
    target[where] = RAW if isinstance(value, bytes) else value
    return body


def _json(body: dict[str, Any], value: Value) -> bytes:
    data = json.dumps(body).encode()  # ensure_ascii: a lone surrogate goes as `\ud800`
    if isinstance(value, bytes):
        data = data.replace(f'"{RAW}"'.encode(), b'"' + value + b'"')
    return data


async def _post_json(
    scene: Scene, path: str, key: str, body: dict[str, Any], value: Value
) -> httpx.Response:
    return await scene.api.post(
        path,
        content=_json(body, value),
        headers={"X-API-Key": key, "Content-Type": "application/json"},
    )


def _quoted(value: Value) -> str:
    if isinstance(value, bytes):
        return quote_from_bytes(value, safe="")
    return quote(str(value), safe="")


def _keyed(scene: Scene, staff: bool) -> dict[str, str]:
    return {"X-API-Key": scene.cast.staff_key if staff else scene.cast.client_key}


def v1_create(pointer: str, /, *, staff: bool = False, **extra: Any) -> Sender:
    async def send(scene: Scene, value: Value) -> httpx.Response:
        body: dict[str, Any] = {
            "dept_id": scene.dept_id,
            "subject": "Mail bounces",
            "body": "Since this morning every message bounces.",
            "priority": 1,
            **({"client_id": scene.cast.world.client_id} if staff else {}),
            **{k: v(scene) if callable(v) else v for k, v in extra.items()},
        }
        key = _keyed(scene, staff)["X-API-Key"]
        return await _post_json(
            scene, "/api/support/tickets", key, _set(body, pointer, value), value
        )

    return send


def v2_create(pointer: str, /, *, staff: bool = False, **extra: Any) -> Sender:
    async def send(scene: Scene, value: Value) -> httpx.Response:
        body: dict[str, Any] = {
            "departmentSlug": scene.cast.dept_slug,
            "subject": "Mail bounces",
            "message": "Since this morning every message bounces.",
            **({"clientId": scene.cast.world.client_id} if staff else {}),
            **{k: v(scene) if callable(v) else v for k, v in extra.items()},
        }
        key = _keyed(scene, staff)["X-API-Key"]
        return await _post_json(
            scene, "/api/v2/support/tickets", key, _set(body, pointer, value), value
        )

    return send


def v2_message(pointer: str, /, **extra: Any) -> Sender:
    async def send(scene: Scene, value: Value) -> httpx.Response:
        body = _set({"message": "Any news?", **extra}, pointer, value)
        path = f"/api/v2/support/tickets/{NUMBER}/messages"
        return await _post_json(scene, path, scene.cast.client_key, body, value)

    return send


def desk_json(method: str, template: str, pointer: str, /, **base: Any) -> Sender:
    """A desk request (the Cast's staff key holds `manage:support`) whose body field `pointer`
    is `value`; `{number}` in the template is the scene's ticket."""

    async def send(scene: Scene, value: Value) -> httpx.Response:
        body = _set({k: v(scene) if callable(v) else v for k, v in base.items()}, pointer, value)
        return await scene.api.request(
            method,
            template.format(number=NUMBER),
            content=_json(body, value),
            headers={**_keyed(scene, True), "Content-Type": "application/json"},
        )

    return send


def v2_staff_json(
    method: str, template: str, pointer: str, /, body: dict[str, Any] | None = None
) -> Sender:
    """A staff key's JSON request to `template` (`{number}`, `{ticket}`, `{message}` filled in)
    whose body field `pointer` is the value."""

    async def send(scene: Scene, value: Value) -> httpx.Response:
        url = template.format(number=NUMBER, ticket=scene.ticket_id, message=UNKNOWN_MESSAGE)
        content = _json(_set(dict(body or {}), pointer, value), value)
        headers = {**_keyed(scene, True), "Content-Type": "application/json"}
        return await scene.api.request(method, url, content=content, headers=headers)

    return send


def staff_call(method: str, template: str, body: dict[str, Any] | None = None) -> Sender:
    """A staff key's request whose path has `{value}` (percent-encoded here, as sent)."""

    async def send(scene: Scene, value: Value) -> httpx.Response:
        url = template.format(value=_quoted(value), number=NUMBER, message=UNKNOWN_MESSAGE)
        return await scene.api.request(method, url, headers=_keyed(scene, True), json=body)

    return send


def events_with_cursor_id(scene: Scene, value: Value) -> Any:
    """The timeline with a cursor this server could have issued, naming event `value`."""
    forged = (
        scene.cursors.encode(datetime(2026, 11, 27, tzinfo=UTC), value)
        if isinstance(value, int)
        else value
    )
    url = f"/api/v2/support/tickets/{NUMBER}/events?cursor={_quoted(forged)}"
    return scene.api.get(url, headers=_keyed(scene, True))


def get(template: str, *, query: str = "", staff: bool = False) -> Sender:
    """A GET whose path or query has `{value}` (percent-encoded here, as sent)."""

    async def send(scene: Scene, value: Value) -> httpx.Response:
        filled = {"value": _quoted(value), "number": NUMBER, "ticket": scene.ticket_id}
        url = template.format(**filled) + ("?" + query.format(**filled) if query else "")
        return await scene.api.get(url, headers=_keyed(scene, staff))

    return send


def post(template: str, body: dict[str, Any] | None = None) -> Sender:
    async def send(scene: Scene, value: Value) -> httpx.Response:
        url = template.format(value=_quoted(value))
        return await scene.api.post(url, headers=_keyed(scene, False), json=body)

    return send


def list_with_cursor_id(scene: Scene, value: Value) -> Any:
    """The list with a cursor this server could have issued (tagged with its own secret),
    naming `value` as the last ticket's id; text values go as the cursor itself."""
    forged = (
        scene.cursors.encode(datetime(2026, 11, 27, tzinfo=UTC), value)
        if isinstance(value, int)
        else value
    )
    url = f"/api/v2/support/tickets?cursor={_quoted(forged)}"
    return scene.api.get(url, headers=_keyed(scene, False))


def upload_with(part: str) -> Sender:
    """An upload whose form field `part` (`ticketId`, or the file's `filename`) is `value`."""

    async def send(scene: Scene, value: Value) -> httpx.Response:
        raw = value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")
        filename = raw if part == "filename" else b"console.log"
        fields = b""
        if part == "ticketId":
            fields = (
                b'--B\r\nContent-Disposition: form-data; name="ticketId"\r\n\r\n' + raw + b"\r\n"
            )
        body = (
            fields
            + b'--B\r\nContent-Disposition: form-data; name="file"; filename="'
            + filename
            + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
            + LOG
            + b"\r\n--B--\r\n"
        )
        headers = {**_keyed(scene, False), "Content-Type": "multipart/form-data; boundary=B"}
        return await scene.api.post("/api/v2/support/attachments", content=body, headers=headers)

    return send


# --- the catalogue -------------------------------------------------------------------------------

V1_TICKETS = "/api/support/tickets"
V2_TICKETS = "/api/v2/support/tickets"
V1_DOWNLOAD = "/api/support/tickets/{number}/attachments/{attachment_id}"
V2_DOWNLOAD = "/api/v2/support/attachments/{attachment_id}"
V2_TICKET = "/api/v2/support/tickets/{ticket_id}"
V2_MESSAGES = "/api/v2/support/tickets/{ticket_id}/messages"
V2_UPLOAD = "/api/v2/support/attachments"
V2_MESSAGE = V2_MESSAGES + "/{message_id}"
V2_SEND = V2_MESSAGE + "/actions/send"
V2_MERGE = V2_TICKET + "/actions/merge"
V2_SPLIT = V2_TICKET + "/actions/split"
V2_EVENTS = V2_TICKET + "/events"
V2_SLA = V2_TICKET + "/sla"
_OF_NUMBER = V2_TICKETS + "/{number}"
_MESSAGE_OF_NUMBER = _OF_NUMBER + "/messages/{message}"


def _v1_context(scene: Scene) -> dict[str, Any]:
    return {"service_type": "vps", "service_id": scene.service_id}


def _v2_context(scene: Scene) -> dict[str, Any]:
    return {"serviceType": "vps", "serviceId": scene.service_id}


V2_NOTES = V2_TICKET + "/notes"
V2_NOTE = V2_NOTES + "/{note_id}"
V2_BULK = V2_TICKETS + "/bulk"
V2_APPLY_MACRO = V2_TICKET + "/actions/apply-macro"
_PATCH = V2_TICKETS + "/{number}"
_NOTE_PATH = V2_TICKETS + "/{number}/notes/tnote_" + "0" * 26
_NOT_FOUND = (404, "not_found")
_TICKET_REF = ("tickets.public_id", "tickets.ticket_number")
S = sizes

# fmt: off
INPUTS = [
    # v1: open a ticket
    Input("v1 create subject", False, "body", "text", v1_create("subject"), S.SUBJECT_LENGTH,
          ("post", V1_TICKETS, "subject"), ("tickets.subject",)),
    Input("v1 create body", False, "body", "text", v1_create("body"), S.MESSAGE_LENGTH,
          ("post", V1_TICKETS, "body"), ("tickets.body",)),
    Input("v1 create name (a staff key's guest)", False, "body", "text",
          v1_create("name", staff=True, client_id=None, email="guest@example.com"),
          S.PERSON_NAME_LENGTH, ("post", V1_TICKETS, "name"), ("tickets.name",)),
    Input("v1 create email (a staff key's guest)", False, "body", "text",
          v1_create("email", staff=True, client_id=None, name="A Guest"),
          S.EMAIL_LENGTH, ("post", V1_TICKETS, "email"), ("tickets.email",)),
    Input("v1 create ai_summary", False, "body", "text",
          v1_create("ai_summary", context=_v1_context), S.AI_SUMMARY_LENGTH,
          ("post", V1_TICKETS, "ai_summary"), ("ticket_services.ai_summary",)),
    Input("v1 create context.service_name (not stored)", False, "body", "text",
          v1_create("context.service_name", context=_v1_context), S.SERVICE_NAME_LENGTH,
          ("post", V1_TICKETS, "context.service_name")),
    Input("v1 create dept_id", False, "body", "integer", v1_create("dept_id"), S.ROW_ID_MAX,
          ("post", V1_TICKETS, "dept_id"), ("tickets.dept_id", "departments.id")),
    Input("v1 create client_id (a staff key's)", False, "body", "integer",
          v1_create("client_id", staff=True), S.ROW_ID_MAX,
          ("post", V1_TICKETS, "client_id"), ("tickets.client_id", "clients.id")),
    Input("v1 create context.service_id", False, "body", "integer",
          v1_create("context.service_id", context=_v1_context), S.ROW_ID_MAX,
          ("post", V1_TICKETS, "context.service_id"),
          ("ticket_services.service_id", "services.id")),
    Input("v1 create priority", False, "body", "integer", v1_create("priority"), 3,
          ("post", V1_TICKETS, "priority"), ("tickets.priority",)),
    Input("v1 create context.service_type", False, "body", "choice",
          v1_create("context.service_type", context=_v1_context), S.SERVICE_TYPE_LENGTH,
          ("post", V1_TICKETS, "context.service_type"), ("services.service_type",)),
    # v1: read a ticket, download a file
    Input("v1 detail {number}", False, "path", "integer", get("/api/support/tickets/{value}"),
          S.TICKET_NUMBER_MAX, ("get", "/api/support/tickets/{number}", "number"),
          ("tickets.ticket_number",)),
    Input("v1 download {number}", False, "path", "integer",
          get("/api/support/tickets/{value}/attachments/1"), S.TICKET_NUMBER_MAX,
          ("get", V1_DOWNLOAD, "number"), ("tickets.ticket_number",)),
    Input("v1 download {attachment_id}", False, "path", "integer",
          get("/api/support/tickets/{number}/attachments/{value}"), S.ROW_ID_MAX,
          ("get", V1_DOWNLOAD, "attachment_id"), ("attachments.id",)),
    # v2: the list
    Input("v2 list departmentSlug", True, "query", "text",
          get(V2_TICKETS, query="departmentSlug={value}"), S.SLUG_LENGTH,
          ("get", V2_TICKETS, "departmentSlug"), ("departments.slug",)),
    Input("v2 list limit", True, "query", "integer", get(V2_TICKETS, query="limit={value}"),
          100, ("get", V2_TICKETS, "limit")),
    Input("v2 list status", True, "query", "choice", get(V2_TICKETS, query="status={value}"),
          S.V2_STATUS_LENGTH, ("get", V2_TICKETS, "status"), ("statuses.v2_status",)),
    Input("v2 list q", True, "query", "text", get(V2_TICKETS, query="q={value}"),
          S.SEARCH_QUERY_LENGTH, ("get", V2_TICKETS, "q")),
    Input("v2 list ownerId (a staff key's)", True, "query", "text",
          get(V2_TICKETS, query="ownerId={value}", staff=True), 10,
          ("get", V2_TICKETS, "ownerId"), ("tickets.owner_id",)),
    Input("v2 list clientId (a staff key's)", True, "query", "integer",
          get(V2_TICKETS, query="clientId={value}", staff=True), S.ROW_ID_MAX,
          ("get", V2_TICKETS, "clientId"), ("tickets.client_id", "clients.id")),
    Input("v2 list tag (a staff key's)", True, "query", "text",
          get(V2_TICKETS, query="tag={value}", staff=True), S.TAG_NAME_LENGTH,
          ("get", V2_TICKETS, "tag"), ("tags.name",)),
    Input("v2 list priority (a staff key's)", True, "query", "choice",
          get(V2_TICKETS, query="priority={value}", staff=True), S.PRIORITY_LENGTH,
          ("get", V2_TICKETS, "priority"), ("tickets.priority",)),
    Input("v2 list sort (a staff key's)", True, "query", "choice",
          get(V2_TICKETS, query="sort={value}", staff=True), S.PRIORITY_LENGTH,
          ("get", V2_TICKETS, "sort")),
    Input("v2 list cursor (the id it names)", True, "query", "integer", list_with_cursor_id,
          S.ROW_ID_MAX, ("get", V2_TICKETS, "cursor"), ("tickets.id",),
          past_range=(400, "invalid_cursor"), codes=frozenset({"invalid_cursor"})),
    # v2: open a ticket
    Input("v2 create departmentSlug", True, "body", "text", v2_create("departmentSlug"),
          S.SLUG_LENGTH, ("post", V2_TICKETS, "departmentSlug"), ("departments.slug",)),
    Input("v2 create subject", True, "body", "text", v2_create("subject"), S.SUBJECT_LENGTH,
          ("post", V2_TICKETS, "subject"), ("tickets.subject",)),
    Input("v2 create message", True, "body", "text", v2_create("message"), S.MESSAGE_LENGTH,
          ("post", V2_TICKETS, "message"), ("tickets.body",)),
    Input("v2 create ccEmails[0]", True, "body", "text", v2_create("ccEmails.0", ccEmails=[""]),
          S.EMAIL_LENGTH, ("post", V2_TICKETS, "ccEmails.0"), ("tickets.cc",)),
    Input("v2 create aiSummary", True, "body", "text",
          v2_create("aiSummary", context=_v2_context), S.AI_SUMMARY_LENGTH,
          ("post", V2_TICKETS, "aiSummary"), ("ticket_services.ai_summary",)),
    Input("v2 create criticalReason", True, "body", "text",
          v2_create("criticalReason", priority="critical"), S.CRITICAL_REASON_LENGTH,
          ("post", V2_TICKETS, "criticalReason"), ("tickets.critical_reason",)),
    Input("v2 create attachmentIds[0]", True, "body", "text",
          v2_create("attachmentIds.0", attachmentIds=[""]), S.PUBLIC_ID_LENGTH,
          ("post", V2_TICKETS, "attachmentIds.0"), ("attachments.upload_id",)),
    Input("v2 create priority", True, "body", "choice", v2_create("priority"),
          S.PRIORITY_LENGTH, ("post", V2_TICKETS, "priority"), ("tickets.priority",)),
    Input("v2 create context.serviceType", True, "body", "choice",
          v2_create("context.serviceType", context=_v2_context), S.SERVICE_TYPE_LENGTH,
          ("post", V2_TICKETS, "context.serviceType"), ("services.service_type",)),
    Input("v2 create context.serviceId", True, "body", "integer",
          v2_create("context.serviceId", context=_v2_context), S.ROW_ID_MAX,
          ("post", V2_TICKETS, "context.serviceId"),
          ("ticket_services.service_id", "services.id")),
    Input("v2 create clientId (a staff key's)", True, "body", "integer",
          v2_create("clientId", staff=True), S.ROW_ID_MAX,
          ("post", V2_TICKETS, "clientId"), ("tickets.client_id", "clients.id")),
    # v2: a ticket by reference, its messages, its actions
    Input("v2 detail {ticket_id}", True, "path", "reference", get(V2_TICKETS + "/{value}"),
          S.PUBLIC_ID_LENGTH, ("get", V2_TICKET, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 messages {ticket_id}", True, "path", "reference",
          post(V2_TICKETS + "/{value}/messages", {"message": "Any news?"}), S.PUBLIC_ID_LENGTH,
          ("post", V2_MESSAGES, "ticket_id"), _TICKET_REF, past_range=_NOT_FOUND),
    Input("v2 close {ticket_id}", True, "path", "reference",
          post(V2_TICKETS + "/{value}/actions/close"), S.PUBLIC_ID_LENGTH,
          ("post", V2_TICKET + "/actions/close", "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 reopen {ticket_id}", True, "path", "reference",
          post(V2_TICKETS + "/{value}/actions/reopen"), S.PUBLIC_ID_LENGTH,
          ("post", V2_TICKET + "/actions/reopen", "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 messages message", True, "body", "text", v2_message("message"),
          S.MESSAGE_LENGTH, ("post", V2_MESSAGES, "message"), ("replies.body",)),
    Input("v2 messages attachmentIds[0]", True, "body", "text",
          v2_message("attachmentIds.0", attachmentIds=[""]), S.PUBLIC_ID_LENGTH,
          ("post", V2_MESSAGES, "attachmentIds.0"), ("attachments.upload_id",)),
    # v2, the desk: a staff key's messages, drafts, merge, split, timeline
    Input("v2 messages status (a staff key's)", True, "body", "text",
          v2_staff_json("POST", _OF_NUMBER + "/messages", "status", {"message": "Done."}),
          S.STATUS_NAME_LENGTH, ("post", V2_MESSAGES, "status"), ("replies.status_after",)),
    Input("v2 messages lastSeenMessageId (a staff key's)", True, "body", "text",
          v2_staff_json("POST", _OF_NUMBER + "/messages", "lastSeenMessageId", {"message": "m"}),
          S.PUBLIC_ID_LENGTH, ("post", V2_MESSAGES, "lastSeenMessageId"), ("replies.public_id",)),
    Input("v2 edit message {message_id}", True, "path", "text",
          staff_call("PATCH", _OF_NUMBER + "/messages/{value}", {"message": "m"}),
          S.PUBLIC_ID_LENGTH, ("patch", V2_MESSAGE, "message_id"), ("replies.public_id",)),
    Input("v2 edit message {ticket_id}", True, "path", "reference",
          staff_call("PATCH", V2_TICKETS + "/{value}/messages/{message}", {"message": "m"}),
          S.PUBLIC_ID_LENGTH, ("patch", V2_MESSAGE, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    # Not stored at the limit: the message it edits does not exist (404).
    Input("v2 edit message message", True, "body", "text",
          v2_staff_json("PATCH", _MESSAGE_OF_NUMBER, "message"), S.MESSAGE_LENGTH,
          ("patch", V2_MESSAGE, "message")),
    Input("v2 edit message status", True, "body", "text",
          v2_staff_json("PATCH", _MESSAGE_OF_NUMBER, "status"), S.STATUS_NAME_LENGTH,
          ("patch", V2_MESSAGE, "status"), ("replies.status_after",)),
    Input("v2 send message {message_id}", True, "path", "text",
          staff_call("POST", _OF_NUMBER + "/messages/{value}/actions/send"),
          S.PUBLIC_ID_LENGTH, ("post", V2_SEND, "message_id"), ("replies.public_id",)),
    Input("v2 send message {ticket_id}", True, "path", "reference",
          staff_call("POST", V2_TICKETS + "/{value}/messages/{message}/actions/send"),
          S.PUBLIC_ID_LENGTH, ("post", V2_SEND, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 merge {ticket_id}", True, "path", "reference",
          staff_call("POST", V2_TICKETS + "/{value}/actions/merge", {"intoTicketId": "1"}),
          S.PUBLIC_ID_LENGTH, ("post", V2_MERGE, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 merge intoTicketId", True, "body", "reference",
          v2_staff_json("POST", _OF_NUMBER + "/actions/merge", "intoTicketId"),
          S.PUBLIC_ID_LENGTH, ("post", V2_MERGE, "intoTicketId"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 split {ticket_id}", True, "path", "reference",
          staff_call("POST", V2_TICKETS + "/{value}/actions/split",
                     {"messageId": UNKNOWN_MESSAGE, "subject": "s"}),
          S.PUBLIC_ID_LENGTH, ("post", V2_SPLIT, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 split messageId", True, "body", "text",
          v2_staff_json("POST", _OF_NUMBER + "/actions/split", "messageId", {"subject": "s"}),
          S.PUBLIC_ID_LENGTH, ("post", V2_SPLIT, "messageId"), ("replies.public_id",)),
    # Not stored at the limit: the message it splits off does not exist (404).
    Input("v2 split subject", True, "body", "text",
          v2_staff_json("POST", _OF_NUMBER + "/actions/split", "subject",
                        {"messageId": UNKNOWN_MESSAGE}),
          S.SUBJECT_LENGTH, ("post", V2_SPLIT, "subject")),
    Input("v2 events {ticket_id}", True, "path", "reference",
          get(V2_TICKETS + "/{value}/events", staff=True), S.PUBLIC_ID_LENGTH,
          ("get", V2_EVENTS, "ticket_id"), _TICKET_REF, past_range=_NOT_FOUND),
    Input("v2 events limit", True, "query", "integer",
          get(V2_TICKETS + "/{number}/events", query="limit={value}", staff=True), 100,
          ("get", V2_EVENTS, "limit")),
    Input("v2 events cursor (the id it names)", True, "query", "integer", events_with_cursor_id,
          S.ROW_ID_MAX, ("get", V2_EVENTS, "cursor"), past_range=(400, "invalid_cursor"),
          codes=frozenset({"invalid_cursor"})),
    Input("v2 sla {ticket_id}", True, "path", "reference",
          get(V2_TICKETS + "/{value}/sla", staff=True), S.PUBLIC_ID_LENGTH,
          ("get", V2_SLA, "ticket_id"), _TICKET_REF, past_range=_NOT_FOUND),
    # v2: files
    Input("v2 upload ticketId", True, "form", "reference", upload_with("ticketId"),
          S.PUBLIC_ID_LENGTH, ("post", V2_UPLOAD, "ticketId"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 download {attachment_id}", True, "path", "text",
          get("/api/v2/support/attachments/{value}", query="ticketId={number}"),
          S.PUBLIC_ID_LENGTH, ("get", V2_DOWNLOAD, "attachment_id"), ("attachments.public_id",)),
    Input("v2 download ticketId", True, "query", "reference",
          get(f"/api/v2/support/attachments/tatt_{'0' * 26}", query="ticketId={value}"),
          S.PUBLIC_ID_LENGTH, ("get", V2_DOWNLOAD, "ticketId"), _TICKET_REF,
          past_range=(404, "attachment_not_found")),
    # v2 desk: the PATCH
    Input("v2 patch {ticket_id}", True, "path", "reference",
          staff_call("patch", V2_TICKETS + "/{value}", {"priority": "low"}), S.PUBLIC_ID_LENGTH,
          ("patch", V2_TICKET, "ticket_id"), _TICKET_REF, past_range=_NOT_FOUND),
    Input("v2 patch subject", True, "body", "text", desk_json("patch", _PATCH, "subject"),
          S.SUBJECT_LENGTH, ("patch", V2_TICKET, "subject"), ("tickets.subject",)),
    Input("v2 patch status", True, "body", "text", desk_json("patch", _PATCH, "status"), 64,
          ("patch", V2_TICKET, "status"), ("statuses.name",)),
    Input("v2 patch departmentSlug", True, "body", "text",
          desk_json("patch", _PATCH, "departmentSlug"), S.SLUG_LENGTH,
          ("patch", V2_TICKET, "departmentSlug"), ("departments.slug",)),
    Input("v2 patch ccEmails[0] (an email)", True, "body", "text",
          desk_json("patch", _PATCH, "ccEmails.0", ccEmails=[""]), S.EMAIL_LENGTH,
          ("patch", V2_TICKET, "ccEmails.0"), ("tickets.cc",)),
    Input("v2 patch bccEmails[0] (an email)", True, "body", "text",
          desk_json("patch", _PATCH, "bccEmails.0", bccEmails=[""]), S.EMAIL_LENGTH,
          ("patch", V2_TICKET, "bccEmails.0"), ("tickets.bcc",)),
    Input("v2 patch tags[0]", True, "body", "text",
          desk_json("patch", _PATCH, "tags.0", tags=[""]), 64,
          ("patch", V2_TICKET, "tags.0"), ("tags.name",)),
    Input("v2 patch addTags[0]", True, "body", "text",
          desk_json("patch", _PATCH, "addTags.0", addTags=[""]), 64,
          ("patch", V2_TICKET, "addTags.0"), ("tags.name",)),
    Input("v2 patch removeTags[0]", True, "body", "text",
          desk_json("patch", _PATCH, "removeTags.0", removeTags=[""]), 64,
          ("patch", V2_TICKET, "removeTags.0"), ("tags.name",)),
    Input("v2 patch ownerId", True, "body", "integer", desk_json("patch", _PATCH, "ownerId"),
          S.ROW_ID_MAX, ("patch", V2_TICKET, "ownerId"), ("tickets.owner_id", "staff.id")),
    Input("v2 patch subscriberIds[0]", True, "body", "integer",
          desk_json("patch", _PATCH, "subscriberIds.0", subscriberIds=[0]), S.ROW_ID_MAX,
          ("patch", V2_TICKET, "subscriberIds.0"),
          ("ticket_subscriptions.staff_id", "staff.id")),
    Input("v2 patch priority", True, "body", "choice", desk_json("patch", _PATCH, "priority"),
          S.PRIORITY_LENGTH, ("patch", V2_TICKET, "priority"), ("tickets.priority",)),
    Input("v2 patch requestType", True, "body", "choice",
          desk_json("patch", _PATCH, "requestType"), 16, ("patch", V2_TICKET, "requestType"),
          ("tickets.request_type",)),
    # v2 desk: notes
    Input("v2 notes {ticket_id}", True, "path", "reference",
          staff_call("post", V2_TICKETS + "/{value}/notes", {"body": "Seen."}),
          S.PUBLIC_ID_LENGTH, ("post", V2_NOTES, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    Input("v2 notes body", True, "body", "text",
          desk_json("post", V2_TICKETS + "/{number}/notes", "body"), S.MESSAGE_LENGTH,
          ("post", V2_NOTES, "body"), ("notes.body",)),
    Input("v2 note edit body", True, "body", "text", desk_json("patch", _NOTE_PATH, "body"),
          S.MESSAGE_LENGTH, ("patch", V2_NOTE, "body"), ("notes.body",)),
    Input("v2 note {note_id}", True, "path", "text",
          staff_call("delete", V2_TICKETS + "/{number}/notes/{value}"), S.PUBLIC_ID_LENGTH,
          ("delete", V2_NOTE, "note_id"), ("notes.public_id",)),
    # v2 desk: bulk changes, macros
    Input("v2 bulk ticketIds[0]", True, "body", "text",
          desk_json("post", V2_BULK, "ticketIds.0", ticketIds=[""]), S.PUBLIC_ID_LENGTH,
          ("post", V2_BULK, "ticketIds.0"), _TICKET_REF),
    Input("v2 bulk note", True, "body", "text",
          desk_json("post", V2_BULK, "note", ticketIds=[NUMBER]), S.MESSAGE_LENGTH,
          ("post", V2_BULK, "note"), ("notes.body",)),
    Input("v2 bulk changes.subject", True, "body", "text",
          desk_json("post", V2_BULK, "changes.subject", ticketIds=[NUMBER], changes={}),
          S.SUBJECT_LENGTH, ("post", V2_BULK, "changes.subject"), ("tickets.subject",)),
    Input("v2 apply-macro macroId", True, "body", "integer",
          desk_json("post", V2_TICKETS + "/{number}/actions/apply-macro", "macroId"),
          S.ROW_ID_MAX, ("post", V2_APPLY_MACRO, "macroId"), ("macros.id",)),
    Input("v2 apply-macro {ticket_id}", True, "path", "reference",
          staff_call("post", V2_TICKETS + "/{value}/actions/apply-macro", {"macroId": 1}),
          S.PUBLIC_ID_LENGTH, ("post", V2_APPLY_MACRO, "ticket_id"), _TICKET_REF,
          past_range=_NOT_FOUND),
    # Not stored: what a problem's `type` names.
    Input("errors {code}", True, "path", "text", get("/errors/{value}"), S.SLUG_LENGTH,
          ("get", "/errors/{code}", "code")),
]
# fmt: on


def _admin_inputs() -> list[Input]:
    from tests.admin.inputs import ADMIN_INPUTS  # needs this module's names: imported last

    return ADMIN_INPUTS


INPUTS += _admin_inputs()
