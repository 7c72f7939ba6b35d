"""v1 attachment download: `GET /api/support/tickets/{number}/attachments/{id}` (our addition)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from supportdesk.api.deps import app_state
from supportdesk.api.doors import route_class
from supportdesk.api.downloads import DOWNLOAD_PARAMETERS, DOWNLOAD_RESPONSES, file_response
from supportdesk.api.inputs import RowIdParameter
from supportdesk.api.v1.door import V1
from supportdesk.api.v1.router import TicketNumber
from supportdesk.api.v1.schemas import error_responses
from supportdesk.attachments import service
from supportdesk.auth.dependencies import ReadSupport, Session

router = APIRouter(route_class=route_class(V1), prefix="/api/support", tags=["v1"])

AttachmentId = Annotated[
    RowIdParameter, Path(description="The attachment's id, as in the ticket's list")
]


@router.get(
    "/tickets/{number}/attachments/{attachment_id}",
    response_class=Response,
    responses={**DOWNLOAD_RESPONSES, **error_responses(400, 401, 403, 404, 416, 429)},
    openapi_extra=DOWNLOAD_PARAMETERS,
    summary="Download a ticket attachment",
)
async def download_attachment(
    request: Request,
    actor: ReadSupport,
    session: Session,
    number: TicketNumber,
    attachment_id: AttachmentId,
) -> Response:
    """The bytes of a file on a ticket the key may see (404 alike for any other case)."""
    found, path = await service.find_for_download(
        session, actor, number, attachment_id, settings=app_state(request).settings
    )
    return file_response(request, found, path)
