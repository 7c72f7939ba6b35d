"""v2 attachments: upload a file (`satt_` id, pending until claimed), download by `tatt_` id."""

from __future__ import annotations

import re
from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from pydantic import BaseModel

from supportdesk.api.inputs import AuthFirstRoute, Reference
from supportdesk.api.v2.schemas import problems
from supportdesk.attachments import service
from supportdesk.attachments.detect import download_content
from supportdesk.attachments.filenames import serving_headers
from supportdesk.auth.dependencies import ReadSupport, Session, WriteSupport
from supportdesk.core.clock import iso_millis
from supportdesk.core.errors import AttachmentNotFound, TicketNotFound, UnsupportedMediaType

router = APIRouter(prefix="/api/v2/support", tags=["v2"], route_class=AuthFirstRoute)

# As the ticket routes take it: a `tkt_` id or a number; anything else names no ticket.
_TICKET_REF = re.compile(r"tkt_[0-9a-hjkmnp-tv-z]{26}|[1-9][0-9]{0,17}")


class UploadedAttachment(BaseModel):
    """The 201 body of an upload (wire names, as the other v2 schemas)."""

    attachmentId: str
    url: str
    filename: str
    byteLength: int
    contentType: str
    uploadedAt: str
    ticketId: str | None


def download_url(attachment_public_id: str, ticket_public_id: str | None) -> str:
    """Where the file is served once it is on a ticket (as the Attachment's `downloadUrl`)."""
    path = f"/api/v2/support/attachments/{attachment_public_id}"
    return f"{path}?ticketId={ticket_public_id}" if ticket_public_id else path


def ticket_reference(value: str) -> int | str | None:
    """The ticket `ticketId` names, or None when it cannot name one."""
    if not _TICKET_REF.fullmatch(value):
        return None
    return int(value) if value.isdigit() else value


def _uploaded_to(ticket_id: str | None) -> int | str | None:
    if not ticket_id:
        return None
    ticket_ref = ticket_reference(ticket_id)
    if ticket_ref is None:
        raise TicketNotFound("No ticket has that id.")
    return ticket_ref


async def multipart_body(request: Request) -> None:
    """415 unless the body is declared multipart/form-data."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "multipart/form-data":
        raise UnsupportedMediaType(
            "The body must be multipart/form-data, with the file in a part named `file`."
        )


@router.post(
    "/attachments",
    status_code=201,
    response_class=Response,
    responses={
        201: {"model": UploadedAttachment, "description": "The upload, pending until claimed."},
        **problems(400, 401, 403, 404, 406, 413, 415, 429),
    },
    summary="Upload an attachment",
)
async def upload_attachment(
    request: Request,
    principal: WriteSupport,
    session: Session,
    # After the key check, so that a caller without a key hears 401 whatever it sent.
    _multipart: Annotated[None, Depends(multipart_body)],
    file: Annotated[UploadFile, File(description="The file; its type is detected from it.")],
    ticket_id: Annotated[
        Reference | None, Form(alias="ticketId", description="A `tkt_` id or ticket number.")
    ] = None,
) -> Response:
    """Upload a file; attach it by passing its `satt_` id in `attachmentIds` of a new ticket
    or message within the upload TTL (24 hours by default), or it is deleted."""
    record = await service.upload(
        session,
        principal,
        filename=file.filename,
        data=await file.read(),
        ticket_ref=_uploaded_to(ticket_id),
        settings=request.app.state.settings,
    )
    body = {
        "attachmentId": record.upload_id,
        "url": download_url(record.public_id, record.ticket_public_id),
        "filename": record.filename,
        "byteLength": record.byte_length,
        "contentType": record.content_type,
        "uploadedAt": iso_millis(record.uploaded_at),
        "ticketId": record.ticket_public_id,
    }
    return Response(orjson.dumps(body), status_code=201, media_type="application/json")


@router.get(
    "/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, with its stored (detected) content type, as a download.",
            "content": download_content(),
        },
        **problems(400, 401, 403, 404, 406, 429),
    },
    summary="Download an attachment",
)
async def download_attachment(
    request: Request,
    principal: ReadSupport,
    session: Session,
    attachment_id: Annotated[Reference, Path(description="The attachment's `tatt_` id.")],
    ticket_id: Annotated[
        Reference, Query(alias="ticketId", description="The ticket it is on: `tkt_` id or number.")
    ],
) -> Response:
    """The bytes of a file on a ticket the key may see (`attachment_not_found` otherwise)."""
    ticket_ref = ticket_reference(ticket_id)
    if ticket_ref is None:
        raise AttachmentNotFound()
    found, path = await service.find_for_download(
        session, principal, ticket_ref, attachment_id, settings=request.app.state.settings
    )
    return FileResponse(
        path, media_type=found.content_type, headers=serving_headers(found.filename)
    )
