"""The caller of a request, as the services see it."""

from __future__ import annotations

from dataclasses import dataclass

SCOPES = ("read:support", "write:support", "read:account")


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated API key: it belongs to one client account or to one staff member."""

    key_id: int
    client_id: int | None
    staff_id: int | None
    scopes: frozenset[str]
    rate_limit_per_minute: int
    # False when the key's client account is Suspended or Closed: such a key gets 403.
    active: bool = True

    @property
    def is_staff(self) -> bool:
        return self.staff_id is not None

    @property
    def side(self) -> str:
        """Which side of the conversation the caller is on: `staff` or `client`."""
        return "staff" if self.is_staff else "client"
