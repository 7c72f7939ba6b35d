"""Bulk changes: one staff change (and note) to many tickets, each in its own transaction."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

from supportdesk.core.actor import Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidField, SupportdeskError
from supportdesk.tickets import desk, notes
from supportdesk.tickets.records import TicketEdit

Transactions = Callable[[], AbstractAsyncContextManager[DbSession]]


@dataclass(frozen=True, slots=True)
class BulkResult:
    ref: int | str
    ok: bool
    code: str | None = None
    detail: str | None = None


async def bulk_edit(
    transactions: Transactions,
    actor: Actor,
    refs: Sequence[int | str],
    edit: TicketEdit,
    note: str | None,
) -> list[BulkResult]:
    """The same change (and note) to each ticket, each in a transaction of its own: one that
    fails is rolled back alone and reported, and the others go on."""
    desk.require_desk(actor)
    results: list[BulkResult] = []
    for ref in refs:
        try:
            async with transactions() as session:
                if edit.given:
                    await desk.edit_ticket(session, actor, ref, edit)
                else:
                    await desk.locked_state(session, actor, ref)
                if note is not None:
                    await notes.add_note(session, actor, ref, note)
        except SupportdeskError as error:
            detail = error.message
            if isinstance(error, InvalidField):
                detail = f"{error.field}: {error.problem}"
            results.append(BulkResult(ref, False, error.v2_code, detail))
        else:
            results.append(BulkResult(ref, True))
    return results
