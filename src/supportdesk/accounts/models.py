"""Who is on either side of a ticket: clients (in groups, under brands) and staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.models import Base, UTCDateTime

CLIENT_STATUSES = ("Active", "Suspended", "Closed")
STAFF_STATUSES = ("Active", "Inactive")


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)


class ClientGroup(Base):
    __tablename__ = "client_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)


class Client(Base):
    __tablename__ = "clients"
    __table_args__ = (
        CheckConstraint("status IN ('Active', 'Suspended', 'Closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("client_groups.id"))
    firstname: Mapped[str] = mapped_column(String(128))
    lastname: Mapped[str] = mapped_column(String(128))
    company: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="Active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Staff(Base):
    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("status IN ('Active', 'Inactive')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    firstname: Mapped[str] = mapped_column(String(128))
    lastname: Mapped[str] = mapped_column(String(128))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="Active")
