"""All SQL of the webhooks: endpoints, the deliveries' outbox, the claim with a lease."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.orm import aliased

from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.jobs import lease
from supportdesk.jobs.lease import Lease
from supportdesk.tickets.models import Ticket
from supportdesk.webhooks.models import DELIVERING, PENDING, WebhookDelivery, WebhookEndpoint


@dataclass(frozen=True, slots=True)
class EndpointRecord:
    id: int
    url: str
    events: str  # `*` or a JSON list
    active: bool
    consecutive_failures: int
    failing_since: datetime | None
    disabled_at: datetime | None
    disabled_reason: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: int
    public_id: str
    endpoint_id: int
    ticket_public_id: str
    type: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str
    log: list[dict[str, Any]]
    created_at: datetime
    delivered_at: datetime | None


@dataclass(frozen=True, slots=True)
class Claimed:
    """A delivery this worker holds the lease of, with what its POST needs."""

    id: int
    public_id: str
    endpoint_id: int
    payload: str
    step: int
    log: list[dict[str, Any]]
    url: str
    # The secrets to sign with: the current one, then the one before a recent rotation.
    secrets: tuple[str, ...]


_ENDPOINT = (
    WebhookEndpoint.id,
    WebhookEndpoint.url,
    WebhookEndpoint.events,
    WebhookEndpoint.active,
    WebhookEndpoint.consecutive_failures,
    WebhookEndpoint.failing_since,
    WebhookEndpoint.disabled_at,
    WebhookEndpoint.disabled_reason,
    WebhookEndpoint.created_at,
    WebhookEndpoint.updated_at,
)


def _endpoint(row: Any) -> EndpointRecord:
    values = dict(row._mapping)
    return EndpointRecord(**{**values, "active": bool(values["active"])})


async def list_endpoints(
    session: DbSession, after_id: int | None, limit: int
) -> list[EndpointRecord]:
    statement = select(*_ENDPOINT).order_by(WebhookEndpoint.id).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(WebhookEndpoint.id > after_id)
    return [_endpoint(row) for row in await session.execute(statement)]


async def get_endpoint(session: DbSession, endpoint_id: int) -> EndpointRecord | None:
    row = (
        await session.execute(select(*_ENDPOINT).where(WebhookEndpoint.id == endpoint_id))
    ).first()
    return _endpoint(row) if row is not None else None


async def insert_endpoint(session: DbSession, values: dict[str, Any]) -> int:
    result = await session.execute(
        insert(WebhookEndpoint).values(**values).returning(WebhookEndpoint.id)
    )
    return int(result.scalar_one())


async def update_endpoint(session: DbSession, endpoint_id: int, values: dict[str, Any]) -> None:
    await session.execute(
        update(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id).values(**values)
    )


async def delete_endpoint(session: DbSession, endpoint_id: int) -> None:
    await session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id))
    await session.execute(delete(WebhookEndpoint).where(WebhookEndpoint.id == endpoint_id))


# --- deliveries, as the admin sees them ----------------------------------------------------------

_DELIVERY = (
    WebhookDelivery.id,
    WebhookDelivery.public_id,
    WebhookDelivery.endpoint_id,
    Ticket.public_id.label("ticket_public_id"),
    WebhookDelivery.type,
    WebhookDelivery.status,
    WebhookDelivery.attempts,
    WebhookDelivery.next_attempt_at,
    WebhookDelivery.last_status_code,
    WebhookDelivery.last_error,
    WebhookDelivery.log,
    WebhookDelivery.created_at,
    WebhookDelivery.delivered_at,
    WebhookDelivery.lease_until,
)


def _delivery(row: Any) -> DeliveryRecord:
    values = dict(row._mapping)
    leased_until = values.pop("lease_until")
    if values["status"] == PENDING and leased_until is not None and leased_until > utcnow():
        values["status"] = DELIVERING
    return DeliveryRecord(**{**values, "log": orjson.loads(values["log"])})


async def list_deliveries(
    session: DbSession, endpoint_id: int, before_id: int | None, limit: int
) -> list[DeliveryRecord]:
    """An endpoint's deliveries, newest first."""
    statement = (
        select(*_DELIVERY)
        .join(Ticket, Ticket.id == WebhookDelivery.ticket_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.id.desc())
        .limit(limit + 1)
    )
    if before_id is not None:
        statement = statement.where(WebhookDelivery.id < before_id)
    return [_delivery(row) for row in await session.execute(statement)]


