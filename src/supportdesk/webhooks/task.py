"""The delivery job: claim due deliveries with a lease, POST them outside any transaction,
then write each outcome (and the endpoint's health) in one transaction."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import Any

import httpx
import orjson

from supportdesk.core.clock import iso_millis
from supportdesk.core.db import DbSession
from supportdesk.jobs.task import JobContext, Task
from supportdesk.webhooks import repository
from supportdesk.webhooks.delivery import LOG_LENGTH, Outcome, attempt, log_entry, next_attempt
from supportdesk.webhooks.models import DELIVERED, ERROR_LENGTH, FAILED, PENDING
from supportdesk.webhooks.repository import Claimed

logger = logging.getLogger("supportdesk.webhooks")
# How long a claimed delivery stays this worker's beyond its POST's time-out; a worker that
# dies meanwhile leaves it to the next claim after that (the same `webhook-id` again).
LEASE_MARGIN = timedelta(seconds=50)


async def deliver_due(context: JobContext) -> int:
    """Deliver what is due at `context.now`; how many attempts were made."""
    settings = context.settings
    timeout = settings.webhooks_timeout_seconds
    lease_until = context.now + timedelta(seconds=timeout) + LEASE_MARGIN
    async with context.db.transaction() as session:
        claimed = await repository.claim(
            session, context.worker, context.now, lease_until, settings.webhooks_batch_size
        )
    if not claimed:
        return 0
    async with httpx.AsyncClient(
        timeout=httpx.Timeout(timeout), follow_redirects=False, trust_env=False
    ) as client:
        outcomes = await asyncio.gather(
            *(
                attempt(
                    client,
                    one,
                    seconds=timeout,
                    allow_private=settings.webhooks_allow_private,
                )
                for one in claimed
            )
        )
    by_endpoint: dict[int, list[Outcome]] = {}
    async with context.db.transaction() as session:
        for one, outcome in zip(claimed, outcomes, strict=True):
            if await repository.finish(
                session, one, context.worker, _result(one, outcome, context.now)
            ):
                by_endpoint.setdefault(one.endpoint_id, []).append(outcome)
        for endpoint_id, seen in by_endpoint.items():
            await _endpoint_health(session, context, endpoint_id, seen)
    return len(claimed)


def _result(claimed: Claimed, outcome: Outcome, now: datetime) -> dict[str, Any]:
    log = [*claimed.log, log_entry(outcome, now)][-LOG_LENGTH:]
    values: dict[str, Any] = {
        "last_status_code": outcome.status_code,
        "last_error": outcome.error,
        "log": orjson.dumps(log).decode(),
    }
    if outcome.ok:
        return {**values, "status": DELIVERED, "delivered_at": now}
    retry_at = next_attempt(claimed.step, now)
    if retry_at is None:
        return {**values, "status": FAILED, "step": claimed.step + 1}
    return {**values, "status": PENDING, "step": claimed.step + 1, "next_attempt_at": retry_at}


async def _endpoint_health(
    session: DbSession, context: JobContext, endpoint_id: int, outcomes: list[Outcome]
) -> None:
    """A 2xx ends the endpoint's run of failures; a run longer than the setting deactivates
    it, and says so in the log and on the endpoint (`disabledAt`, `disabledReason`). One read
    and at most one write per endpoint and batch (`outcomes` in the order they were claimed)."""
    endpoint = await repository.endpoint_health(session, endpoint_id)
    if endpoint is None:
        return
    failures, since = endpoint.consecutive_failures, endpoint.failing_since
    for outcome in outcomes:
        failures, since = (0, None) if outcome.ok else (failures + 1, since or context.now)
    values: dict[str, Any] = {"consecutive_failures": failures, "failing_since": since}
    if (failures, since) == (endpoint.consecutive_failures, endpoint.failing_since):
        return
    limit = timedelta(hours=context.settings.webhooks_disable_after_hours)
    if since is not None and endpoint.active and context.now - since >= limit:
        reason = (
            f"Deactivated: every attempt failed since {iso_millis(since)} "
            f"({failures} in a row; the last: {outcomes[-1].error})"
        )[:ERROR_LENGTH]
        values.update(active=False, disabled_at=context.now, disabled_reason=reason)
        logger.warning(
            "webhook endpoint %d deactivated: %s", endpoint_id, reason, extra={"admin": True}
        )
    await repository.update_endpoint(session, endpoint_id, {**values, "updated_at": context.now})


TASK = Task("webhooks", deliver_due)
