"""Admin routes for API keys: what `supportdesk keys` does, over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from supportdesk.admin import keys
from supportdesk.admin.keys import KeyRecord
from supportdesk.api.deps import Cursors
from supportdesk.api.doors import route_class
from supportdesk.api.v2.admin import answers as a
from supportdesk.api.v2.admin import schemas as s
from supportdesk.api.v2.admin.common import (
    AdminRoute,
    call,
    decode_cursor,
    page_answer,
    presented_key_id,
)
from supportdesk.api.v2.admin.people import JSON_BODY, READ, WRITE, Cursor, Id, Limit
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.render import json_response
from supportdesk.auth.dependencies import AdminSupport, Session
from supportdesk.core.clock import iso_millis

router = APIRouter(prefix="/api/v2/admin", tags=["v2"], route_class=route_class(V2, AdminRoute))


def _when(value: Any) -> str | None:
    return iso_millis(value) if value is not None else None


def render(record: KeyRecord) -> dict[str, Any]:
    """A key as listed: its first characters, never the key."""
    owner = (
        {"type": "client", "id": record.client_id}
        if record.client_id is not None
        else {"type": "staff", "id": record.staff_id}
    )
    return {
        "id": record.id,
        "hint": record.hint,
        "owner": owner,
        "scopes": record.scopes,
        "rateLimitPerMinute": record.rate_limit_per_minute,
        "createdAt": iso_millis(record.created_at),
        "expiresAt": _when(record.expires_at),
        "revokedAt": _when(record.revoked_at),
        "lastUsedAt": _when(record.last_used_at),
        "state": record.state,
    }


@router.get("/keys", response_model=a.V2AdminKeyPage, responses=READ, summary="List API keys")
async def admin_list_keys(
    actor: AdminSupport,
    session: Session,
    cursors: Cursors,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    """Keys by id, without the keys themselves."""
    after = decode_cursor(cursors, "keys", cursor)
    page = await keys.list_keys(session, actor, after_id=after, limit=limit)
    return page_answer(cursors, "keys", page, render)


@router.post(
    "/keys",
    status_code=201,
    response_model=a.V2AdminIssuedKey,
    responses=WRITE,
    dependencies=JSON_BODY,
    summary="Issue an API key",
)
async def admin_create_key(
    actor: AdminSupport, session: Session, payload: s.V2AdminKeyCreate
) -> Response:
    """Issue a key for a client or a staff member; the answer holds it this once."""
    record, key = await call(
        keys.issue_key(
            session,
            actor,
            client_id=payload.clientId,
            staff_id=payload.staffId,
            scopes=list(payload.scopes),
            expires_in_days=payload.expiresInDays,
            rate_limit_per_minute=payload.rateLimitPerMinute,
        )
    )
    return json_response({**render(record), "key": key}, 201)


@router.delete(
    "/keys/{key_id}", response_model=a.V2AdminKeyOut, responses=WRITE, summary="Revoke a key"
)
async def admin_revoke_key(
    request: Request, actor: AdminSupport, session: Session, key_id: Id
) -> Response:
    """Revoke a key (revoking a revoked key changes nothing); not the key making the request
    (409)."""
    record = await keys.revoke(session, actor, key_id, presented_key_id=presented_key_id(request))
    return json_response(render(record))
