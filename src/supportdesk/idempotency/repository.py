"""All SQL of idempotency records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update

from supportdesk.core.clock import as_datetime
from supportdesk.core.db import DbSession
from supportdesk.idempotency.models import IdempotencyKey

_T = IdempotencyKey


@dataclass(frozen=True, slots=True)
class Record:
    id: int
    fingerprint: str
    created_at: datetime
    status_code: int | None
    headers: list[tuple[str, str]]
    body: bytes


async def find(session: DbSession, api_key_id: int, key: str) -> Record | None:
    row = (
        await session.execute(
            select(
                _T.id,
                _T.fingerprint,
                _T.created_at,
                _T.status_code,
                _T.response_headers,
                _T.response_body,
            ).where(_T.api_key_id == api_key_id, _T.idempotency_key == key)
        )
    ).first()
    if row is None:
        return None
    created = as_datetime(row.created_at)
    assert created is not None
    headers = [(str(n), str(v)) for n, v in json.loads(row.response_headers or "[]")]
    body = row.response_body or b""
    return Record(int(row.id), str(row.fingerprint), created, row.status_code, headers, body)


async def insert_pending(
    session: DbSession, api_key_id: int, key: str, fingerprint: str, now: datetime
) -> int:
    """The record of a request that is running (the unique constraint refuses a second)."""
    return int(
        (
            await session.execute(
                insert(_T)
                .values(
                    api_key_id=api_key_id,
                    idempotency_key=key,
                    fingerprint=fingerprint,
                    created_at=now,
                )
                .returning(_T.id)
            )
        ).scalar_one()
    )


async def complete(
    session: DbSession, record_id: int, status: int, headers: list[tuple[str, str]], body: bytes
) -> None:
    await session.execute(
        update(_T)
        .where(_T.id == record_id)
        .values(status_code=status, response_headers=json.dumps(headers), response_body=body)
    )


async def forget(session: DbSession, record_id: int) -> None:
    await session.execute(delete(_T).where(_T.id == record_id))


async def delete_older_than(session: DbSession, moment: datetime) -> int:
    result = await session.execute(delete(_T).where(_T.created_at < moment))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
