"""Internal notes: staff's words about a ticket, never shown to its client by any door.

Writing a note records an event naming the note (never its text: the timeline is staff's, but
it travels further than the note does) and keeps the ticket's flag 1 (has staff notes) true to
the notes it has. A note does not move the ticket's `updated_at`, which clients are shown.
"""

from __future__ import annotations

from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, NotFound
from supportdesk.core.scopes import ADMIN_SUPPORT
from supportdesk.tickets import desk, service
from supportdesk.tickets.records import NoteRecord
from supportdesk.tickets.repository import desk as desk_repository
from supportdesk.tickets.repository.desk import StoredNote


class NoteNotFound(NotFound):
    default_message = "No note with that id is on that ticket."


async def list_notes(session: DbSession, actor: Actor, ref: int | str) -> list[NoteRecord]:
    """The ticket's notes, oldest first."""
    desk.require_desk(actor)
    return (await desk.shown(session, actor, ref)).note_records


async def add_note(session: DbSession, actor: Actor, ref: int | str, body: str) -> NoteRecord:
    """Add a note by the acting staff member."""
    desk.require_desk(actor)
    if actor.staff_id is None:
        raise Forbidden("Notes are written by staff members.")
    state = await desk.locked_state(session, actor, ref)
    now = utcnow()
    note = await desk_repository.insert_note(session, state.id, actor.staff_id, body, now)
    await desk_repository.mark_has_notes(session, state.id)
    await service.record_change(
        session, actor, state.id, "note_added", {"note": {"from": None, "to": note.public_id}}, now
    )
    return await _note(session, actor, state.public_id, note.public_id)


async def edit_note(
    session: DbSession, actor: Actor, ref: int | str, note_id: str, body: str
) -> NoteRecord:
    """Change a note's text: its author's, or any with `admin:support`."""
    state, note = await _own_note(session, actor, ref, note_id)
    now = utcnow()
    await desk_repository.update_note(session, note.id, body, now)
    changes = {"note": {"from": note.public_id, "to": note.public_id}}
    await service.record_change(session, actor, state, "note_edited", changes, now)
    return await _note(session, actor, ref, note.public_id)


async def delete_note(session: DbSession, actor: Actor, ref: int | str, note_id: str) -> None:
    """Remove a note: its author's, or any with `admin:support`."""
    state, note = await _own_note(session, actor, ref, note_id)
    now = utcnow()
    await desk_repository.delete_note(session, note.id)
    await desk_repository.mark_has_notes(session, state)
    changes = {"note": {"from": note.public_id, "to": None}}
    await service.record_change(session, actor, state, "note_deleted", changes, now)


async def _own_note(
    session: DbSession, actor: Actor, ref: int | str, note_id: str
) -> tuple[int, StoredNote]:
    desk.require_desk(actor)
    state = await desk.locked_state(session, actor, ref)
    note = await desk_repository.find_note(session, state.id, note_id)
    if note is None:
        raise NoteNotFound()
    if note.staff_id != actor.staff_id and ADMIN_SUPPORT not in actor.scopes:
        raise Forbidden("Only the note's author or an admin:support key may change it.")
    return state.id, note


async def _note(session: DbSession, actor: Actor, ref: int | str, note_id: str) -> NoteRecord:
    ticket = await desk.shown(session, actor, ref)
    return next(note for note in ticket.note_records if note.public_id == note_id)
