"""RFC 9457 problem documents, and the `/errors/<code>` pages their `type` points at."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson

from supportdesk.core.clock import iso_millis, utcnow
from supportdesk.core.errors import SupportdeskError

PROBLEM_JSON = "application/problem+json"

# code: (status, title, description)
CODES: dict[str, tuple[int, str, str]] = {
    "invalid_request": (
        400,
        "Invalid request",
        "A parameter or a body field is missing or wrong; `errors[]` points at each one.",
    ),
    "invalid_cursor": (
        400,
        "Invalid cursor",
        "The `cursor` was not issued by this server or was altered; start again without it.",
    ),
    "unauthorized": (
        401,
        "Unauthorized",
        "No API key was sent, or it is malformed, unknown, revoked or expired.",
    ),
    "forbidden": (
        403,
        "Forbidden",
        "The API key lacks the scope this route needs, or its client account is not active.",
    ),
    "reopen_not_allowed": (
        403,
        "Reopen not allowed",
        "The department or the ticket does not let the client reopen it.",
    ),
    "not_found": (
        404,
        "Not found",
        "Nothing visible to this key has that id, or the route does not exist.",
    ),
    "attachment_not_found": (
        404,
        "Attachment not found",
        "No attachment with that id is on that ticket, or the ticket is not visible to this key.",
    ),
    "method_not_allowed": (
        405,
        "Method not allowed",
        "The route exists, but not with this HTTP method.",
    ),
    "not_acceptable": (
        406,
        "Not acceptable",
        "`Accept` rules out JSON; this API answers in JSON only.",
    ),
    "request_timeout": (
        408,
        "Request timeout",
        "The request head or body did not arrive in time; the connection was closed.",
    ),
    "conflict": (409, "Conflict", "The action does not fit the ticket's current state."),
    "stale_ticket": (
        409,
        "Stale ticket",
        "The client wrote after the message you last saw (`newerMessageId`, `newerMessageAt`): "
        "read it first, or send again with `force: true`.",
    ),
    "ticket_merged": (
        409,
        "Ticket merged",
        "The ticket was merged into another (`mergedInto`): write to that one.",
    ),
    "ticket_closed": (
        409,
        "Ticket closed",
        "A closed ticket takes no new messages: reopen it first.",
    ),
    "precondition_failed": (
        412,
        "Precondition failed",
        "`If-Match` names an `ETag` that is no longer current: read the resource again.",
    ),
    "payload_too_large": (
        413,
        "Payload too large",
        "The body or the file is larger than this server accepts.",
    ),
    "unsupported_media_type": (
        415,
        "Unsupported media type",
        "The body is not of a type this route takes, or the file's type is not allowed.",
    ),
    "range_not_satisfiable": (
        416,
        "Range not satisfiable",
        "No requested byte range starts inside the file; `Content-Range` gives its size.",
    ),
    "headers_too_large": (
        431,
        "Request header fields too large",
        "The request line and headers together are larger than this server accepts.",
    ),
    "rate_limited": (429, "Rate limited", "Too many requests: wait for `Retry-After` seconds."),
    "internal_error": (
        500,
        "Internal error",
        "A bug on the server; the log has it under the request id.",
    ),
}


def problem_body(error: SupportdeskError, request_id: str, instance: str) -> bytes:
    code = error.v2_code
    _, title, _ = CODES.get(code, (error.status_code, HTTPStatus(error.status_code).phrase, ""))
    document: dict[str, Any] = {
        "type": f"/errors/{code}",
        "title": title,
        "status": error.status_code,
        "detail": error.message,
        "code": code,
        "instance": instance,
        "requestId": request_id,
        "timestamp": iso_millis(utcnow()),
        **error.extensions,
    }
    if code == "invalid_request":
        document["errors"] = error.details or [
            {"pointer": error.pointer or "", "detail": error.message, "code": "invalid"}
        ]
    return orjson.dumps(document)


def describe(code: str) -> dict[str, Any] | None:
    if code not in CODES:
        return None
    status, title, description = CODES[code]
    return {
        "type": f"/errors/{code}",
        "code": code,
        "title": title,
        "status": status,
        "description": description,
    }
