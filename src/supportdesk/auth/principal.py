"""The caller of a request at the HTTP door: an API key, which acts as an `Actor`."""

from __future__ import annotations

from dataclasses import dataclass

from supportdesk.core.actor import Actor
from supportdesk.core.scopes import SCOPES

__all__ = ["SCOPES", "Principal"]


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated API key: it belongs to one client account or to one staff member.

    Its id and rate limit matter only at the door; the services see `actor(via)`.
    """

    key_id: int
    client_id: int | None
    staff_id: int | None
    scopes: frozenset[str]
    rate_limit_per_minute: int
    # False when the key's client account is Suspended or Closed, or its staff member is
    # Inactive: such a key gets 403.
    active: bool = True

    @property
    def is_staff(self) -> bool:
        return self.staff_id is not None

    def actor(self, via: str) -> Actor:
        """Who this key acts as, through the door `via`."""
        if self.staff_id is not None:
            return Actor("staff", self.staff_id, via, self.scopes, self.active)
        assert self.client_id is not None, "a key belongs to a client or to a staff member"
        return Actor("client", self.client_id, via, self.scopes, self.active)
