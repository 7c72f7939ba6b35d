"""The desk's sessions (one row per signed-in browser) and who has which ticket open."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.models import Base, UTCDateTime


class WebSession(Base):
    """A signed-in browser. The id is the SHA-256 (hex) of the token that only the cookie
    holds: the table alone lets nobody act as anyone."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    ip: Mapped[str] = mapped_column(String(45), default="")


class WebPresence(Base):
    """A session that has a ticket's page open, as of `last_seen_at` (its page polls)."""

    __tablename__ = "web_presence"
    __table_args__ = (Index("ix_web_presence_ticket_seen", "ticket_id", "last_seen_at"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("web_sessions.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
