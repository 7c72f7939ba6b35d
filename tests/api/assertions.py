"""What every v1 response must look like: error bodies, request ids, rate-limit headers."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import httpx

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
HOSTBILL_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
ERROR_KEYS = ["error", "message", "code", "timestamp", "requestId"]
RATE_LIMITED_KEYS = ["error", "message", "retryAfter", "requestId"]
RATE_LIMIT_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-policy",
    "ratelimit",
)


def assert_request_id(response: httpx.Response, body: dict[str, Any] | None = None) -> str:
    """A v1 request id (a UUID) in the `X-Request-Id` header, and the same in the body."""
    request_id = response.headers["x-request-id"]
    assert str(uuid.UUID(request_id)) == request_id
    if body is not None:
        assert body["requestId"] == request_id
    return request_id


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The v1 error body: exactly five keys, the reason phrase, the code, a millisecond time."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert list(body) == ERROR_KEYS
    assert body["error"] == HTTPStatus(status).phrase
    assert body["code"] == code
    assert isinstance(body["message"], str)
    assert body["message"].strip()
    assert TIMESTAMP.match(body["timestamp"]), body["timestamp"]
    assert_request_id(response, body)
    return body


def assert_rate_limited(response: httpx.Response) -> int:
    """The 429 body (exactly four keys) and `Retry-After`; returns the seconds to wait."""
    assert response.status_code == 429, response.text
    body: dict[str, Any] = response.json()
    assert list(body) == RATE_LIMITED_KEYS
    assert body["error"] == "Too Many Requests"
    assert body["message"].strip()
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit()
    assert 1 <= int(retry_after) <= 60
    assert body["retryAfter"] == retry_after
    assert_request_id(response, body)
    return int(retry_after)


def assert_rate_limit_headers(response: httpx.Response) -> None:
    for name in RATE_LIMIT_HEADERS:
        assert response.headers.get(name), f"{response.status_code} lacks {name}"
    limit = int(response.headers["x-ratelimit-limit"])
    remaining = int(response.headers["x-ratelimit-remaining"])
    assert 0 <= remaining <= limit
    reset = datetime.fromisoformat(response.headers["x-ratelimit-reset"])
    assert reset.utcoffset() is not None
    seconds = (reset - datetime.now(UTC)).total_seconds()
    assert -1 <= seconds <= 61, response.headers["x-ratelimit-reset"]
