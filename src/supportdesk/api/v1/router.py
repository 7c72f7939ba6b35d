"""v1 routes: authenticate, validate, call one service function, render."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import Response

from supportdesk.api.v1 import render
from supportdesk.api.v1.schemas import TicketEnvelope, error_responses
from supportdesk.auth.dependencies import ReadSupport, Session
from supportdesk.core.clock import hostbill, utcnow
from supportdesk.tickets import service

router = APIRouter(prefix="/api/support", tags=["v1"])

MAX_NUMBER = 9_223_372_036_854_775_807


@router.get(
    "/tickets/{number}",
    response_model=TicketEnvelope,
    responses={
        304: {"description": "Not modified: the `If-None-Match` tag is current."},
        **error_responses(400, 401, 403, 404, 406, 429),
    },
    summary="Get support ticket details",
)
async def get_ticket(
    request: Request,
    principal: ReadSupport,
    session: Session,
    number: Annotated[int, Path(ge=1, le=MAX_NUMBER, description="Unique number identifier")],
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """Retrieve all information for a specific support ticket, identified by its number."""
    ticket = await service.read_ticket(session, principal, number)
    settings = request.app.state.settings
    now = utcnow()
    shown = render.ticket_dict(
        ticket, staff_view=principal.is_staff, zone=settings.zone, viewtime=""
    )
    tag = render.etag(shown)
    if if_none_match is not None and tag in {t.strip() for t in if_none_match.split(",")}:
        return Response(status_code=304, headers={"ETag": tag})
    shown["viewtime"] = hostbill(now, settings.zone)
    body = render.envelope({"ticket": shown}, now=now, request_id=request.state.request_id)
    return Response(body, media_type="application/json", headers={"ETag": tag})
