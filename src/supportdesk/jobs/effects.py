"""Effect keys: an effect and the record that it happened commit in one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.core.db import DbSession
from supportdesk.jobs.models import JobEffect


async def record_effect(session: DbSession, key: str, *, worker: str, now: datetime) -> bool:
    """Write the effect's key; False (nothing written) when it was made already, in which case
    the caller makes nothing either."""
    dialect = postgresql if session.dialect_name == "postgresql" else sqlite
    statement = (
        dialect.insert(JobEffect)
        .values(key=key, worker=worker[:128], created_at=now)
        .on_conflict_do_nothing(index_elements=[JobEffect.key])
        .returning(JobEffect.id)
    )
    return (await session.execute(statement)).first() is not None
