"""Where tickets go (departments, with SLA policies) and the states they pass through."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.columns import SLUG_LENGTH, V2_STATUS_LENGTH
from supportdesk.core.models import Base

# The built-in statuses the lifecycle moves tickets through (model.md); the migration seeds them.
OPEN = "Open"
ANSWERED = "Answered"
CLIENT_REPLY = "Client-Reply"
IN_PROGRESS = "In-Progress"
ON_HOLD = "On-Hold"
CLOSED = "Closed"

V2_STATUSES = ("open", "answered", "customer_reply", "in_progress", "on_hold", "closed", "unknown")


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    slug: Mapped[str] = mapped_column(String(SLUG_LENGTH), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    visible: Mapped[bool] = mapped_column(Boolean, default=True)
    # 0 = tickets are never closed automatically.
    auto_close_hours: Mapped[int] = mapped_column(Integer, default=0)
    client_can_reopen: Mapped[bool] = mapped_column(Boolean, default=True)
    # Resolution due this many hours after opening; 0 = no resolution SLA.
    resolve_within_hours: Mapped[int] = mapped_column(Integer, default=0)


class SlaPolicy(Base):
    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint("measure IN ('since_open', 'since_client_message')", name="measure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    level: Mapped[int] = mapped_column(Integer)
    hours: Mapped[int] = mapped_column(Integer)
    measure: Mapped[str] = mapped_column(String(32), default="since_open")


class Status(Base):
    __tablename__ = "statuses"
    __table_args__ = (
        CheckConstraint(
            "v2_status IN ('open', 'answered', 'customer_reply', 'in_progress', 'on_hold', "
            "'closed', 'unknown')",
            name="v2_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    color: Mapped[str] = mapped_column(String(6), default="000000")
    auto_close: Mapped[bool] = mapped_column(Boolean, default=False)
    v2_status: Mapped[str] = mapped_column(String(V2_STATUS_LENGTH), default="unknown")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
