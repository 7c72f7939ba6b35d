"""All SQL on API keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, insert, or_, select, update

from supportdesk.accounts.models import Client, Staff
from supportdesk.core.db import DbSession
from supportdesk.keys.models import ApiKey


@dataclass(frozen=True, slots=True)
class KeyRecord:
    id: int
    client_id: int | None
    staff_id: int | None
    scopes: frozenset[str]
    rate_limit_per_minute: int | None
    expires_at: datetime | None
    revoked_at: datetime | None
    client_status: str | None
    staff_status: str | None = None


async def find_by_digest(session: DbSession, digest: bytes) -> KeyRecord | None:
    row = (
        (
            await session.execute(
                select(
                    ApiKey.id,
                    ApiKey.client_id,
                    ApiKey.staff_id,
                    ApiKey.scopes,
                    ApiKey.rate_limit_per_minute,
                    ApiKey.expires_at,
                    ApiKey.revoked_at,
                    Client.status.label("client_status"),
                    Staff.status.label("staff_status"),
                )
                .outerjoin(Client, Client.id == ApiKey.client_id)
                .outerjoin(Staff, Staff.id == ApiKey.staff_id)
                .where(ApiKey.digest == digest)
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    return KeyRecord(**{**row, "scopes": frozenset(row["scopes"].split())})


async def touch_last_used(session: DbSession, key_id: int, now: datetime) -> None:
    """Record use, but only if the stored time is over a minute old (any process may try)."""
    await session.execute(
        update(ApiKey)
        .where(ApiKey.id == key_id)
        .where(or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - timedelta(minutes=1)))
        .values(last_used_at=now)
    )


async def insert_key(
    session: DbSession,
    *,
    digest: bytes,
    hint: str,
    client_id: int | None,
    staff_id: int | None,
    scopes: list[str],
    rate_limit_per_minute: int | None,
    created_at: datetime,
    expires_at: datetime | None,
) -> int:
    result = await session.execute(
        insert(ApiKey)
        .values(
            digest=digest,
            hint=hint,
            client_id=client_id,
            staff_id=staff_id,
            scopes=" ".join(scopes),
            rate_limit_per_minute=rate_limit_per_minute,
            created_at=created_at,
            expires_at=expires_at,
        )
        .returning(ApiKey.id)
    )
    return int(result.scalar_one())


async def list_keys(session: DbSession) -> list[RowMapping]:
    result = await session.execute(
        select(
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
        ).order_by(ApiKey.id)
    )
    return list(result.mappings())


async def revoke(
    session: DbSession, *, key_id: int | None, digest: bytes | None, now: datetime
) -> bool:
    condition = ApiKey.id == key_id if key_id is not None else ApiKey.digest == digest
    result = await session.execute(
        update(ApiKey).where(condition, ApiKey.revoked_at.is_(None)).values(revoked_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
