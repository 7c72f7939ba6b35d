"""The admin's webhook endpoints (`admin:support`): registered, changed, removed; their
deliveries listed and sent again."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence

import orjson

from supportdesk.admin.common import Fields, Page, known, paged, require_admin
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.config import Settings
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, InvalidField, NotFound
from supportdesk.webhooks import repository
from supportdesk.webhooks.models import DELIVERING
from supportdesk.webhooks.outbox import EVENT_TYPES
from supportdesk.webhooks.repository import DeliveryRecord, EndpointRecord
from supportdesk.webhooks.targets import TargetRefused, resolve

SECRET_PREFIX = "whsec_"  # noqa: S105 (the prefix, not a secret)
SECRET_BYTES = 32


def new_secret() -> str:
    """`whsec_` + base64 of 32 random bytes, as Standard Webhooks' libraries take it."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def stored_events(events: str | Sequence[str]) -> str:
    """`*`, or the types as a sorted JSON list (each one a known type, at least one)."""
    if events == "*":
        return "*"
    if isinstance(events, str) or not events:
        raise InvalidField("events", "is `*` or a list of at least one event type")
    unknown = sorted(set(events) - set(EVENT_TYPES))
    if unknown:
        raise InvalidField("events", f"{unknown[0]!r} is not an event type", code="unknown")
    return orjson.dumps(sorted(set(events))).decode()


async def _checked_url(url: str, settings: Settings) -> str:
    try:
        await resolve(url, allow_private=settings.webhooks_allow_private)
    except TargetRefused as refused:
        raise InvalidField("url", str(refused), code="invalid_target") from None
    return url


async def _endpoint(session: DbSession, endpoint_id: int) -> EndpointRecord:
    found = await repository.get_endpoint(session, endpoint_id)
    if found is None:
        raise NotFound("No webhook endpoint has that id.")
    return found


async def list_endpoints(
    session: DbSession, actor: Actor, *, after_id: int | None, limit: int
) -> Page[EndpointRecord]:
    require_admin(actor)
    return paged(await repository.list_endpoints(session, after_id, limit), limit)


async def get_endpoint(session: DbSession, actor: Actor, endpoint_id: int) -> EndpointRecord:
    require_admin(actor)
    return await _endpoint(session, endpoint_id)


async def create_endpoint(
    session: DbSession,
    actor: Actor,
    settings: Settings,
    *,
    url: str,
    events: str | Sequence[str],
    active: bool = True,
) -> tuple[EndpointRecord, str]:
    """Register an endpoint: its record, and its signing secret (shown this once)."""
    require_admin(actor)
    values = {"events": stored_events(events), "url": await _checked_url(url, settings)}
    secret = new_secret()
    now = utcnow()
    endpoint_id = await repository.insert_endpoint(
        session,
        {
            **values,
            "secret": secret,
            "active": active,
            "consecutive_failures": 0,
            "disabled_reason": "",
            "created_at": now,
            "updated_at": now,
        },
    )
    return await _endpoint(session, endpoint_id), secret


async def update_endpoint(
    session: DbSession,
    actor: Actor,
    settings: Settings,
    endpoint_id: int,
    fields: Fields,
) -> EndpointRecord:
    """Change the URL, the events or `active`; turning an endpoint on again forgets its run of
    failures (and its deliveries waiting meanwhile go out)."""
    require_admin(actor)
    known(fields, frozenset({"url", "events", "active"}))
    for field, value in fields.items():
        if value is None:
            raise InvalidField(field, "may not be null", code="required")
    current = await _endpoint(session, endpoint_id)
    url, events, active = (fields.get(name) for name in ("url", "events", "active"))
    values: dict[str, object] = {}
    if url is not None and url != current.url:
        values["url"] = await _checked_url(url, settings)
    if events is not None:
        values["events"] = stored_events(events)
    if active is not None and active != current.active:
        values["active"] = active
        if active:
            values.update(
                consecutive_failures=0, failing_since=None, disabled_at=None, disabled_reason=""
            )
    if values:
        await repository.update_endpoint(session, endpoint_id, {**values, "updated_at": utcnow()})
    return await _endpoint(session, endpoint_id)


async def rotate_secret(
    session: DbSession, actor: Actor, endpoint_id: int
) -> tuple[EndpointRecord, str]:
    """A new signing secret (shown this once); for a day deliveries carry a signature with the
    old one as well, so that the receiver can switch without losing any."""
    require_admin(actor)
    await _endpoint(session, endpoint_id)
    secret = new_secret()
    await repository.rotate_secret(session, endpoint_id, secret, utcnow())
    return await _endpoint(session, endpoint_id), secret


async def delete_endpoint(session: DbSession, actor: Actor, endpoint_id: int) -> None:
    """Remove an endpoint and its deliveries (nothing of a ticket refers to them)."""
    require_admin(actor)
    await _endpoint(session, endpoint_id)
    await repository.delete_endpoint(session, endpoint_id)


async def list_deliveries(
    session: DbSession,
    actor: Actor,
    endpoint_id: int,
    *,
    before_id: int | None,
    limit: int,
) -> Page[DeliveryRecord]:
    """An endpoint's deliveries, newest first, with their attempts."""
    require_admin(actor)
    await _endpoint(session, endpoint_id)
    return paged(await repository.list_deliveries(session, endpoint_id, before_id, limit), limit)


async def redeliver(
    session: DbSession, actor: Actor, endpoint_id: int, delivery_id: str
) -> DeliveryRecord:
    """Send a delivery again, as soon as the job next looks, with the same `webhook-id` (a
    receiver recognises it); one being sent right now answers 409."""
    require_admin(actor)
    await _endpoint(session, endpoint_id)
    found = await repository.get_delivery(session, endpoint_id, delivery_id)
    if found is None:
        raise NotFound("That endpoint has no delivery with that id.")
    if found.status == DELIVERING:
        raise Conflict("That delivery is being sent right now.")
    await repository.make_due(session, found.id, utcnow())
    again = await repository.get_delivery(session, endpoint_id, delivery_id)
    assert again is not None
    return again
