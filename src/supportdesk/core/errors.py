"""One error hierarchy; each API generation renders it in its own shape."""

from __future__ import annotations


class SupportdeskError(Exception):
    """A failure a client can be told about: an HTTP status and stable codes (v1 and v2).

    `pointer` names the offending input for v2's `errors[]`: a JSON pointer into the body
    (`/subject`) or `?name` for a query parameter.
    """

    status_code = 500
    code = "INTERNAL_ERROR"
    v2_code = "internal_error"
    default_message = "An internal error occurred."

    def __init__(
        self,
        message: str | None = None,
        *,
        pointer: str | None = None,
        details: list[dict[str, str]] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.pointer = pointer
        # v2's `errors[]`: one {pointer, detail, code} per invalid input, when there are several.
        self.details = details or []
        super().__init__(self.message)

    @property
    def headers(self) -> dict[str, str]:
        """Headers the answer carries besides the body (`Retry-After` on a 429, say)."""
        return {}

    @property
    def extensions(self) -> dict[str, object]:
        """Members a v2 problem document carries besides the standard ones (RFC 9457 §3.2)."""
        return {}


class InvalidParameter(SupportdeskError):
    status_code = 400
    v2_code = "invalid_request"
    code = "INVALID_PARAMETER"
    default_message = "A path or query parameter is malformed."


class ValidationFailed(SupportdeskError):
    status_code = 400
    v2_code = "invalid_request"
    code = "VALIDATION_ERROR"
    default_message = "The request body is invalid."


class InvalidField(ValidationFailed):
    """A domain field (`department`, `critical_reason`, ...) is wrong.

    The services name fields in the model's terms; each door says them in its own (v1
    `dept_id`, v2 `/departmentSlug`) through `localised`.
    """

    def __init__(self, field: str, problem: str, *, code: str = "invalid") -> None:
        self.field = field
        self.problem = problem
        self.field_code = code
        super().__init__(f"Field '{field}': {problem}", pointer=field)

    def localised(self, pointer: str) -> ValidationFailed:
        """The same failure, naming the field as a door spells it (`/context/serviceId`)."""
        label = pointer.lstrip("/").replace("/", ".")
        message = f"Field '{label}': {self.problem}"
        detail = self.problem[:1].upper() + self.problem[1:]
        return ValidationFailed(
            message,
            pointer=pointer,
            details=[{"pointer": pointer, "detail": detail, "code": self.field_code}],
        )


class Unauthorized(SupportdeskError):
    status_code = 401
    v2_code = "unauthorized"
    code = "UNAUTHORIZED"
    default_message = "An API key is required: send it as X-API-Key or Authorization: Bearer."


class InvalidApiKey(SupportdeskError):
    status_code = 401
    v2_code = "unauthorized"
    code = "INVALID_API_KEY"
    default_message = "The API key is invalid, revoked or expired."


class Forbidden(SupportdeskError):
    status_code = 403
    v2_code = "forbidden"
    code = "FORBIDDEN"
    default_message = "This API key may not do that."


class NotFound(SupportdeskError):
    status_code = 404
    v2_code = "not_found"
    code = "NOT_FOUND"
    default_message = "Not found."


class TicketNotFound(NotFound):
    default_message = "No ticket with that number was found."


class MethodNotAllowed(SupportdeskError):
    status_code = 405
    v2_code = "method_not_allowed"
    code = "METHOD_NOT_ALLOWED"
    default_message = "That method is not allowed on this resource."


class NotAcceptable(SupportdeskError):
    status_code = 406
    v2_code = "not_acceptable"
    code = "NOT_ACCEPTABLE"
    default_message = "This resource is served as application/json only."


class RequestTimeout(SupportdeskError):
    status_code = 408
    v2_code = "request_timeout"
    code = "REQUEST_TIMEOUT"
    default_message = "The request did not arrive in time."


class Conflict(SupportdeskError):
    status_code = 409
    v2_code = "conflict"
    code = "CONFLICT"
    default_message = "The action does not fit the ticket's current state."


class PayloadTooLarge(SupportdeskError):
    status_code = 413
    v2_code = "payload_too_large"
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is larger than 1 MiB."


class UnsupportedMediaType(SupportdeskError):
    status_code = 415
    v2_code = "unsupported_media_type"
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "The request body must be application/json."


class HeadersTooLarge(SupportdeskError):
    status_code = 431
    v2_code = "headers_too_large"
    code = "HEADERS_TOO_LARGE"
    default_message = "The request headers are too large."


class RateLimited(SupportdeskError):
    status_code = 429
    v2_code = "rate_limited"
    code = "RATE_LIMITED"
    default_message = "Too many requests: wait before trying again."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message)

    @property
    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


class RangeNotSatisfiable(SupportdeskError):
    """A `Range` none of whose ranges starts inside the file (RFC 9110 §15.5.17)."""

    status_code = 416
    v2_code = "range_not_satisfiable"
    code = "RANGE_NOT_SATISFIABLE"
    default_message = "The requested range does not overlap the file."

    def __init__(self, size: int) -> None:
        self.size = size
        super().__init__(f"The requested range starts past the end of the file ({size} bytes).")

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Range": f"bytes */{self.size}"}


class InvalidCursor(InvalidParameter):
    v2_code = "invalid_cursor"
    default_message = "The cursor is not one this server issued."


class AttachmentNotFound(NotFound):
    v2_code = "attachment_not_found"
    default_message = "No such attachment on that ticket."


class TicketClosed(Conflict):
    v2_code = "ticket_closed"
    default_message = "The ticket is closed: reopen it before replying."


class ReopenNotAllowed(Forbidden):
    v2_code = "reopen_not_allowed"
    default_message = "This ticket may not be reopened by the client."


class PreconditionFailed(SupportdeskError):
    """`If-Match` names a version of the resource that is no longer current (RFC 9110 §13.1.1)."""

    status_code = 412
    v2_code = "precondition_failed"
    code = "PRECONDITION_FAILED"
    default_message = "The ticket changed since the ETag sent as If-Match: read it again."


class StaleTicket(Conflict):
    """The collision guard: the client wrote after the newest message the author had seen."""

    v2_code = "stale_ticket"
    default_message = "The client has written since the message you last saw."

    def __init__(self, newer_message_id: str, newer_message_at: str) -> None:
        self.newer_message_id = newer_message_id
        self.newer_message_at = newer_message_at
        super().__init__(
            f"The client wrote {newer_message_id} at {newer_message_at}, after the message you "
            "last saw: read it, or send again with force."
        )

    @property
    def extensions(self) -> dict[str, object]:
        return {"newerMessageId": self.newer_message_id, "newerMessageAt": self.newer_message_at}


class TicketMerged(Conflict):
    """A merged ticket takes no more messages or changes: its conversation lives on in another."""

    v2_code = "ticket_merged"
    default_message = "The ticket was merged into another ticket."

    def __init__(self, into_public_id: str, into_number: int) -> None:
        self.into_public_id = into_public_id
        self.into_number = into_number
        super().__init__(
            f"The ticket was merged into ticket {into_number} ({into_public_id}): "
            "write there instead."
        )

    @property
    def extensions(self) -> dict[str, object]:
        return {"mergedInto": self.into_public_id, "mergedIntoNumber": str(self.into_number)}
