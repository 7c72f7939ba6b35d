"""v1 attachment download: `GET /api/support/tickets/{number}/attachments/{id}` (our addition)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, Response

from supportdesk.api.inputs import RowIdParameter
from supportdesk.api.v1.router import TicketNumber
from supportdesk.api.v1.schemas import error_responses
from supportdesk.attachments import service
from supportdesk.attachments.detect import download_content
from supportdesk.attachments.filenames import serving_headers
from supportdesk.auth.dependencies import ReadSupport, Session

router = APIRouter(prefix="/api/support", tags=["v1"])

AttachmentId = Annotated[
    RowIdParameter, Path(description="The attachment's id, as in the ticket's list")
]
FILE_RESPONSE: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The file, with its stored (detected) content type, as a download.",
        "content": download_content(),
    }
}


@router.get(
    "/tickets/{number}/attachments/{attachment_id}",
    response_class=Response,
    responses={**FILE_RESPONSE, **error_responses(400, 401, 403, 404, 406, 429)},
    summary="Download a ticket attachment",
)
async def download_attachment(
    request: Request,
    principal: ReadSupport,
    session: Session,
    number: TicketNumber,
    attachment_id: AttachmentId,
) -> Response:
    """The bytes of a file on a ticket the key may see (404 alike for any other case)."""
    found, path = await service.find_for_download(
        session, principal, number, attachment_id, settings=request.app.state.settings
    )
    return FileResponse(
        path, media_type=found.content_type, headers=serving_headers(found.filename)
    )
