"""v2 attachments: upload a file (`satt_` id, pending until claimed), download by `tatt_` id."""

from __future__ import annotations

from typing import Annotated

import orjson
from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel

from supportdesk.api.deps import AppSettings
from supportdesk.api.doors import route_class
from supportdesk.api.downloads import DOWNLOAD_PARAMETERS, DOWNLOAD_RESPONSES, file_response
from supportdesk.api.inputs import AuthFirstRoute, Reference
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.schemas import problems
from supportdesk.attachments import service
from supportdesk.attachments.urls import v2_download_path
from supportdesk.auth.dependencies import ReadSupport, Session, WriteSupport
from supportdesk.core.clock import iso_millis
from supportdesk.core.errors import AttachmentNotFound, TicketNotFound, UnsupportedMediaType
from supportdesk.tickets.numbers import parse_ticket_ref

# AuthFirstRoute: a caller without a key hears 401 even when its multipart body is broken.
router = APIRouter(
    route_class=route_class(V2, AuthFirstRoute), prefix="/api/v2/support", tags=["v2"]
)


class V2UploadedAttachment(BaseModel):
    """The 201 body of an upload (wire names, as the other v2 schemas)."""

    attachmentId: str
    url: str
    filename: str
    byteLength: int
    contentType: str
    uploadedAt: str
    ticketId: str | None


def _uploaded_to(ticket_id: str | None) -> int | str | None:
    if not ticket_id:
        return None
    ticket_ref = parse_ticket_ref(ticket_id)
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
        201: {"model": V2UploadedAttachment, "description": "The upload, pending until claimed."},
        **problems(400, 401, 403, 404, 406, 413, 415, 429),
    },
    summary="Upload an attachment",
)
async def upload_attachment(
    settings: AppSettings,
    actor: WriteSupport,
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
        actor,
        filename=file.filename,
        data=await file.read(),
        ticket_ref=_uploaded_to(ticket_id),
        settings=settings,
    )
    body = {
        "attachmentId": record.upload_id,
        "url": v2_download_path(record.public_id, record.ticket_public_id),
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
    responses={**DOWNLOAD_RESPONSES, **problems(400, 401, 403, 404, 416, 429)},
    openapi_extra=DOWNLOAD_PARAMETERS,
    summary="Download an attachment",
)
async def download_attachment(
    request: Request,
    settings: AppSettings,
    actor: ReadSupport,
    session: Session,
    attachment_id: Annotated[Reference, Path(description="The attachment's `tatt_` id.")],
    ticket_id: Annotated[
        Reference, Query(alias="ticketId", description="The ticket it is on: `tkt_` id or number.")
    ],
) -> Response:
    """The bytes of a file on a ticket the key may see (`attachment_not_found` otherwise)."""
    ticket_ref = parse_ticket_ref(ticket_id)
    if ticket_ref is None:
        raise AttachmentNotFound()
    found, path = await service.find_for_download(
        session, actor, ticket_ref, attachment_id, settings=settings
    )
    return file_response(request, found, path)
