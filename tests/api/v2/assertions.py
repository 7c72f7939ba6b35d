"""What v2 responses must look like: problem documents, request ids, resources (v2.md)."""

from __future__ import annotations

import re
from typing import Any

import httpx

from supportdesk.api.v2.problems import CODES

ULID = "[0-9a-hjkmnp-tv-z]{26}"
REQUEST_ID = re.compile(f"^req_{ULID}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PROBLEM_KEYS = ["type", "title", "status", "detail", "code", "instance", "requestId", "timestamp"]
# The codes v2.md lists: clients branch on them.
DOCUMENTED_CODES = (
    "invalid_request",
    "invalid_cursor",
    "unauthorized",
    "forbidden",
    "not_found",
    "attachment_not_found",
    "ticket_closed",
    "reopen_not_allowed",
    "method_not_allowed",
    "not_acceptable",
    "payload_too_large",
    "unsupported_media_type",
    "rate_limited",
    "internal_error",
)
V2_STATUSES = ("open", "answered", "customer_reply", "in_progress", "on_hold", "closed", "unknown")
PRIORITIES = ("low", "medium", "high", "urgent", "critical")
SUMMARY_KEYS = {
    "id",
    "number",
    "subject",
    "status",
    "priority",
    "departmentSlug",
    "departmentName",
    "createdAt",
    "updatedAt",
    "lastMessageAt",
    "ccEmails",
    "requesterName",
    "messageCount",
    "linkedServices",
    "aiSummary",
    "aiHelpful",
}
DETAIL_KEYS = SUMMARY_KEYS | {"body", "attachments", "messages"}
MESSAGE_KEYS = [
    "id",
    "ticketId",
    "sentAt",
    "body",
    "sender",
    "senderName",
    "encrypted",
    "attachments",
]
ATTACHMENT_KEYS = ["id", "filename", "byteLength", "contentType", "downloadUrl", "uploadedAt"]


def key(api_key: str) -> dict[str, str]:
    return {"X-API-Key": api_key}


def assert_v2_request_id(response: httpx.Response, body: dict[str, Any] | None = None) -> str:
    """`req_` + 26 lowercase ULID characters in `X-Request-Id`, and the same in the body."""
    request_id = response.headers["x-request-id"]
    assert REQUEST_ID.match(request_id), request_id
    if body is not None:
        assert body["requestId"] == request_id
    return request_id


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An RFC 9457 document: exactly v2.md's keys (plus `errors` for `invalid_request`)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    expected_keys = [*PROBLEM_KEYS, "errors"] if code == "invalid_request" else PROBLEM_KEYS
    assert list(body) == expected_keys, body
    assert body["type"] == f"/errors/{code}"
    assert body["code"] == code
    assert body["status"] == status
    assert body["title"] == CODES[code][1]
    assert isinstance(body["detail"], str)
    assert body["detail"].strip()
    assert body["instance"] == response.request.url.path
    assert TIMESTAMP.match(body["timestamp"]), body["timestamp"]
    assert_v2_request_id(response, body)
    return body


def pointers(body: dict[str, Any]) -> list[str]:
    return [error["pointer"] for error in body["errors"]]


def assert_invalid(response: httpx.Response, pointer: str) -> dict[str, Any]:
    """400 `invalid_request` whose `errors[]` points at `pointer` (each entry well formed)."""
    body = assert_problem(response, 400, "invalid_request")
    assert body["errors"], body
    for error in body["errors"]:
        assert list(error) == ["pointer", "detail", "code"], error
        assert error["detail"].strip()
        assert re.fullmatch(r"[a-z_]+", error["code"]), error
    assert pointer in pointers(body), (pointer, body["errors"])
    return body


def comparable(response: httpx.Response) -> dict[str, Any]:
    """A problem without what differs between any two requests: time, request id, path."""
    body: dict[str, Any] = response.json()
    return {k: v for k, v in body.items() if k not in ("timestamp", "requestId", "instance")}


def assert_rate_limited_problem(response: httpx.Response) -> int:
    """429 `rate_limited` with `Retry-After` in whole seconds (at least 1)."""
    assert_problem(response, 429, "rate_limited")
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert int(retry_after) >= 1
    return int(retry_after)


def assert_attachment_shape(attachment: dict[str, Any], ticket_id: str) -> None:
    assert list(attachment) == ATTACHMENT_KEYS, attachment
    assert re.fullmatch(f"tatt_{ULID}", attachment["id"])
    assert isinstance(attachment["filename"], str)
    assert attachment["filename"]
    assert type(attachment["byteLength"]) is int
    assert isinstance(attachment["contentType"], str)
    assert attachment["downloadUrl"] == (
        f"/api/v2/support/attachments/{attachment['id']}?ticketId={ticket_id}"
    )
    assert TIMESTAMP.match(attachment["uploadedAt"])


def assert_message_shape(message: dict[str, Any], ticket_id: str) -> None:
    assert list(message) == MESSAGE_KEYS, message
    assert re.fullmatch(f"tmsg_{ULID}", message["id"]), message["id"]
    assert message["ticketId"] == ticket_id
    assert TIMESTAMP.match(message["sentAt"])
    assert isinstance(message["body"], str)
    assert message["sender"] in ("customer", "staff", "automation")
    assert isinstance(message["senderName"], str)
    assert type(message["encrypted"]) is bool
    for attachment in message["attachments"]:
        assert_attachment_shape(attachment, ticket_id)


DESK_SUMMARY_KEYS = [
    "statusName",
    "clientId",
    "ownerId",
    "tags",
    "unread",
    "escalationLevel",
    "resolveBy",
]
DESK_KEYS = [
    "statusName",
    "clientId",
    "ownerId",
    "owner",
    "tags",
    "bccEmails",
    "subscriberIds",
    "unread",
    "requestType",
    "deadline",
    "internal",
    "repliesLocked",
    "clientMayReopen",
    "escalationLevel",
    "slaPolicyId",
    "resolveBy",
    "mergedInto",
    "mergedFrom",
    "notes",
    "drafts",
]


def _nullable(value: Any, kind: type) -> bool:
    return value is None or type(value) is kind


def assert_ticket_shape(ticket: dict[str, Any], *, detail: bool) -> None:
    """The keys and JSON types of a v2 ticket (detail) or summary (list item), per v2.md; a
    staff view has `desk` after them (desk.md)."""
    assert set(ticket) - {"desk"} == (DETAIL_KEYS if detail else SUMMARY_KEYS), sorted(ticket)
    if "desk" in ticket:
        assert list(ticket)[-1] == "desk", list(ticket)
        assert list(ticket["desk"]) == (DESK_KEYS if detail else DESK_SUMMARY_KEYS), ticket
    assert re.fullmatch(f"tkt_{ULID}", ticket["id"]), ticket["id"]
    assert isinstance(ticket["number"], str)
    assert ticket["number"].isdigit()
    assert isinstance(ticket["subject"], str)
    assert ticket["status"] in V2_STATUSES
    assert ticket["priority"] in PRIORITIES
    assert isinstance(ticket["departmentSlug"], str)
    assert isinstance(ticket["departmentName"], str)
    for name in ("createdAt", "updatedAt", "lastMessageAt"):
        assert TIMESTAMP.match(ticket[name]), (name, ticket[name])
    assert isinstance(ticket["ccEmails"], list)
    assert all(isinstance(address, str) for address in ticket["ccEmails"])
    assert _nullable(ticket["requesterName"], str)
    assert type(ticket["messageCount"]) is int
    for link in ticket["linkedServices"]:
        assert list(link) == ["serviceType", "serviceId", "serviceName", "details"]
        assert link["serviceType"] in ("domain", "hosting", "vps", "other")
        assert isinstance(link["serviceId"], str)
        assert isinstance(link["serviceName"], str)
        details = link["details"]
        if details is not None:
            assert list(details) == ["status", "nextDue", "hostname"]
            assert isinstance(details["status"], str)
            assert _nullable(details["nextDue"], str)
            assert _nullable(details["hostname"], str)
    assert _nullable(ticket["aiSummary"], str)
    assert _nullable(ticket["aiHelpful"], bool)
    if detail:
        assert isinstance(ticket["body"], str)
        for attachment in ticket["attachments"]:
            assert_attachment_shape(attachment, ticket["id"])
        for message in ticket["messages"]:
            assert_message_shape(message, ticket["id"])
        assert ticket["messageCount"] == len(ticket["messages"])
