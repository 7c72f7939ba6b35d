"""Effect keys: an effect and the record that it happened commit in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.core.db import DbSession
from supportdesk.jobs.models import WORKER_LENGTH, JobEffect


async def record_effect(session: DbSession, key: str, *, worker: str, now: datetime) -> bool:
    """Write the effect's key; False (nothing written) when it was made already, in which case
    the caller makes nothing either."""
    return key in await record_effects(session, [key], worker=worker, now=now)


async def record_effects(
    session: DbSession, keys: Sequence[str], *, worker: str, now: datetime
) -> set[str]:
    """Write the keys of a batch of effects in one statement; the keys written (those not made
    already): the caller makes those effects only."""
    if not keys:
        return set()
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    statement = (
        dialect.insert(JobEffect)
        .values([{"key": key, "worker": worker[:WORKER_LENGTH], "created_at": now} for key in keys])
        .on_conflict_do_nothing(index_elements=[JobEffect.key])
        .returning(JobEffect.key)
    )
    return {row[0] for row in (await session.execute(statement)).all()}
