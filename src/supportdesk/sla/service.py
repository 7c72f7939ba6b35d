"""The SLA's rules: keep each ticket's clocks current as it changes, de-escalate when staff
answer, and explain where every clock stands.

Pauses are kept in `sla_pauses`, written by `on_event` in the transaction of the status change
that starts or ends them (not derived later from the timeline: a status renamed or a pausing
flag changed afterwards does not rewrite the past). After every change the ticket's due clocks
(`sla_clocks`) are rewritten, `resolve_date` follows its resolution clock, and a response
breach that a public staff reply has answered is lifted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from supportdesk.admin import sla as policies
from supportdesk.core.actor import VIA_AUTOMATION, Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Forbidden, TicketNotFound
from supportdesk.jobs.events import ChangeEvent
from supportdesk.sla import clock, repository
from supportdesk.sla.evaluate import RESPONSE_TRIGGERS, Breach, Pause, PolicyClock, evaluate
from supportdesk.sla.repository import TicketSla
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.repository import Changes

# Events that cannot move a clock (and the SLA's own, written from here).
_IGNORED_PREFIXES = ("note_", "sla_")
SYSTEM = Actor.system(VIA_AUTOMATION)


@dataclass(frozen=True, slots=True)
class TicketClocks:
    ticket: TicketSla
    clocks: list[PolicyClock]
    breaches: dict[tuple[int, int], Breach]
    public_id: str = ""


async def on_event(session: DbSession, event: ChangeEvent) -> None:
    """Follow a change: a pause starts or ends, the clocks and `resolve_date` move, a response
    breach answered by staff is lifted."""
    if event.kind.startswith(_IGNORED_PREFIXES):
        return
    found = await repository.ticket(session, event.ticket_id)
    if found is None:
        return
    recorded = await _track_pause(session, found, event.at)
    await refresh(session, found, recorded, event.at)


async def _track_pause(session: DbSession, found: TicketSla, at: datetime) -> list[Pause]:
    recorded = await repository.pauses(session, found.id)
    current = recorded[-1] if recorded and recorded[-1].ended_at is None else None
    if current is not None and (not found.pauses_clock or current.status != found.status):
        await repository.end_pause(session, found.id, at)
        recorded[-1] = Pause(current.started_at, at, current.status)
        current = None
    if current is None and found.pauses_clock:
        await repository.start_pause(session, found.id, found.status, at)
        recorded.append(Pause(at, None, found.status))
    return recorded


async def clocks_of(
    session: DbSession, found: TicketSla, recorded: list[Pause], now: datetime
) -> TicketClocks:
    """Every active policy's clock on the ticket at `now`."""
    applying = await policies.department_policies(session, found.dept_id)
    if not applying:
        return TicketClocks(found, [], {})
    facts = await repository.facts(session, found, recorded)
    breaches = await repository.breaches(session, found.id)
    clocks = [evaluate(policy, facts, found.schedule, breaches, now) for policy in applying]
    return TicketClocks(found, clocks, breaches)


async def refresh(
    session: DbSession, found: TicketSla, recorded: list[Pause], now: datetime
) -> TicketClocks:
    """Rewrite the ticket's due clocks and `resolve_date`, and lift answered breaches."""
    current = await clocks_of(session, found, recorded, now)
    due = [(c.policy.id, c.occurrence, c.due_at if c.overdue else None) for c in current.clocks]
    await repository.replace_clocks(session, found.id, due)
    await _follow_resolve_date(session, found, current.clocks, recorded)
    await _deescalate(session, current, now)
    return current


async def _follow_resolve_date(
    session: DbSession, found: TicketSla, clocks: list[PolicyClock], recorded: list[Pause]
) -> None:
    """The resolution due date moves with paused time: the soonest resolution policy's, else
    the department's `resolve_within_hours` around the clock."""
    open_clocks = [c for c in clocks if c.state in ("running", "paused") and c.due_at]
    resolution = [c.due_at for c in open_clocks if c.policy.trigger == "resolution" and c.due_at]
    wanted: datetime | None = None
    if resolution:
        wanted = min(resolution)
    elif found.resolve_within_hours and not found.pauses_clock:
        spans = [(pause.started_at, pause.ended_at) for pause in recorded]
        wanted = clock.due_at(None, found.opened_at, found.resolve_within_hours, spans)
    if wanted is not None and wanted != found.resolve_date:
        # `resolveBy` is shown: the ticket's version moves (also outside an event: the job).
        await repository.update_ticket(
            session, found.id, resolve_date=wanted, version=Ticket.version + 1
        )


def _standing(breach: Breach, clocks: dict[int, PolicyClock]) -> bool:
    """A response breach stands until a public staff reply answers its occurrence; a resolution
    breach stands (closing the ticket resolves it late, it does not undo it)."""
    found = clocks.get(breach.policy_id)
    if found is None or found.policy.trigger not in RESPONSE_TRIGGERS:
        return True
    return found.occurrence == breach.occurrence and found.state != "met"


async def _deescalate(session: DbSession, current: TicketClocks, now: datetime) -> None:
    ticket = current.ticket
    by_policy = {c.policy.id: c for c in current.clocks}
    if not ticket.escalated or ticket.sla_id not in by_policy:
        return
    # Only an escalation this job made is lifted here: one set otherwise (an import, the
    # demo) has no breach to have been answered.
    if not any(b.policy_id == ticket.sla_id for b in current.breaches.values()):
        return
    standing = [b for b in current.breaches.values() if _standing(b, by_policy)]
    if any(b.policy_id == ticket.sla_id for b in standing):
        return
    levels = sorted(
        (by_policy[b.policy_id].policy.level, b.policy_id)
        for b in standing
        if b.policy_id in by_policy
    )
    level, policy_id = levels[-1] if levels else (0, None)
    await repository.update_ticket(
        session, ticket.id, escalated=level, sla_id=policy_id, updated_at=now
    )
    changes: Changes = {
        "escalated": {"from": ticket.escalated, "to": level},
        "slaPolicy": {"from": ticket.sla_id, "to": policy_id},
    }
    await tickets.record_change(session, SYSTEM, ticket.id, "sla_deescalated", changes, now)


async def ticket_clocks(session: DbSession, actor: Actor, ref: int | str) -> TicketClocks:
    """Where each of the ticket's SLA clocks stands now, and why (staff only)."""
    if not actor.is_staff:
        raise Forbidden("A ticket's SLA is for staff keys.")
    state = await tickets.visible_state(session, actor, ref)
    return replace(await current_clocks(session, state.id), public_id=state.public_id)


async def current_clocks(session: DbSession, ticket_id: int) -> TicketClocks:
    """Where each of the ticket's SLA clocks stands now, for a staff door that has already
    read the ticket (the desk's ticket page): `ticket_clocks` without its second look-up."""
    found = await repository.ticket(session, ticket_id)
    if found is None:
        raise TicketNotFound()
    return await clocks_of(session, found, await repository.pauses(session, found.id), utcnow())
