"""Where each of a ticket's SLA clocks stands, from the ticket's facts: pure, no database.

Triggers (automation.md): `first_response` runs from opening until the first public staff
reply; `next_response` from the oldest client message that no public staff reply followed;
`resolution` from opening until the ticket is closed. Only public, sent staff messages are
responses (notes, drafts, scheduled messages and `System` messages are not among the facts).
Every clock stands still while the ticket is in a pausing status, and while it is Closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from supportdesk.admin.sla import PolicyRecord
from supportdesk.core.clock import iso_millis
from supportdesk.sla import clock
from supportdesk.sla.clock import Schedule

Side = Literal["client", "staff"]
State = Literal["running", "paused", "met", "idle", "unreachable"]
RESPONSE_TRIGGERS = ("first_response", "next_response")


@dataclass(frozen=True, slots=True)
class Message:
    """A public, sent message: the opening one has occurrence 0, a reply its reply id."""

    at: datetime
    side: Side
    occurrence: int


@dataclass(frozen=True, slots=True)
class Pause:
    started_at: datetime
    ended_at: datetime | None
    status: str


@dataclass(frozen=True, slots=True)
class Facts:
    opened_at: datetime
    # Oldest first, the opening message included.
    messages: tuple[Message, ...]
    pauses: tuple[Pause, ...]
    # When the ticket was closed, if it is now (the start of its open Closed pause).
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Breach:
    policy_id: int
    occurrence: int
    breached_at: datetime
    due_at: datetime


@dataclass(slots=True)
class PolicyClock:
    """One policy's clock on one ticket, with the steps that explain its due time."""

    policy: PolicyRecord
    state: State
    occurrence: int
    started_at: datetime | None
    due_at: datetime | None
    # Wall-clock seconds paused between the start and the stop (or `now`).
    paused_seconds: float
    stopped_at: datetime | None
    breach: Breach | None
    explanation: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        """Running, due, and not yet breached: what the breach job acts on."""
        return self.state == "running" and self.breach is None and self.due_at is not None

    def is_due(self, now: datetime) -> bool:
        return self.overdue and self.due_at is not None and self.due_at <= now


def _start(policy: PolicyRecord, facts: Facts) -> tuple[int, datetime, datetime | None, str]:
    """(occurrence, start, stop or None, why it starts) of the policy's clock."""
    messages = facts.messages
    if policy.trigger == "first_response":
        reply = next((m for m in messages if m.side == "staff"), None)
        return 0, facts.opened_at, reply.at if reply else None, "at ticket opening"
    if policy.trigger == "resolution":
        return 0, facts.opened_at, facts.closed_at, "at ticket opening"
    # next_response: the oldest client message after the latest staff message; with none
    # waiting, the last client message that staff answered (to say when it was met).
    waiting: Message | None = None
    answered: tuple[Message, datetime] | None = None
    for message in messages:
        if message.side == "client" and waiting is None:
            waiting = message
        elif message.side == "staff" and waiting is not None:
            answered, waiting = (waiting, message.at), None
    if waiting is not None:
        return waiting.occurrence, waiting.at, None, _message_name(waiting)
    if answered is not None:
        return answered[0].occurrence, answered[0].at, answered[1], _message_name(answered[0])
    return -1, facts.opened_at, None, ""


def _message_name(message: Message) -> str:
    what = "the opening message" if not message.occurrence else f"message {message.occurrence}"
    return f"at {what}, the oldest that staff have not answered"


def evaluate(
    policy: PolicyRecord,
    facts: Facts,
    schedule: Schedule | None,
    breaches: dict[tuple[int, int], Breach],
    now: datetime,
) -> PolicyClock:
    """Where `policy`'s clock stands on the ticket at `now`, and why."""
    occurrence, start, stop, why = _start(policy, facts)
    used = schedule if policy.business_hours else None
    if occurrence < 0:
        idle = ["no client message is waiting for an answer"]
        return PolicyClock(policy, "idle", 0, None, None, 0.0, None, None, idle)
    breach = breaches.get((policy.id, occurrence))
    until = stop or now
    # A stopped clock counts the pauses before its stop, each ended by the stop at the latest.
    pauses: list[clock.Pause] = [
        (pause.started_at, pause.ended_at if stop is None else min(pause.ended_at or stop, stop))
        for pause in facts.pauses
        if pause.started_at < until
    ]
    steps = [f"started {iso_millis(start)} {why}"]
    steps.append(
        f"{policy.hours:g} h of business hours ({used.describe()})"
        if used is not None
        else f"{policy.hours:g} h around the clock"
        + (" (the department has no business hours)" if policy.business_hours else "")
    )
    paused_seconds = 0.0
    for pause in facts.pauses:
        if pause.started_at >= until:
            continue
        ended = min(pause.ended_at or until, until)
        if ended <= start:
            continue
        seconds = (ended - max(pause.started_at, start)).total_seconds()
        paused_seconds += seconds
        span = f"{iso_millis(max(pause.started_at, start))} to " + (
            iso_millis(pause.ended_at) if pause.ended_at and pause.ended_at <= until else "now"
        )
        line = f"paused {seconds:.0f} s in {pause.status} ({span})"
        if used is not None:
            counted = clock.working_seconds(used, max(pause.started_at, start), ended)
            line += f", {counted:.0f} s of them working time"
        steps.append(line)
    open_pause = bool(pauses) and pauses[-1][1] is None and stop is None
    due = clock.due_at(used, start, policy.hours, [] if open_pause else pauses)
    if open_pause:
        # The clock stands still: the due time is what it would be if the pause ended now.
        due = clock.due_at(used, start, policy.hours, [(p[0], p[1] or now) for p in pauses])
    state: State
    if stop is not None:
        state = "met"
        late = due is not None and stop > due
        steps.append(
            f"{'answered' if policy.trigger != 'resolution' else 'closed'} {iso_millis(stop)}"
            + (", after the due time" if late else ", in time")
        )
    elif open_pause:
        state = "paused"
        steps.append(f"paused now in {facts.pauses[-1].status}: the due time moves while it lasts")
    elif due is None:
        state = "unreachable"
        steps.append("no working time within the clock's horizon")
    else:
        state = "running"
    if used is not None and used.holidays:
        last = (due or now).astimezone(used.zone).date()
        first = start.astimezone(used.zone).date()
        skipped = sorted(day for day in used.holidays if first <= day <= last)
        if skipped:
            steps.append("holidays skipped: " + ", ".join(day.isoformat() for day in skipped))
    if due is not None:
        steps.append(f"due {iso_millis(due)}")
    if breach is not None:
        steps.append(f"breached {iso_millis(breach.breached_at)} (level {policy.level})")
    return PolicyClock(policy, state, occurrence, start, due, paused_seconds, stop, breach, steps)
