"""Who does something, and through which door: what every service function is given.

An API key, a web session, a job and the command line all become an `Actor` at their door.
The key's id and rate limit stay at the HTTP door; the services see only who acts, with what
scopes, and the door (`via`) that the timeline records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ActorType = Literal["client", "staff", "system"]

# The doors a change can come through (the timeline's `via`).
VIA_API_V1 = "api_v1"
VIA_API_V2 = "api_v2"
VIA_CLI = "cli"
VIA_AUTOMATION = "automation"
# The pages (`supportdesk.web`): the staff desk and the customer portal.
VIA_WEB = "web"


@dataclass(frozen=True, slots=True)
class Actor:
    """A client account, a staff member, or the system itself, acting through `via`."""

    type: ActorType
    id: int | None
    via: str
    scopes: frozenset[str] = frozenset()
    # False when a client's account is Suspended or Closed.
    active: bool = True
    # A guest (a ticket's submitter without a client account, holding its access link): the
    # one ticket it may see and act on. None for everyone else.
    ticket_id: int | None = None

    @classmethod
    def client(cls, client_id: int, via: str, scopes: frozenset[str] = frozenset()) -> Actor:
        return cls("client", client_id, via, scopes)

    @classmethod
    def staff(cls, staff_id: int, via: str, scopes: frozenset[str] = frozenset()) -> Actor:
        return cls("staff", staff_id, via, scopes)

    @classmethod
    def guest(cls, ticket_id: int, via: str, scopes: frozenset[str] = frozenset()) -> Actor:
        """The submitter of a guest ticket (no client account), through its access link: a
        client's side of the conversation, for that one ticket only."""
        return cls("client", None, via, scopes, ticket_id=ticket_id)

    @classmethod
    def system(cls, via: str) -> Actor:
        """supportdesk itself (a job, an operator's command): it sees every ticket."""
        return cls("system", None, via)

    @property
    def is_client(self) -> bool:
        return self.type == "client"

    @property
    def is_staff(self) -> bool:
        """Staff and the system see what staff see (notes, drafts, internal tickets)."""
        return self.type != "client"

    @property
    def client_id(self) -> int | None:
        return self.id if self.type == "client" else None

    @property
    def guest_ticket_id(self) -> int | None:
        """The ticket a guest may see (None for anyone who is not a guest)."""
        return self.ticket_id if self.type == "client" and self.id is None else None

    @property
    def staff_id(self) -> int | None:
        return self.id if self.type == "staff" else None

    @property
    def side(self) -> Literal["staff", "client"]:
        """Which side of the conversation the actor is on."""
        return "client" if self.type == "client" else "staff"
