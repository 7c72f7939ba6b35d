"""One error hierarchy; each API generation renders it in its own shape."""

from __future__ import annotations


class SupportdeskError(Exception):
    """A failure a client can be told about: an HTTP status and a stable code."""

    status_code = 500
    code = "INTERNAL_ERROR"
    default_message = "An internal error occurred."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class InvalidParameter(SupportdeskError):
    status_code = 400
    code = "INVALID_PARAMETER"
    default_message = "A path or query parameter is malformed."


class ValidationFailed(SupportdeskError):
    status_code = 400
    code = "VALIDATION_ERROR"
    default_message = "The request body is invalid."


class Unauthorized(SupportdeskError):
    status_code = 401
    code = "UNAUTHORIZED"
    default_message = "An API key is required: send it as X-API-Key or Authorization: Bearer."


class InvalidApiKey(SupportdeskError):
    status_code = 401
    code = "INVALID_API_KEY"
    default_message = "The API key is invalid, revoked or expired."


class Forbidden(SupportdeskError):
    status_code = 403
    code = "FORBIDDEN"
    default_message = "This API key may not do that."


class NotFound(SupportdeskError):
    status_code = 404
    code = "NOT_FOUND"
    default_message = "Not found."


class TicketNotFound(NotFound):
    default_message = "No ticket with that number was found."


class MethodNotAllowed(SupportdeskError):
    status_code = 405
    code = "METHOD_NOT_ALLOWED"
    default_message = "That method is not allowed on this resource."


class NotAcceptable(SupportdeskError):
    status_code = 406
    code = "NOT_ACCEPTABLE"
    default_message = "This resource is served as application/json only."


class Conflict(SupportdeskError):
    status_code = 409
    code = "CONFLICT"
    default_message = "The action does not fit the ticket's current state."


class PayloadTooLarge(SupportdeskError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is larger than 1 MiB."


class UnsupportedMediaType(SupportdeskError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "The request body must be application/json."


class RateLimited(SupportdeskError):
    status_code = 429
    code = "RATE_LIMITED"
    default_message = "Too many requests: wait before trying again."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        self.retry_after = max(1, retry_after)
        super().__init__(message)
