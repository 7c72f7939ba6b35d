"""Admin routes for webhooks (automation.md): endpoints, their deliveries, a redelivery."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Path
from fastapi.responses import Response

from supportdesk.api.deps import AppSettings, Cursors
from supportdesk.api.doors import route_class
from supportdesk.api.v2.admin import webhook_schemas as w
from supportdesk.api.v2.admin.common import AdminRoute, call, decode_cursor, page_answer, wire
from supportdesk.api.v2.admin.organisation import DELETE
from supportdesk.api.v2.admin.people import JSON_BODY, READ, WRITE, Cursor, Id, Limit, fields
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.render import json_response
from supportdesk.auth.dependencies import AdminSupport, Session
from supportdesk.core.ids import public_id_pattern
from supportdesk.webhooks import service
from supportdesk.webhooks.models import DELIVERED, FAILED
from supportdesk.webhooks.repository import DeliveryRecord, EndpointRecord

router = APIRouter(prefix="/api/v2/admin", tags=["v2"], route_class=route_class(V2, AdminRoute))
DeliveryId = Annotated[
    str, Path(pattern=f"^{public_id_pattern('msg')}$", description="The delivery's webhook-id.")
]


def render(record: EndpointRecord) -> dict[str, Any]:
    """An endpoint as listed (the record holds no secret)."""
    return {
        **wire(record),
        "events": "*" if record.events == "*" else orjson.loads(record.events),
        "disabledReason": record.disabled_reason or None,
    }


def render_delivery(record: DeliveryRecord) -> dict[str, Any]:
    shown = wire(record)
    log = shown.pop("log")
    ticket_id = shown.pop("ticketPublicId")
    shown["id"] = shown.pop("publicId")
    return {
        **shown,
        "ticketId": ticket_id,
        "nextAttemptAt": None if record.status in (DELIVERED, FAILED) else shown["nextAttemptAt"],
        "lastError": record.last_error or None,
        "attemptLog": log,
    }


@router.get(
    "/webhooks", response_model=w.V2AdminWebhookPage, responses=READ, summary="List webhooks"
)
async def admin_list_webhooks(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Webhook endpoints by id, without their secrets."""
    after = decode_cursor(cursors, "webhooks", cursor)
    page = await service.list_endpoints(session, actor, after_id=after, limit=limit)
    return page_answer(cursors, "webhooks", page, render)


@router.post(
    "/webhooks",
    status_code=201,
    response_model=w.V2AdminWebhookCreated,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Add a webhook",
)
async def admin_create_webhook(
    actor: AdminSupport, session: Session, settings: AppSettings, payload: w.V2AdminWebhookCreate
) -> Response:
    """Register an endpoint; the answer holds its signing secret this once."""
    record, secret = await call(
        service.create_endpoint(
            session, actor, settings, url=payload.url, events=payload.events, active=payload.active
        )
    )
    return json_response({**render(record), "secret": secret}, 201)


@router.get(
    "/webhooks/{webhook_id}",
    response_model=w.V2AdminWebhookOut,
    responses=READ,
    summary="Show a webhook",
)
async def admin_get_webhook(actor: AdminSupport, session: Session, webhook_id: Id) -> Response:
    """One endpoint, with its health (failures in a row, why it was deactivated)."""
    return json_response(render(await service.get_endpoint(session, actor, webhook_id)))


@router.patch(
    "/webhooks/{webhook_id}",
    response_model=w.V2AdminWebhookOut,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Change a webhook",
)
async def admin_update_webhook(
    actor: AdminSupport,
    session: Session,
    settings: AppSettings,
    webhook_id: Id,
    payload: w.V2AdminWebhookPatch,
) -> Response:
    """Change the URL, the events or `active` (on again: its failures are forgotten)."""
    record = await call(
        service.update_endpoint(session, actor, settings, webhook_id, fields(payload))
    )
    return json_response(render(record))


@router.post(
    "/webhooks/{webhook_id}/actions/rotate-secret",
    response_model=w.V2AdminWebhookCreated,
    responses=WRITE,
    summary="Rotate a webhook's secret",
)
async def admin_rotate_webhook_secret(
    actor: AdminSupport, session: Session, webhook_id: Id
) -> Response:
    """A new signing secret, shown this once; the old one still signs beside it for a day."""
    record, secret = await service.rotate_secret(session, actor, webhook_id)
    return json_response({**render(record), "secret": secret})


@router.delete(
    "/webhooks/{webhook_id}", status_code=204, responses=DELETE, summary="Delete a webhook"
)
async def admin_delete_webhook(actor: AdminSupport, session: Session, webhook_id: Id) -> Response:
    """Remove an endpoint and its delivery log."""
    await service.delete_endpoint(session, actor, webhook_id)
    return Response(status_code=204)


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=w.V2AdminWebhookDeliveryPage,
    responses=READ,
    summary="List a webhook's deliveries",
)
async def admin_list_webhook_deliveries(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    webhook_id: Id,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """The endpoint's deliveries, newest first: attempts, status codes, times."""
    before = decode_cursor(cursors, "webhook-deliveries", cursor)
    page = await service.list_deliveries(session, actor, webhook_id, before_id=before, limit=limit)
    return page_answer(cursors, "webhook-deliveries", page, render_delivery)


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver",
    status_code=202,
    response_model=w.V2AdminWebhookDelivery,
    responses=WRITE,
    summary="Send a delivery again",
)
async def admin_redeliver_webhook(
    actor: AdminSupport, session: Session, webhook_id: Id, delivery_id: DeliveryId
) -> Response:
    """Send the delivery again with the same webhook-id, from the start of the backoff."""
    record = await service.redeliver(session, actor, webhook_id, delivery_id)
    return json_response(render_delivery(record), 202)
