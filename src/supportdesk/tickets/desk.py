"""The desk's rules: staff change a ticket's fields (one at a time or in bulk).

A change is planned against the ticket as it stands under its row lock, so that concurrent
changes to one ticket queue and none is lost; a change that changes nothing writes nothing.
Each applied change writes one timeline event with only the fields that really changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from supportdesk.core.actor import Actor
from supportdesk.core.clock import iso_millis, utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, InvalidField, TicketNotFound
from supportdesk.core.scopes import MANAGE_SUPPORT
from supportdesk.departments import repository as departments
from supportdesk.tickets import repository, service
from supportdesk.tickets.models import FLAG_INTERNAL, FLAG_NO_CLIENT_REOPEN, FLAG_REPLIES_LOCKED
from supportdesk.tickets.records import TicketEdit, TicketRecord
from supportdesk.tickets.repository import Changes, TicketState
from supportdesk.tickets.repository import desk as desk_repository

# Checks the ticket as it stands (the door's `If-Match`); raises to refuse the change.
Precondition = Callable[[TicketRecord], None]

_FLAGS = {
    "internal": (FLAG_INTERNAL, False),
    "replies_locked": (FLAG_REPLIES_LOCKED, False),
    # The flag says the client may NOT reopen: the field is its inverse.
    "client_may_reopen": (FLAG_NO_CLIENT_REOPEN, True),
}


@dataclass
class Plan:
    """What a change would do: the events' `changes`, and the writes that make them."""

    changes: Changes = field(default_factory=dict)
    columns: dict[str, Any] = field(default_factory=dict)
    tags: list[str] | None = None
    subscribers: list[int] | None = None


def require_desk(actor: Actor) -> None:
    """Working tickets is for staff keys with `manage:support`."""
    if not actor.is_staff or (actor.staff_id is not None and MANAGE_SUPPORT not in actor.scopes):
        raise Forbidden(f"This API key lacks the {MANAGE_SUPPORT} scope.")


async def locked_state(session: DbSession, actor: Actor, ref: int | str) -> TicketState:
    """The ticket, locked for this transaction and read again (as `service` does)."""
    state = await repository.find_visible_state(session, actor, ref)
    if state is None:
        raise TicketNotFound()
    if await repository.lock(session, state.id):
        state = await repository.find_visible_state(session, actor, state.public_id)
        assert state is not None  # tickets are never deleted
    return state


async def shown(session: DbSession, actor: Actor, ref: int | str) -> TicketRecord:
    ticket = await repository.get_visible_ticket(session, actor, ref)
    if ticket is None:
        raise TicketNotFound()
    return ticket


async def edit_ticket(
    session: DbSession,
    actor: Actor,
    ref: int | str,
    edit: TicketEdit,
    *,
    precondition: Precondition | None = None,
    kind: str = "updated",
) -> TicketRecord:
    """Apply a staff change (desk.md's PATCH) and return the ticket as the actor sees it."""
    require_desk(actor)
    state = await locked_state(session, actor, ref)
    before = await shown(session, actor, state.public_id)
    if precondition is not None:
        precondition(before)
    plan = await plan_edit(session, before, edit)
    if not plan.changes:
        return before
    await apply_plan(session, actor, before.id, plan, kind)
    return await shown(session, actor, state.public_id)


async def plan_edit(session: DbSession, before: TicketRecord, edit: TicketEdit) -> Plan:
    """What `edit` would change on `before`; reads, writes nothing."""
    given = edit.given
    plan = Plan()

    def change(name: str, old: Any, new: Any) -> bool:
        if old == new:
            return False
        plan.changes[name] = {"from": old, "to": new}
        return True

    if "status" in given and edit.status is not None:
        status = await desk_repository.find_status(session, edit.status)
        if status is None:
            raise InvalidField("status", "no status has that name or v2 status.", code="unknown")
        if change("status", before.status, status.name):
            plan.columns["status_id"] = status.id
    simple = (
        ("priority", before.priority),
        ("subject", before.subject),
        ("request_type", before.request_type),
    )
    for name, old_value in simple:
        new_value = getattr(edit, name)
        if name in given and new_value is not None and change(name, old_value, new_value):
            plan.columns[name] = new_value
    if "owner_id" in given:
        if edit.owner_id is not None and not await desk_repository.active_staff(
            session, [edit.owner_id]
        ):
            raise InvalidField("owner", "no active staff member has that id.", code="unknown")
        old_owner = before.owner.id if before.owner is not None else None
        if change("owner", old_owner, edit.owner_id):
            plan.columns["owner_id"] = edit.owner_id
    if "department" in given and edit.department is not None:
        department = await departments.find_department(session, slug=edit.department)
        if department is None:
            raise InvalidField("department", "no department has that slug.", code="unknown")
        if change("department", before.dept_slug, department.slug):
            plan.columns.update(dept_id=department.id, brand_id=department.brand_id)
    for name, column, current in (("cc", "cc", before.cc), ("bcc", "bcc", before.bcc)):
        if name in given:
            wanted = list(dict.fromkeys(getattr(edit, name)))
            if change(name, _addresses(current), wanted):
                plan.columns[column] = ",".join(wanted)
    _plan_tags(plan, before, edit)
    if "deadline" in given:
        old = iso_millis(before.deadline) if before.deadline else None
        new = iso_millis(edit.deadline) if edit.deadline else None
        if change("deadline", old, new):
            plan.columns["deadline"] = edit.deadline
    flags = before.flags
    for name, (bit, inverse) in _FLAGS.items():
        wanted_flag: bool | None = getattr(edit, name)
        if name not in given or wanted_flag is None:
            continue
        if change(name, bool(before.flags & bit) != inverse, wanted_flag):
            flags = flags | bit if wanted_flag != inverse else flags & ~bit
    if flags != before.flags:
        plan.columns["flags"] = flags
    if "subscribers" in given:
        wanted_ids = sorted(set(edit.subscribers))
        missing = set(wanted_ids) - await desk_repository.active_staff(session, wanted_ids)
        if missing:
            raise InvalidField("subscribers", "no active staff member has that id.", code="unknown")
        if change("subscribers", sorted(before.subscriptions), wanted_ids):
            plan.subscribers = wanted_ids
    return plan


def _addresses(stored: str) -> list[str]:
    return [address for address in stored.split(",") if address]


def _plan_tags(plan: Plan, before: TicketRecord, edit: TicketEdit) -> None:
    given = edit.given
    if "tags" in given and given & {"add_tags", "remove_tags"}:
        raise InvalidField(
            "add_tags", "give either tags (to replace them) or addTags/removeTags.", code="conflict"
        )
    if "tags" in given:
        wanted = sorted(set(edit.tags))
    elif given & {"add_tags", "remove_tags"}:
        removed = set(edit.remove_tags)
        wanted = sorted((set(before.tags) | set(edit.add_tags)) - removed)
    else:
        return
    if wanted != sorted(before.tags):
        plan.changes["tags"] = {"from": sorted(before.tags), "to": wanted}
        plan.tags = wanted


async def apply_plan(
    session: DbSession, actor: Actor, ticket_id: int, plan: Plan, kind: str
) -> None:
    now = utcnow()
    await desk_repository.set_columns(session, ticket_id, {**plan.columns, "updated_at": now})
    if plan.tags is not None:
        await desk_repository.replace_tags(session, ticket_id, plan.tags)
    if plan.subscribers is not None:
        await desk_repository.replace_subscriptions(session, ticket_id, plan.subscribers)
    await service.record_change(session, actor, ticket_id, kind, plan.changes, now)
