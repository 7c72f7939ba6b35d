"""Public ticket numbers: random, unique, never reused; six digits until half of them are used."""

from __future__ import annotations

import secrets
import string

from sqlalchemy import func, select

from supportdesk.core.db import DbSession
from supportdesk.tickets.models import Ticket

_HASH_ALPHABET = string.ascii_lowercase + string.digits


def access_hash() -> str:
    """`acc_hash`: 32 characters of [a-z0-9] that open the ticket without logging in."""
    return "".join(secrets.choice(_HASH_ALPHABET) for _ in range(32))


async def number_width(session: DbSession) -> int:
    """Six digits while fewer than half of the six-digit numbers are taken, then seven, ..."""
    width = 6
    while True:
        low, high = int(10 ** (width - 1)), int(10**width) - 1
        taken: int = (
            await session.execute(
                select(func.count()).where(Ticket.ticket_number.between(low, high))
            )
        ).scalar_one()
        if taken < (high - low + 1) // 2:
            return width
        width += 1


def candidate(width: int) -> int:
    low = int(10 ** (width - 1))
    return low + secrets.randbelow(9 * low)