async def get_delivery(
    session: DbSession, endpoint_id: int, delivery_public_id: str
) -> DeliveryRecord | None:
    statement = (
        select(*_DELIVERY)
        .join(Ticket, Ticket.id == WebhookDelivery.ticket_id)
        .where(
            WebhookDelivery.endpoint_id == endpoint_id,
            WebhookDelivery.public_id == delivery_public_id,
        )
    )
    row = (await session.execute(statement)).first()
    return _delivery(row) if row is not None else None


async def make_due(session: DbSession, delivery_id: int, now: datetime) -> None:
    """Send a delivery again, now, from the start of the backoff (the same `webhook-id`)."""
    await session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id)
        .values(status=PENDING, step=0, next_attempt_at=now, lease_owner=None, lease_until=None)
    )


# --- the claim -----------------------------------------------------------------------------------

_Earlier = aliased(WebhookDelivery)
# How long deliveries are signed with the secret before a rotation as well.
ROTATION_OVERLAP = timedelta(hours=24)


def _signing(row: Any, now: datetime) -> tuple[str, ...]:
    recent = row.rotated_at is not None and now - row.rotated_at < ROTATION_OVERLAP
    return (row.secret, row.previous_secret) if recent and row.previous_secret else (row.secret,)


async def rotate_secret(session: DbSession, endpoint_id: int, secret: str, now: datetime) -> None:
    """The new secret signs from now on; the one it replaces signs beside it for a day."""
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id)
        .values(
            previous_secret=WebhookEndpoint.secret,
            secret=secret,
            rotated_at=now,
            updated_at=now,
        )
    )


OUTBOX = Lease(
    WebhookDelivery.__table__,  # type: ignore[arg-type]
    due="next_attempt_at",
    until="lease_until",
    owner="lease_owner",
)


async def claim(
    session: DbSession, worker: str, now: datetime, lease_until: datetime, limit: int
) -> list[Claimed]:
    """Take the lease of up to `limit` due deliveries of active endpoints (or ones whose lease
    ran out: their worker died), and only the first unfinished one of each ticket for each
    endpoint: event n+1 never goes out before n was delivered or given up."""
    waiting = exists().where(
        _Earlier.endpoint_id == WebhookDelivery.endpoint_id,
        _Earlier.ticket_id == WebhookDelivery.ticket_id,
        _Earlier.id < WebhookDelivery.id,
        _Earlier.status == PENDING,
    )
    active = select(WebhookEndpoint.id).where(WebhookEndpoint.active)
    taken = await lease.claim(
        session,
        OUTBOX,
        now=now,
        worker=worker,
        hold=lease_until - now,
        limit=limit,
        where=(
            WebhookDelivery.status == PENDING,
            WebhookDelivery.endpoint_id.in_(active.scalar_subquery()),
            ~waiting,
        ),
        returning=(
            WebhookDelivery.id,
            WebhookDelivery.public_id,
            WebhookDelivery.endpoint_id,
            WebhookDelivery.payload,
            WebhookDelivery.step,
            WebhookDelivery.log,
        ),
    )
    if not taken:
        return []
    endpoints = {
        int(row.id): (row.url, _signing(row, now))
        for row in await session.execute(
            select(
                WebhookEndpoint.id,
                WebhookEndpoint.url,
                WebhookEndpoint.secret,
                WebhookEndpoint.previous_secret,
                WebhookEndpoint.rotated_at,
            ).where(WebhookEndpoint.id.in_({int(row.endpoint_id) for row in taken}))
        )
    }
    return sorted(
        (
            Claimed(
                id=int(row.id),
                public_id=row.public_id,
                endpoint_id=int(row.endpoint_id),
                payload=row.payload,
                step=int(row.step),
                log=orjson.loads(row.log),
                url=endpoints[int(row.endpoint_id)][0],
                secrets=endpoints[int(row.endpoint_id)][1],
            )
            for row in taken
        ),
        key=lambda claimed: claimed.id,
    )


async def finish(session: DbSession, claimed: Claimed, worker: str, values: dict[str, Any]) -> bool:
    """Write an attempt's outcome, if this worker still holds the lease (False: it ran out and
    another worker took the delivery over)."""
    return await lease.release(
        session,
        OUTBOX,
        claimed.id,
        worker=worker,
        values={"attempts": WebhookDelivery.attempts + 1, **values},
    )


async def endpoint_health(session: DbSession, endpoint_id: int) -> EndpointRecord | None:
    """The endpoint, its row locked until the transaction ends (its failure count moves)."""
    statement = select(*_ENDPOINT).where(WebhookEndpoint.id == endpoint_id)
    if session.dialect_name == "postgresql":
        statement = statement.with_for_update()
    row = (await session.execute(statement)).first()
    return _endpoint(row) if row is not None else None
