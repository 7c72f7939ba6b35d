"""Public ticket numbers: random, unique, never reused; six digits until half of them are used."""

from __future__ import annotations

import re
import secrets
import string

from sqlalchemy import func, select

from supportdesk.core.columns import TICKET_NUMBER_MAX
from supportdesk.core.db import DbSession
from supportdesk.core.ids import public_id_pattern
from supportdesk.tickets.models import Ticket

# The largest number a ticket may have (`core.columns`: fits the 64-bit column).
MAX_TICKET_NUMBER = TICKET_NUMBER_MAX
_HASH_ALPHABET = string.ascii_lowercase + string.digits
_TICKET_REF = re.compile(rf"{public_id_pattern('tkt')}|[1-9][0-9]{{0,18}}")


def parse_ticket_ref(value: str) -> int | str | None:
    """A ticket's number or its `tkt_` id, as a door received it; None when it names none."""
    if not _TICKET_REF.fullmatch(value):
        return None
    if value.isdigit():
        number = int(value)
        return number if number <= MAX_TICKET_NUMBER else None
    return value


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
