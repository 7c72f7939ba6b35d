"""API keys for the admin routes: the CLI's `keys create | list | revoke` (keys.service)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from supportdesk.admin.common import Page, require_admin
from supportdesk.core.actor import Actor
from supportdesk.core.clock import utcnow
from supportdesk.core.db import DbSession
from supportdesk.core.errors import Conflict, NotFound
from supportdesk.keys import service
from supportdesk.keys.models import ApiKey


@dataclass(frozen=True, slots=True)
class KeyRecord:
    """A key as listed: never the key itself, only its first characters."""

    id: int
    hint: str
    client_id: int | None
    staff_id: int | None
    scopes: list[str]
    rate_limit_per_minute: int | None
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"


_COLUMNS = (
    ApiKey.id,
    ApiKey.hint,
    ApiKey.client_id,
    ApiKey.staff_id,
    ApiKey.scopes,
    ApiKey.rate_limit_per_minute,
    ApiKey.created_at,
    ApiKey.expires_at,
    ApiKey.revoked_at,
    ApiKey.last_used_at,
)


def _record(row: object) -> KeyRecord:
    values = dict(row._mapping)  # type: ignore[attr-defined]
    return KeyRecord(**{**values, "scopes": sorted(values["scopes"].split())})


async def list_keys(
    session: DbSession, actor: Actor, *, after_id: int | None = None, limit: int = 50
) -> Page[KeyRecord]:
    require_admin(actor)
    statement = select(*_COLUMNS).order_by(ApiKey.id).limit(limit + 1)
    if after_id is not None:
        statement = statement.where(ApiKey.id > after_id)
    rows = (await session.execute(statement)).all()
    return Page([_record(row) for row in rows[:limit]], len(rows) > limit)


async def get_key(session: DbSession, actor: Actor, key_id: int) -> KeyRecord:
    require_admin(actor)
    row = (await session.execute(select(*_COLUMNS).where(ApiKey.id == key_id))).first()
    if row is None:
        raise NotFound("No key has that id.")
    return _record(row)


async def issue_key(
    session: DbSession,
    actor: Actor,
    *,
    client_id: int | None,
    staff_id: int | None,
    scopes: list[str],
    expires_in_days: int | None,
    rate_limit_per_minute: int | None,
) -> tuple[KeyRecord, str]:
    """Issue a key: its record, and the key itself (shown this once)."""
    require_admin(actor)
    key_id, key = await service.create_key(
        session,
        client_id=client_id,
        staff_id=staff_id,
        scopes=scopes,
        expires_in_days=expires_in_days,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    return await get_key(session, actor, key_id), key


async def revoke(
    session: DbSession, actor: Actor, key_id: int, *, presented_key_id: int | None
) -> KeyRecord:
    """Revoke a key (again: a no-op). Not the key making the request: it would lock its
    holder out mid-way (revoke it with another key, or `supportdesk keys revoke`)."""
    require_admin(actor)
    await get_key(session, actor, key_id)
    if presented_key_id == key_id:
        raise Conflict("This is the key making the request: revoke it with another one.")
    await service.revoke_key(session, str(key_id))
    return await get_key(session, actor, key_id)
