"""What the sync and the async client share: settings, the request of a call, the retry rule.

A call (`Call`) is one operation described as data: method, path, query, body and how to read
the answer. The resources build calls (`_calls`); `Client` and `AsyncClient` send them, each
with its own loop of attempts around `RetryPolicy.wait`, which alone decides whether and how
long to wait before trying again.
"""

from __future__ import annotations

import logging
import os
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx

from supportdesk_client._errors import (
    APIConnectionError,
    APITimeoutError,
    SupportdeskError,
    error_from_response,
    retry_after_seconds,
)

__version__ = "0.1.0"

log = logging.getLogger("supportdesk_client")

T = TypeVar("T")

URL_ENV = "SUPPORTDESK_URL"
KEY_ENV = "SUPPORTDESK_API_KEY"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
IDEMPOTENCY_HEADER = "Idempotency-Key"
_VISIBLE_ASCII = re.compile(r"[\x21-\x7e]+")

# Methods that may be sent again after the request went out: the same request twice changes
# nothing more than once (RFC 9110 §9.2.2). POST joins them when it carries an Idempotency-Key.
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# Failures before any byte of the request reached the server: safe to retry for every method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Failures after sending (the server may have acted): retried only for idempotent requests.
_MAYBE_SENT = (httpx.NetworkError, httpx.TimeoutException, httpx.RemoteProtocolError)


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One operation: the request to make and how to read a successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    params: Mapping[str, Any] | None = None
    json: Any = None
    files: Mapping[str, Any] | None = None
    data: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    idempotency_key: str | None = None


def segment(value: str | int) -> str:
    """A path segment: ids are quoted whole, so `../x` or `a/b` cannot reach another route."""
    text = str(value)
    if not text:
        raise ValueError("an id must not be empty")
    return quote(text, safe="")


def query(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left at None; booleans as `true`/`false`."""
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else value
        for name, value in values.items()
        if value is not None
    }


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments as a v2 JSON body: `owner_id=None` stays (null unassigns)."""
    return {camel(name): value for name, value in fields.items()}


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to try a request again and how long to wait first.

    Retried: connection failures (any method when nothing was sent; otherwise only an idempotent
    method or a POST with an Idempotency-Key), 429 (any method: the server refused before doing
    anything), 503 (idempotent or keyed requests). The wait is exponential backoff with jitter
    (`base * 2**attempt`, scaled by 0.5-1.0, at most `max_backoff`), or the server's
    `Retry-After` plus up to 10% (at most 1 s) of jitter when it sent one; a `Retry-After`
    longer than `max_retry_after` is not waited for (the error is raised at once).
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    base: float = 0.5
    max_backoff: float = 8.0
    max_retry_after: float = 60.0

    def backoff(self, attempt: int) -> float:
        scale: float = 0.5 + random.random() / 2
        return min(self.max_backoff, self.base * 2.0**attempt) * scale

    def wait(
        self,
        request: httpx.Request,
        attempt: int,
        *,
        response: httpx.Response | None = None,
        error: Exception | None = None,
    ) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None: do not retry."""
        if attempt >= self.max_retries:
            return None
        repeatable = request.method in _IDEMPOTENT or (
            request.method == "POST" and IDEMPOTENCY_HEADER in request.headers
        )
        if error is not None:
            if isinstance(error, _NOT_SENT) or (repeatable and isinstance(error, _MAYBE_SENT)):
                return self.backoff(attempt)
            return None
        assert response is not None
        if response.status_code == 429 or (response.status_code == 503 and repeatable):
            told = retry_after_seconds(response)
            if told is None:
                return self.backoff(attempt)
            if told > self.max_retry_after:
                return None
            return told + random.random() * min(1.0, told / 10)
        return None


def connection_error(error: Exception, request: httpx.Request) -> SupportdeskError:
    kind = APITimeoutError if isinstance(error, httpx.TimeoutException) else APIConnectionError
    what = "timed out" if kind is APITimeoutError else "failed"
    return kind(f"{request.method} {request.url.path} {what}: {type(error).__name__}: {error}")


def check_key(api_key: str | None) -> str:
    key = (api_key if api_key is not None else os.environ.get(KEY_ENV, "")).strip()
    if not key:
        raise ValueError(f"no API key: pass api_key= or set {KEY_ENV}")
    if not _VISIBLE_ASCII.fullmatch(key):
        # Never echoed: a key with a stray character is still a secret.
        raise ValueError("the API key holds characters an HTTP header cannot carry")
    return key


def check_base_url(base_url: str | httpx.URL | None) -> httpx.URL:
    value = base_url if base_url is not None else os.environ.get(URL_ENV, "")
    url = httpx.URL(str(value).strip())
    if url.scheme not in ("http", "https") or not url.host:
        raise ValueError(f"no server URL: pass base_url= (http:// or https://) or set {URL_ENV}")
    if url.userinfo:
        raise ValueError("the server URL must not carry credentials; pass api_key= instead")
    return url


def client_headers(key: str, extra: Mapping[str, str] | None) -> dict[str, str]:
    # `Authorization` is the header httpx masks in every repr of a request's headers.
    return {
        **(extra or {}),
        "Authorization": f"Bearer {key}",
        "Accept": "application/json",
        "User-Agent": f"supportdesk-client/{__version__}",
    }


def build_request(http: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
    headers = dict(call.headers)
    if call.method == "POST":
        headers[IDEMPOTENCY_HEADER] = call.idempotency_key or str(uuid.uuid4())
    return http.build_request(
        call.method,
        call.path,
        params=call.params,
        json=call.json,
        files=call.files,
        data=call.data,
        headers=headers,
    )


def finish(call: Call[T], response: httpx.Response) -> T:
    """The parsed answer, or the exception of an error answer."""
    if response.status_code >= 400:
        raise error_from_response(response)
    return call.parse(response)


def log_retry(request: httpx.Request, attempt: int, wait: float, why: str) -> None:
    log.info(
        "retrying %s %s in %.2f s (attempt %d): %s",
        request.method,
        request.url.path,
        wait,
        attempt + 2,
        why,
    )


def repr_client(kind: str, base_url: httpx.URL) -> str:
    return f"{kind}(base_url={str(base_url)!r}, api_key='***')"
