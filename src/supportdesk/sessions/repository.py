"""All SQL of sign-in: staff passwords, session rows, presence rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from supportdesk.accounts.models import Staff
from supportdesk.core.db import DbSession
from supportdesk.sessions.models import WebPresence, WebSession


@dataclass(frozen=True, slots=True)
class StaffLogin:
    id: int
    username: str
    password_hash: str | None
    active: bool


@dataclass(frozen=True, slots=True)
class SessionRow:
    id: str
    staff_id: int
    username: str
    name: str
    admin: bool
    last_seen_at: datetime
    expires_at: datetime


async def staff_login(session: DbSession, username: str) -> StaffLogin | None:
    row = (
        await session.execute(
            select(Staff.id, Staff.username, Staff.password_hash, Staff.status).where(
                Staff.username == username
            )
        )
    ).first()
    if row is None:
        return None
    return StaffLogin(int(row.id), row.username, row.password_hash, row.status == "Active")


async def set_password_hash(session: DbSession, staff_id: int, password_hash: str) -> None:
    await session.execute(
        update(Staff).where(Staff.id == staff_id).values(password_hash=password_hash)
    )


async def insert_session(session: DbSession, row: dict[str, object]) -> None:
    await session.execute(insert(WebSession).values(**row))


async def find_session(session: DbSession, session_id: str) -> SessionRow | None:
    """The session with that id, if its staff member is active."""
    row = (
        await session.execute(
            select(
                WebSession.id,
                WebSession.staff_id,
                WebSession.last_seen_at,
                WebSession.expires_at,
                Staff.username,
                Staff.firstname,
                Staff.lastname,
                Staff.admin,
            )
            .join(Staff, Staff.id == WebSession.staff_id)
            .where(WebSession.id == session_id, Staff.status == "Active")
        )
    ).first()
    if row is None:
        return None
    return SessionRow(
        id=row.id,
        staff_id=int(row.staff_id),
        username=row.username,
        name=f"{row.firstname} {row.lastname}".strip(),
        admin=bool(row.admin),
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
    )


async def touch_session(session: DbSession, session_id: str, now: datetime) -> None:
    await session.execute(
        update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now)
    )


async def delete_session(session: DbSession, session_id: str) -> None:
    await session.execute(delete(WebPresence).where(WebPresence.session_id == session_id))
    await session.execute(delete(WebSession).where(WebSession.id == session_id))


async def delete_staff_sessions(session: DbSession, staff_id: int) -> None:
    """Every session of a staff member (their password changed)."""
    await session.execute(delete(WebPresence).where(WebPresence.staff_id == staff_id))
    await session.execute(delete(WebSession).where(WebSession.staff_id == staff_id))


async def delete_ended(session: DbSession, now: datetime, idle_since: datetime) -> None:
    """Every session past its lifetime, or idle since before `idle_since`."""
    ended = or_(WebSession.expires_at <= now, WebSession.last_seen_at <= idle_since)
    await session.execute(
        delete(WebPresence).where(WebPresence.session_id.in_(select(WebSession.id).where(ended)))
    )
    await session.execute(delete(WebSession).where(ended))


async def mark_present(
    session: DbSession, ticket_id: int, session_id: str, staff_id: int, now: datetime
) -> None:
    """Insert or refresh the session's presence on the ticket, in one statement."""
    values = {
        "ticket_id": ticket_id,
        "session_id": session_id,
        "staff_id": staff_id,
        "last_seen_at": now,
    }
    dialect_insert = postgresql.insert if session.dialect_name == "postgresql" else sqlite.insert
    statement = dialect_insert(WebPresence).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[WebPresence.ticket_id, WebPresence.session_id],
            set_={"last_seen_at": now},
        )
    )


async def present_on(
    session: DbSession, ticket_id: int, since: datetime, other_than: str
) -> list[tuple[int, str]]:
    """(staff id, name) of the other sessions seen on the ticket since `since`, by name."""
    rows = await session.execute(
        select(Staff.id, Staff.firstname, Staff.lastname)
        .join(WebPresence, WebPresence.staff_id == Staff.id)
        .where(
            WebPresence.ticket_id == ticket_id,
            WebPresence.last_seen_at >= since,
            WebPresence.session_id != other_than,
        )
        .distinct()
        .order_by(Staff.firstname, Staff.lastname, Staff.id)
    )
    return [(int(row.id), f"{row.firstname} {row.lastname}".strip()) for row in rows]
