"""Errors in v1's shape: five keys, or four for 429 (as the seed shows)."""

from __future__ import annotations

from http import HTTPStatus

import orjson

from supportdesk.core.clock import iso_millis, utcnow
from supportdesk.core.errors import RateLimited, SupportdeskError


def error_body(error: SupportdeskError, request_id: str) -> bytes:
    reason = HTTPStatus(error.status_code).phrase
    if isinstance(error, RateLimited):
        return orjson.dumps(
            {
                "error": reason,
                "message": error.message,
                "retryAfter": str(error.retry_after),
                "requestId": request_id,
            }
        )
    return orjson.dumps(
        {
            "error": reason,
            "message": error.message,
            "code": error.code,
            "timestamp": iso_millis(utcnow()),
            "requestId": request_id,
        }
    )
