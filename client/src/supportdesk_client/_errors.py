"""The one exception tree of the library.

Every failure the library raises is a `SupportdeskError`; branch on the class, or on `code` (the
server's stable code, as sent: v2 `not_found`, v1 `NOT_FOUND`):

    SupportdeskError            status, code, request_id, message (and .response when one came)
    ├── APIConnectionError      no answer: DNS, refused connection, reset, TLS (status None)
    │   └── APITimeoutError     no answer within the client's timeout
    ├── AuthenticationError     401: no key, a malformed, unknown, revoked or expired key
    ├── PermissionDenied        403: the key lacks the scope, the account is not active,
    │                           a reopen the department forbids (code reopen_not_allowed)
    ├── NotFound                404: nothing visible to this key has that id
    ├── Conflict                409 (state, stale_ticket, idempotency key reused with another
    │                           body) and 412 (If-Match no longer current)
    ├── ValidationError         400 (and 413, 415, 422): bad input; `.errors` lists the fields
    │                           (`FieldError(pointer, detail, code)`; pointer `/subject`, `?limit`)
    ├── RateLimited             429: `.retry_after` seconds (float) from `Retry-After`
    └── ServerError             5xx

Any other status (405, 406, 416, ...) is a plain `SupportdeskError`. Both error shapes of the
server are read: the v1 envelope `{error, message, code, requestId}` (and its 429 body with
`retryAfter`) and the v2 RFC 9457 problem `{type, title, status, detail, code, requestId,
errors[]}`. The request id comes from the body or the `X-Request-Id` header. A message never
holds the API key: it is built from the method, the path and the server's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "Conflict",
    "FieldError",
    "NotFound",
    "PermissionDenied",
    "RateLimited",
    "ServerError",
    "SupportdeskError",
    "ValidationError",
]


@dataclass(frozen=True, slots=True)
class FieldError:
    """One wrong field of a refused request: `pointer` is `/field` (body) or `?name` (query)."""

    pointer: str
    detail: str
    code: str | None = None


class SupportdeskError(Exception):
    """Base of every error the library raises."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        response: httpx.Response | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.response = response
        self.body = body

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, request_id={self.request_id!r})"
        )


class APIConnectionError(SupportdeskError):
    """The server could not be reached or the connection broke before an answer."""


class APITimeoutError(APIConnectionError):
    """No answer within the timeout."""


class AuthenticationError(SupportdeskError):
    """401."""


class PermissionDenied(SupportdeskError):
    """403."""


class NotFound(SupportdeskError):
    """404."""


class Conflict(SupportdeskError):
    """409 or 412."""


class ValidationError(SupportdeskError):
    """400 (413, 415, 422): `errors` names each wrong field when the server did (v2)."""

    def __init__(self, message: str, *, errors: list[FieldError], **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.errors = errors


class RateLimited(SupportdeskError):
    """429: wait `retry_after` seconds (None when the server sent no `Retry-After`)."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(SupportdeskError):
    """5xx."""


_BY_STATUS: dict[int, type[SupportdeskError]] = {
    401: AuthenticationError,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    412: Conflict,
    400: ValidationError,
    413: ValidationError,
    415: ValidationError,
    422: ValidationError,
    429: RateLimited,
}


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds (delta-seconds or an HTTP date), None if absent or unreadable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from datetime import UTC, datetime
    from email.utils import parsedate_to_datetime  # rare: only for the date form

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _field_errors(body: dict[str, Any]) -> list[FieldError]:
    found = body.get("errors")
    if not isinstance(found, list):
        return []
    return [
        FieldError(
            pointer=str(item.get("pointer", "")),
            detail=str(item.get("detail", "")),
            code=item.get("code") if isinstance(item.get("code"), str) else None,
        )
        for item in found
        if isinstance(item, dict)
    ]


def error_from_response(response: httpx.Response) -> SupportdeskError:
    """The exception for an error answer (status >= 400), from either generation's body."""
    status = response.status_code
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    fields = body if isinstance(body, dict) else {}
    code = fields.get("code") if isinstance(fields.get("code"), str) else None
    if code is None and status == 429:
        code = "rate_limited" if response.url.path.startswith("/api/v2/") else "RATE_LIMITED"
    said = fields.get("detail") or fields.get("message") or fields.get("title")
    said = str(said) if said else (response.reason_phrase or f"HTTP {status}")
    request_id = fields.get("requestId") or response.headers.get("x-request-id")
    try:
        method, path = response.request.method, response.request.url.path
    except RuntimeError:  # a Response built without its request
        method, path = "", ""
    message = f"{status} {code or ''} on {method} {path}: {said}".replace("  ", " ")
    cls = _BY_STATUS.get(status, ServerError if status >= 500 else SupportdeskError)
    common: dict[str, Any] = {
        "status": status,
        "code": code,
        "request_id": str(request_id) if request_id else None,
        "response": response,
        "body": body,
    }
    if cls is ValidationError:
        return ValidationError(message, errors=_field_errors(fields), **common)
    if cls is RateLimited:
        retry_after = retry_after_seconds(response)
        if retry_after is None and fields.get("retryAfter") is not None:
            try:
                retry_after = float(fields["retryAfter"])
            except (TypeError, ValueError):
                retry_after = None
        return RateLimited(message, retry_after=retry_after, **common)
    return cls(message, **common)
