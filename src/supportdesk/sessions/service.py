"""Signing staff in and out of the desk, and who else has a ticket open.

A session's token (32 random bytes) lives only in the browser's cookie; the database keeps its
SHA-256, so a copy of the table signs nobody in. A session ends when signed out, when idle for
`desk_session_idle_minutes`, after `desk_session_hours`, when its staff member is deactivated,
or when their password changes.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from supportdesk.core.actor import VIA_WEB, Actor
from supportdesk.core.db import DbSession
from supportdesk.core.errors import NotFound
from supportdesk.core.scopes import ADMIN_SUPPORT, MANAGE_SUPPORT, READ_SUPPORT, WRITE_SUPPORT
from supportdesk.sessions import passwords
from supportdesk.sessions import repository as rows

# The last-seen time is written at most this often per session, not on every page.
TOUCH_EVERY = timedelta(minutes=1)
# A presence older than this is somebody who closed the page (pages poll every few seconds).
PRESENCE_FRESH = timedelta(seconds=15)
_STAFF_SCOPES = frozenset({READ_SUPPORT, WRITE_SUPPORT, MANAGE_SUPPORT})


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    lifetime: timedelta
    idle: timedelta


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A staff member signed in through one browser session."""

    session_id: str
    staff_id: int
    username: str
    name: str
    admin: bool

    @property
    def actor(self) -> Actor:
        """Who the pages act as: the staff member through the `web` door, with every staff
        scope (and `admin:support` for an administrator)."""
        scopes = _STAFF_SCOPES | {ADMIN_SUPPORT} if self.admin else _STAFF_SCOPES
        return Actor.staff(self.staff_id, VIA_WEB, scopes)


def session_id_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def set_password(session: DbSession, username: str, password: str) -> int:
    """Set a staff member's password (ending their sessions); their id. NotFound for no
    staff member of that username."""
    found = await rows.staff_login(session, username)
    if found is None:
        raise NotFound(f"No staff member has the username {username!r}.")
    await rows.set_password_hash(session, found.id, passwords.hash_password(password))
    await rows.delete_staff_sessions(session, found.id)
    return found.id


async def sign_in(
    session: DbSession,
    username: str,
    password: str,
    *,
    now: datetime,
    policy: SessionPolicy,
    ip: str = "",
    user_agent: str = "",
) -> str | None:
    """A new session's token for the right password of an active staff member; else None.
    (The same None for an unknown name, an inactive one, and a wrong password.)"""
    found = await rows.staff_login(session, username)
    stored = found.password_hash if found is not None else None
    if not passwords.verify_password(stored, password) or found is None or not found.active:
        return None
    assert stored is not None
    if passwords.needs_rehash(stored):
        await rows.set_password_hash(session, found.id, passwords.hash_password(password))
    await rows.delete_ended(session, now, now - policy.idle)
    token = secrets.token_urlsafe(32)
    await rows.insert_session(
        session,
        {
            "id": session_id_of(token),
            "staff_id": found.id,
            "created_at": now,
            "last_seen_at": now,
            "expires_at": now + policy.lifetime,
            "user_agent": user_agent[:255],
            "ip": ip[:45],
        },
    )
    return token


async def current(
    session: DbSession, token: str, *, now: datetime, policy: SessionPolicy
) -> SignedIn | None:
    """The session the cookie's token names, while it lasts; None otherwise."""
    if not token or len(token) > 128:
        return None
    found = await rows.find_session(session, session_id_of(token))
    if found is None:
        return None
    if found.expires_at <= now or found.last_seen_at + policy.idle <= now:
        return None  # its row goes at the next sign-in (`delete_ended`)
    if now - found.last_seen_at >= TOUCH_EVERY:
        await rows.touch_session(session, found.id, now)
    return SignedIn(
        session_id=found.id,
        staff_id=found.staff_id,
        username=found.username,
        name=found.name,
        admin=found.admin,
    )


async def sign_out(session: DbSession, token: str) -> None:
    await rows.delete_session(session, session_id_of(token))


async def others_present(
    session: DbSession, signed_in: SignedIn, ticket_id: int, now: datetime
) -> list[str]:
    """Mark this session as having the ticket open; the names of the other staff who have it
    open now (any server process: it is all in the database)."""
    await rows.mark_present(session, ticket_id, signed_in.session_id, signed_in.staff_id, now)
    found = await rows.present_on(session, ticket_id, now - PRESENCE_FRESH, signed_in.session_id)
    names = [name for staff_id, name in found if staff_id != signed_in.staff_id]
    if any(staff_id == signed_in.staff_id for staff_id, _ in found):
        names.append("you, in another window")
    return names
