"""A client's services, and which tickets are about which service."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.columns import SERVICE_NAME_LENGTH, SERVICE_TYPE_LENGTH
from supportdesk.core.models import Base, UTCDateTime

SERVICE_TYPES = ("domain", "hosting", "vps", "other")


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint("service_type IN ('domain', 'hosting', 'vps', 'other')", name="type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    service_type: Mapped[str] = mapped_column(String(SERVICE_TYPE_LENGTH))
    name: Mapped[str] = mapped_column(String(SERVICE_NAME_LENGTH))
    status: Mapped[str] = mapped_column(String(32), default="Active")
    next_due: Mapped[date | None] = mapped_column(Date)
    hostname: Mapped[str] = mapped_column(String(255), default="")


class TicketService(Base):
    __tablename__ = "ticket_services"
    __table_args__ = (UniqueConstraint("ticket_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    ai_summary: Mapped[str] = mapped_column(Text, default="")
    ai_helpful: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
