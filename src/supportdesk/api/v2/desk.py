"""v2 desk routes (`manage:support`): change a ticket, its notes, bulk changes, macros."""

from __future__ import annotations

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import Response
from pydantic import ValidationError

from supportdesk.api.conditional import matches
from supportdesk.api.deps import app_state
from supportdesk.api.doors import route_class
from supportdesk.api.inputs import AuthFirstRoute, Reference, check_json_media, managed_json_body
from supportdesk.api.v2 import paths, render
from supportdesk.api.v2.desk_schemas import (
    V2ApplyMacro,
    V2Bulk,
    V2BulkResults,
    V2MacroOutcome,
    V2Macros,
    V2NoteInput,
    V2Notes,
    V2TicketPatch,
)
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.router import TicketId, ticket_ref
from supportdesk.api.v2.schemas import V2Note, V2Ticket, problems
from supportdesk.auth.dependencies import REQUIRED_SCOPES, ManageSupport, Session, acting
from supportdesk.core.actor import Actor
from supportdesk.core.clock import iso_millis
from supportdesk.core.errors import Conflict, PreconditionFailed
from supportdesk.core.scopes import MANAGE_SUPPORT
from supportdesk.tickets import bulk, desk, macros, notes
from supportdesk.tickets.numbers import parse_ticket_ref
from supportdesk.tickets.records import TicketEdit, TicketRecord


class DeskRoute(AuthFirstRoute):
    body_scopes = (MANAGE_SUPPORT,)


router = APIRouter(prefix="/api/v2/support", tags=["v2"], route_class=route_class(V2, DeskRoute))

NoteId = Annotated[Reference, Path(description="A `tnote_` id.")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The detail's `ETag`: the change is made only while it is current (412).",
    ),
]


async def _bulk_actor(request: Request) -> Actor:
    """The caller, authenticated in a transaction of its own: a bulk change opens one per
    ticket, and SQLite serves one transaction at a time."""
    async with app_state(request).db.transaction() as session:
        actor = await acting(request, session, (MANAGE_SUPPORT,))
    check_json_media(request)
    return actor


REQUIRED_SCOPES[_bulk_actor] = (MANAGE_SUPPORT,)
BulkActor = Annotated[Actor, Depends(_bulk_actor)]


def _staff_detail(ticket: TicketRecord) -> Response:
    return render.json_response(render.detail(ticket), headers={"ETag": render.detail_etag(ticket)})


def _note(record: Any, status_code: int = 200) -> Response:
    return render.json_response(render.note(record), status_code)


@router.patch(
    paths.TICKET,
    response_model=V2Ticket,
    responses=problems(400, 401, 403, 404, 406, 412, 413, 415, 429),
    dependencies=[Depends(managed_json_body)],
    summary="Change a ticket",
)
async def patch_ticket(
    actor: ManageSupport,
    session: Session,
    ticket_id: TicketId,
    payload: V2TicketPatch,
    if_match: IfMatch = None,
) -> Response:
    """Change any of the ticket's fields; with `If-Match`, only while that `ETag` is current."""

    def current(ticket: TicketRecord) -> None:
        if if_match is not None and not matches(if_match, render.detail_etag(ticket)):
            raise PreconditionFailed()

    ticket = await desk.edit_ticket(
        session, actor, ticket_ref(ticket_id), payload.to_edit(), precondition=current
    )
    return _staff_detail(ticket)


@router.get(
    "/tickets/{ticket_id}/notes",
    response_model=V2Notes,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="List a ticket's notes",
)
async def list_notes(actor: ManageSupport, session: Session, ticket_id: TicketId) -> Response:
    """The ticket's internal notes, oldest first (staff only)."""
    found = await notes.list_notes(session, actor, ticket_ref(ticket_id))
    return render.json_response({"notes": [render.note(note) for note in found]})


@router.post(
    "/tickets/{ticket_id}/notes",
    status_code=201,
    response_model=V2Note,
    responses=problems(400, 401, 403, 404, 406, 413, 415, 429),
    dependencies=[Depends(managed_json_body)],
    summary="Add a note",
)
async def add_note(
    actor: ManageSupport, session: Session, ticket_id: TicketId, payload: V2NoteInput
) -> Response:
    """Add an internal note; no client ever sees it."""
    return _note(await notes.add_note(session, actor, ticket_ref(ticket_id), payload.body), 201)


