"""v2 route of the SLA (automation.md): where each of a ticket's SLA clocks stands, and why.

Staff only, like the timeline: a staff key with `read:support` reads it; a client key gets 403
(the route exists; the key may not use it).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from supportdesk.api.doors import route_class
from supportdesk.api.inputs import AuthFirstRoute
from supportdesk.api.v2 import render
from supportdesk.api.v2.door import V2
from supportdesk.api.v2.router import TicketId, ticket_ref
from supportdesk.api.v2.schemas import problems
from supportdesk.auth.dependencies import ReadSupport, Session
from supportdesk.core.clock import iso_millis
from supportdesk.sla import service
from supportdesk.sla.evaluate import PolicyClock

router = APIRouter(
    prefix="/api/v2/support", tags=["v2"], route_class=route_class(V2, AuthFirstRoute)
)


class V2SlaPolicyClock(BaseModel):
    policyId: int
    name: str
    level: int
    trigger: Literal["first_response", "next_response", "resolution"]
    hours: float
    businessHours: bool
    state: Literal["running", "paused", "met", "idle", "unreachable"] = Field(
        description="`running` toward `dueAt`; `paused` (the due time moves while the ticket "
        "waits in a pausing status or is closed); `met` (answered or closed, see `stoppedAt`); "
        "`idle` (no client message waiting); `unreachable` (no working time ahead)."
    )
    occurrence: int = Field(
        description="0, or for `next_response` the client message's reply id (0 = opening)."
    )
    startedAt: str | None
    dueAt: str | None
    stoppedAt: str | None
    pausedSeconds: float
    breached: bool
    breachedAt: str | None
    explanation: list[str] = Field(description="The steps from the start to the due time.")


class V2TicketSla(BaseModel):
    ticketId: str
    policies: list[V2SlaPolicyClock]


def _when(moment: datetime | None) -> str | None:
    return iso_millis(moment) if moment is not None else None


def _clock(found: PolicyClock) -> dict[str, object]:
    policy = found.policy
    return {
        "policyId": policy.id,
        "name": policy.name,
        "level": policy.level,
        "trigger": policy.trigger,
        "hours": policy.hours,
        "businessHours": policy.business_hours,
        "state": found.state,
        "occurrence": found.occurrence,
        "startedAt": _when(found.started_at),
        "dueAt": _when(found.due_at),
        "stoppedAt": _when(found.stopped_at),
        "pausedSeconds": round(found.paused_seconds, 3),
        "breached": found.breach is not None,
        "breachedAt": _when(found.breach.breached_at) if found.breach else None,
        "explanation": found.explanation,
    }


@router.get(
    "/tickets/{ticket_id}/sla",
    response_model=V2TicketSla,
    responses=problems(400, 401, 403, 404, 406, 429),
    summary="The ticket's SLA clocks",
)
async def ticket_sla(actor: ReadSupport, session: Session, ticket_id: TicketId) -> Response:
    """Each policy of the ticket's department: its due time, seconds paused, whether it was
    breached, and the steps that explain the due time (staff keys)."""
    ref = ticket_ref(ticket_id)
    found = await service.ticket_clocks(session, actor, ref)
    return render.json_response(
        {"ticketId": found.public_id, "policies": [_clock(c) for c in found.clocks]}
    )
