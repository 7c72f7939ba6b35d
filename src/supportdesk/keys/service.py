"""Keys: issue, authenticate (with a short cache), list, revoke."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import RowMapping, select

from supportdesk.accounts.models import Client, Staff
from supportdesk.auth.principal import SCOPES, Principal
from supportdesk.core.clock import utcnow
from supportdesk.core.columns import INTEGER_MAX, ROW_ID_MAX
from supportdesk.core.db import DbSession
from supportdesk.core.errors import InvalidApiKey, NotFound, ValidationFailed
from supportdesk.core.scopes import STAFF_ONLY_SCOPES
from supportdesk.keys import repository, tokens
from supportdesk.keys.repository import KeyRecord

# How long since this process last wrote `last_used_at` for a key; the UPDATE's own condition
# keeps it to once a minute across processes.
_LAST_USED_EVERY = 60.0


@dataclass(slots=True)
class _Cached:
    record: KeyRecord | None
    until: float


class KeyAuthenticator:
    """Turns a presented key into a principal.

    Key records are cached per process for `ttl` seconds (a setting, one second by default):
    a revocation, an expiry or a client's suspension reaches every process within that time.
    """

    def __init__(self, *, ttl: float, default_rate_limit: int) -> None:
        self._ttl = ttl
        self._default_rate_limit = default_rate_limit
        self._cache: dict[bytes, _Cached] = {}
        self._last_written: dict[int, float] = {}

    async def authenticate(self, session: DbSession, key: str) -> Principal:
        """401 for a malformed, unknown, revoked or expired key; 403 for an inactive client or
        staff member."""
        digest = tokens.digest(key)
        now_mono = time.monotonic()
        cached = self._cache.get(digest)
        if cached is None or cached.until < now_mono:
            # Only well-formed keys reach the cache, so a cached digest needs no second check.
            if not tokens.is_well_formed(key):
                raise InvalidApiKey()
            record = await repository.find_by_digest(session, digest)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[digest] = _Cached(record, now_mono + self._ttl)
        else:
            record = cached.record
        now = utcnow()
        if record is None or record.revoked_at is not None:
            raise InvalidApiKey()
        if record.expires_at is not None and record.expires_at <= now:
            raise InvalidApiKey()
        return Principal(
            key_id=record.id,
            client_id=record.client_id,
            staff_id=record.staff_id,
            scopes=record.scopes,
            rate_limit_per_minute=record.rate_limit_per_minute or self._default_rate_limit,
            active=record.client_status in (None, "Active")
            and record.staff_status in (None, "Active"),
        )

    async def note_use(self, session: DbSession, key_id: int) -> None:
        now_mono = time.monotonic()
        if now_mono - self._last_written.get(key_id, -_LAST_USED_EVERY) < _LAST_USED_EVERY:
            return
        self._last_written[key_id] = now_mono
        await repository.touch_last_used(session, key_id, utcnow())


# A key that lives longer than this is a key that never expires: say so instead.
MAX_KEY_DAYS = 100 * 366


async def create_key(
    session: DbSession,
    *,
    client_id: int | None,
    staff_id: int | None,
    scopes: list[str],
    expires_in_days: int | None = None,
    rate_limit_per_minute: int | None = None,
) -> tuple[int, str]:
    """Issue a key; the key itself is returned once and never stored."""
    if (client_id is None) == (staff_id is None):
        raise ValidationFailed("A key belongs to exactly one client or one staff member.")
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ValidationFailed(
            f"Scopes must be among {', '.join(SCOPES)}; got {unknown or 'none'}."
        )
    staff_only = sorted(set(scopes) & set(STAFF_ONLY_SCOPES))
    if client_id is not None and staff_only:
        raise ValidationFailed(
            f"{', '.join(staff_only)} {'is' if len(staff_only) == 1 else 'are'} for staff keys "
            "only: a client key cannot carry it."
        )
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_KEY_DAYS:
        raise ValidationFailed(f"--expires-in-days must be from 1 to {MAX_KEY_DAYS}.")
    if rate_limit_per_minute is not None and not 1 <= rate_limit_per_minute <= INTEGER_MAX:
        raise ValidationFailed(f"--rate-limit must be from 1 to {INTEGER_MAX}.")
    owner_id = client_id if client_id is not None else staff_id
    if owner_id is None or not 1 <= owner_id <= ROW_ID_MAX:
        raise NotFound("No such client." if client_id is not None else "No such staff member.")
    owner = (
        select(Client.id).where(Client.id == client_id)
        if client_id is not None
        else select(Staff.id).where(Staff.id == staff_id)
    )
    if (await session.execute(owner)).first() is None:
        raise NotFound("No such client." if client_id is not None else "No such staff member.")
    key = tokens.generate()
    now = utcnow()
    key_id = await repository.insert_key(
        session,
        digest=tokens.digest(key),
        hint=tokens.hint(key),
        client_id=client_id,
        staff_id=staff_id,
        scopes=sorted(set(scopes)),
        rate_limit_per_minute=rate_limit_per_minute,
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    return key_id, key


async def list_keys(session: DbSession) -> list[RowMapping]:
    return await repository.list_keys(session)


async def revoke_key(session: DbSession, key_or_id: str) -> bool:
    """Revoke by the key's id or by the key itself (a leaked key is revocable from the leak)."""
    now: datetime = utcnow()
    if key_or_id.isdigit():
        key_id = int(key_or_id)
        if key_id > ROW_ID_MAX:
            return False
        return await repository.revoke(session, key_id=key_id, digest=None, now=now)
    if not tokens.is_well_formed(key_or_id):
        raise ValidationFailed("That is neither a key id nor a well-formed key.")
    return await repository.revoke(session, key_id=None, digest=tokens.digest(key_or_id), now=now)
