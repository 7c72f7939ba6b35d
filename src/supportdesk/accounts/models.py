"""Who is on either side of a ticket: clients (in groups, under brands) and staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text
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
    signature: Mapped[str] = mapped_column(Text, default="")
    # An administrator of the organisation (the desk's admin pages; `staff add --admin`).
    admin: Mapped[bool] = mapped_column(Boolean, default=False)
    # Argon2id hash of the web sign-in password; None = no password set (cannot sign in).
    password_hash: Mapped[str | None] = mapped_column(String(255))


class DepartmentStaff(Base):
    """Which staff members work which department (`departmentIds` / `staffIds`)."""

    __tablename__ = "department_staff"

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