@router.patch(
    "/tickets/{ticket_id}/notes/{note_id}",
    response_model=V2Note,
    responses=problems(400, 401, 403, 404, 406, 413, 415, 429),
    dependencies=[Depends(managed_json_body)],
    summary="Edit a note",
)
async def edit_note(
    actor: ManageSupport,
    session: Session,
    ticket_id: TicketId,
    note_id: NoteId,
    payload: V2NoteInput,
) -> Response:
    """Change a note's text: its author, or an `admin:support` key."""
    ref = ticket_ref(ticket_id)
    return _note(await notes.edit_note(session, actor, ref, note_id, payload.body))


@router.delete(
    "/tickets/{ticket_id}/notes/{note_id}",
    status_code=204,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="Delete a note",
)
async def delete_note(
    actor: ManageSupport, session: Session, ticket_id: TicketId, note_id: NoteId
) -> Response:
    """Remove a note: its author, or an `admin:support` key."""
    await notes.delete_note(session, actor, ticket_ref(ticket_id), note_id)
    return Response(status_code=204)


@router.post(
    "/tickets/bulk",
    response_model=V2BulkResults,
    responses=problems(400, 401, 403, 406, 413, 415, 429),
    summary="Change many tickets",
)
async def bulk_change(request: Request, actor: BulkActor, payload: V2Bulk) -> Response:
    """The same changes (and note) to each ticket, each in its own transaction."""
    refs = [parse_ticket_ref(str(ref)) for ref in payload.ticketIds]
    usable = [ref if ref is not None else "" for ref in refs]
    results = await bulk.bulk_edit(
        app_state(request).db.transaction, actor, usable, payload.changes.to_edit(), payload.note
    )
    return render.json_response(
        {
            "results": [
                {
                    "ticketId": asked,
                    "ok": result.ok,
                    **({"code": result.code, "detail": result.detail} if not result.ok else {}),
                }
                for asked, result in zip(payload.ticketIds, results, strict=True)
            ]
        }
    )


@router.get(
    "/macros",
    response_model=V2Macros,
    responses=problems(400, 401, 403, 406, 429),
    summary="List macros",
)
async def list_macros(actor: ManageSupport, session: Session) -> Response:
    """The active macros, by name."""
    found = await macros.list_macros(session, actor)
    return render.json_response(
        {
            "macros": [
                {
                    "id": macro.id,
                    "name": macro.name,
                    "body": macro.body,
                    "changes": _stored_changes(macro.changes),
                    "createdAt": iso_millis(macro.created_at),
                    "updatedAt": iso_millis(macro.updated_at),
                }
                for macro in found
            ]
        }
    )


def _stored_changes(text: str) -> dict[str, Any]:
    try:
        found = orjson.loads(text or "{}")
    except orjson.JSONDecodeError:
        return {}
    return found if isinstance(found, dict) else {}


def read_macro_changes(text: str) -> TicketEdit:
    """A macro's stored changes, read as a PATCH body is."""
    try:
        return V2TicketPatch.model_validate(orjson.loads(text or "{}")).to_edit()
    except (orjson.JSONDecodeError, ValidationError) as error:
        raise Conflict(f"The macro's changes are not a valid ticket change: {error}") from None


@router.post(
    "/tickets/{ticket_id}/actions/apply-macro",
    response_model=V2MacroOutcome,
    responses=problems(400, 401, 403, 404, 406, 409, 413, 415, 429),
    dependencies=[Depends(managed_json_body)],
    summary="Apply a macro",
)
async def apply_macro(
    actor: ManageSupport, session: Session, ticket_id: TicketId, payload: V2ApplyMacro
) -> Response:
    """Post the macro's reply and make its changes; `preview: true` only says what it would do."""
    outcome = await macros.apply_macro(
        session,
        actor,
        ticket_ref(ticket_id),
        payload.macroId,
        read_macro_changes,
        preview=payload.preview,
    )
    return render.json_response(
        {
            "preview": outcome.preview,
            "reply": outcome.reply,
            "changes": outcome.changes,
            "ticket": render.detail(outcome.ticket),
        }
    )
