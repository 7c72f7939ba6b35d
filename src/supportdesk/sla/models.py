"""The SLA's own tables: paused periods, the next due instant per (ticket, policy), breaches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.models import Base, UTCDateTime

EFFECT_KEY_LENGTH = 96


class SlaPause(Base):
    """A period the ticket spent in a status that stops the SLA clocks (`pausesSla`, and
    Closed), written by `on_event` in the transaction of the status change."""

    __tablename__ = "sla_pauses"
    __table_args__ = (Index("ix_sla_pauses_ticket_order", "ticket_id", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    # The status's name when it paused the clock (a later rename does not rewrite history).
    status_name: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # None while the ticket is still in that status.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SlaClock(Base):
    """Each active policy's clock on a ticket, and when it falls due if it runs toward a
    breach: what the breach job looks up by due time instead of evaluating every ticket on
    every tick. Rewritten whenever the ticket changes, and by the job."""

    __tablename__ = "sla_clocks"
    __table_args__ = (Index("ix_sla_clocks_due", "due_at"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id"), primary_key=True)
    occurrence: Mapped[int] = mapped_column(Integer)
    # None: not running toward a breach (met, paused, idle, or breached already).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SlaPending(Base):
    """A ticket whose clocks the job evaluates again: its department's rules changed, or it
    was there before the SLA tables (the migration marks those)."""

    __tablename__ = "sla_pending"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)


class SlaBreach(Base):
    """A breach that happened: once per (ticket, policy, occurrence), by its effect key."""

    __tablename__ = "sla_breaches"

    id: Mapped[int] = mapped_column(primary_key=True)
    # `sla:{ticket}:{policy}:{occurrence}` (automation.md): a retry or a second process
    # inserting it again changes nothing.
    effect_key: Mapped[str] = mapped_column(String(EFFECT_KEY_LENGTH), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id"))
    # 0 for first_response and resolution; the client message's reply id for next_response
    # (0 = the opening message).
    occurrence: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    breached_at: Mapped[datetime] = mapped_column(UTCDateTime())
