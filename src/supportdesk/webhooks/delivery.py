"""One attempt: sign the delivery as Standard Webhooks says and POST it to the checked
address; then its outcome: delivered, tried again later (backoff), or given up."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from standardwebhooks.webhooks import Webhook

from supportdesk.core.clock import iso_millis, utcnow
from supportdesk.webhooks.models import ERROR_LENGTH
from supportdesk.webhooks.repository import Claimed
from supportdesk.webhooks.targets import TargetRefused, resolve

# The wait after each failed attempt (Standard Webhooks' suggested schedule): eight attempts
# over about 28 hours, then the delivery is given up.
BACKOFF = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
LOG_LENGTH = 20  # attempts kept in a delivery's log
_READ_AT_MOST = 64 * 1024  # of a receiver's answer, which is not kept
USER_AGENT = "supportdesk-webhooks/1"


@dataclass(frozen=True, slots=True)
class Outcome:
    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signed_headers(claimed: Claimed, sent_at: datetime) -> dict[str, str]:
    # One `v1,<signature>` per secret, space-separated, as the specification allows.
    signature = " ".join(
        Webhook(secret).sign(claimed.public_id, sent_at, claimed.payload)
        for secret in claimed.secrets
    )
    return {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": claimed.public_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": signature,
    }


async def _post(client: httpx.AsyncClient, claimed: Claimed, *, allow_private: bool) -> int:
    # Resolved and checked again now: the name may point elsewhere than when it was saved.
    target = await resolve(claimed.url, allow_private=allow_private)
    headers = {**signed_headers(claimed, utcnow()), "host": target.url.netloc.decode("ascii")}
    extensions = {"sni_hostname": target.url.host} if target.url.scheme == "https" else {}
    *others, last = target.addresses
    for address in others:  # the next address where one refuses the connection (IPv6, IPv4)
        try:
            return await _post_to(client, target.pinned_url(address), claimed, headers, extensions)
        except httpx.ConnectError:
            continue
    return await _post_to(client, target.pinned_url(last), claimed, headers, extensions)


async def _post_to(
    client: httpx.AsyncClient,
    url: httpx.URL,
    claimed: Claimed,
    headers: dict[str, str],
    extensions: dict[str, str],
) -> int:
    async with client.stream(
        "POST", url, content=claimed.payload.encode(), headers=headers, extensions=extensions
    ) as response:
        read = 0
        async for chunk in response.aiter_bytes():
            read += len(chunk)
            if read > _READ_AT_MOST:
                break
        return response.status_code


async def attempt(
    client: httpx.AsyncClient, claimed: Claimed, *, seconds: float, allow_private: bool
) -> Outcome:
    """POST the delivery once, for at most `seconds` in all; never raises for what the
    receiver or the network does."""
    started = time.perf_counter()
    status_code: int | None = None
    error = ""
    try:
        async with asyncio.timeout(seconds):
            status_code = await _post(client, claimed, allow_private=allow_private)
        if not 200 <= status_code < 300:
            error = f"answered {status_code}"
    except TargetRefused as refused:
        error = f"target refused: the URL {refused}"
    except TimeoutError:
        error = f"no answer within {seconds:g} s"
    except httpx.HTTPError as failed:
        error = f"{type(failed).__name__}: {failed}" if str(failed) else type(failed).__name__
    duration_ms = int((time.perf_counter() - started) * 1000)
    return Outcome(status_code, error[:ERROR_LENGTH], duration_ms)


def next_attempt(step: int, now: datetime) -> datetime | None:
    """When to try again after the failed attempt at `step` of the backoff (None: give up)."""
    return now + BACKOFF[step] if step < len(BACKOFF) else None


def log_entry(outcome: Outcome, at: datetime) -> dict[str, object]:
    return {
        "at": iso_millis(at),
        "statusCode": outcome.status_code,
        "error": outcome.error or None,
        "durationMs": outcome.duration_ms,
    }
