"""The breach job: each clock that fell due breaches once, with its effects, in one transaction
with the ticket locked and the clock evaluated again there (a staff reply that landed first
wins)."""

from __future__ import annotations

from datetime import datetime

from supportdesk.core.clock import iso_millis
from supportdesk.core.db import DbSession
from supportdesk.jobs.task import JobContext, Task
from supportdesk.sla import repository, service
from supportdesk.sla.evaluate import PolicyClock
from supportdesk.sla.repository import TicketSla
from supportdesk.tickets import repository as tickets_repository
from supportdesk.tickets import service as tickets
from supportdesk.tickets.models import PRIORITIES
from supportdesk.tickets.repository import Changes

BATCH = 100


async def run(context: JobContext) -> int:
    """Breach what is due at `context.now`, a batch of clocks at a time, and evaluate a batch
    of the tickets marked pending; the breaches made."""
    async with context.db.reading() as session:
        due = await repository.due_clocks(session, context.now, BATCH)
        pending = await repository.pending_tickets(session, BATCH)
    made = 0
    for ticket_id in dict.fromkeys([*(ticket for ticket, _ in due), *pending]):
        async with context.db.transaction() as session:
            made += await breach_ticket(session, ticket_id, context.now)
    return made


async def breach_ticket(session: DbSession, ticket_id: int, now: datetime) -> int:
    """Every clock of the ticket that is due at `now` breaches, once; its clocks are then
    rewritten (so a clock that is no longer due leaves the queue)."""
    await tickets_repository.lock(session, ticket_id)
    await repository.done_pending(session, ticket_id)
    found = await repository.ticket(session, ticket_id)
    if found is None:
        await repository.replace_clocks(session, ticket_id, [])
        return 0
    recorded = await repository.pauses(session, ticket_id)
    made = 0
    for policy_clock in (await service.clocks_of(session, found, recorded, now)).clocks:
        if not policy_clock.is_due(now) or policy_clock.due_at is None:
            continue
        if await repository.record_breach(
            session,
            ticket_id=ticket_id,
            policy=policy_clock.policy,
            occurrence=policy_clock.occurrence,
            due_at=policy_clock.due_at,
            now=now,
        ):
            await _escalate(session, found, policy_clock, now)
            made += 1
            found = await repository.ticket(session, ticket_id) or found
    await service.refresh(session, found, recorded, now)
    return made


async def _escalate(
    session: DbSession, found: TicketSla, policy_clock: PolicyClock, now: datetime
) -> None:
    """What the breach does (automation.md): escalate to the policy's level (a higher level
    already standing stays), raise the priority, assign; and the `sla_breached` event."""
    policy = policy_clock.policy
    higher = found.escalated > policy.level
    level = found.escalated if higher else policy.level
    sla_id = found.sla_id if higher else policy.id
    values: dict[str, object] = {"escalated": level, "sla_id": sla_id, "updated_at": now}
    changes: Changes = {
        "escalated": {"from": found.escalated, "to": level},
        "slaPolicy": {"from": found.sla_id, "to": sla_id},
        "sla": {
            "from": None,
            "to": {
                "policyId": policy.id,
                "name": policy.name,
                "level": policy.level,
                "trigger": policy.trigger,
                "hours": policy.hours,
                "occurrence": policy_clock.occurrence,
                "dueAt": iso_millis(policy_clock.due_at or now),
            },
        },
    }
    raised = policy.raise_priority
    if raised is not None and PRIORITIES.index(raised) > PRIORITIES.index(found.priority):
        values["priority"] = raised
        changes["priority"] = {"from": found.priority, "to": raised}
    if policy.assign_to_id is not None and policy.assign_to_id != found.owner_id:
        values["owner_id"] = policy.assign_to_id
        changes["owner"] = {"from": found.owner_id, "to": policy.assign_to_id}
    await repository.update_ticket(session, found.id, **values)
    await tickets.record_change(session, service.SYSTEM, found.id, "sla_breached", changes, now)


TASK = Task("sla_breaches", run)
