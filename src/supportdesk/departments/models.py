"""Where tickets go (departments, with SLA policies) and the states they pass through."""

from __future__ import annotations

from sqlalchemy import Boolean, CheckConstraint, Float, ForeignKey, Integer, String, Text
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
    # 0 = tickets are never closed automatically; fractional hours allowed (0.001 = 3.6 s).
    auto_close_hours: Mapped[float] = mapped_column(Float, default=0)
    client_can_reopen: Mapped[bool] = mapped_column(Boolean, default=True)
    # Resolution due this many hours after opening; 0 = no resolution SLA.
    resolve_within_hours: Mapped[int] = mapped_column(Integer, default=0)
    # JSON: {"timezone": "Europe/Stockholm", "week": {"mon": [["09:00", "17:00"]], ...},
    # "holidays": ["2026-12-24", ...]}; "" = around the clock (automation.md).
    business_hours: Mapped[str] = mapped_column(Text, default="")


class SlaPolicy(Base):
    """A promise of a department (automation.md): `trigger` within `hours`, else level `level`."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint(
            "trigger IN ('first_response', 'next_response', 'resolution')", name="trigger"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(128), default="")
    level: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(32), default="first_response")
    hours: Mapped[float] = mapped_column(Float)
    # Count only the department's working hours.
    business_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    # What a breach does beyond escalating: raise the priority to this level, assign to someone.
    raise_priority: Mapped[str | None] = mapped_column(String(16))
    assign_to_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


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
    # The SLA clock stops while a ticket is in this status (On-Hold by default).
    pauses_sla: Mapped[bool] = mapped_column(Boolean, default=False)
    v2_status: Mapped[str] = mapped_column(String(V2_STATUS_LENGTH), default="unknown")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
