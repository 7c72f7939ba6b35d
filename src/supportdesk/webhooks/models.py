"""The webhook tables: the endpoints, and one delivery (outbox row) per endpoint and event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.columns import PUBLIC_ID_LENGTH
from supportdesk.core.models import Base, UTCDateTime

URL_LENGTH = 2048
SECRET_LENGTH = 64
TYPE_LENGTH = 32
ERROR_LENGTH = 500
WORKER_LENGTH = 64

PENDING = "pending"  # shown as `delivering` while a worker holds its lease
DELIVERING = "delivering"
DELIVERED = "delivered"
FAILED = "failed"


class WebhookEndpoint(Base):
    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    # `*`, or a JSON list of event types.
    events: Mapped[str] = mapped_column(Text)
    # Kept as it was issued (`whsec_` + base64): signing needs the secret itself, so it cannot
    # be hashed like an API key; the API shows it once, when it is made.
    secret: Mapped[str] = mapped_column(String(SECRET_LENGTH))
    # The secret before the last rotation: deliveries carry its signature too for a day, so
    # that a receiver can change its secret after supportdesk did.
    previous_secret: Mapped[str | None] = mapped_column(String(SECRET_LENGTH))
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    active: Mapped[bool] = mapped_column(default=True)
    # Failed attempts since the last 2xx, and when that run of failures began.
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str] = mapped_column(String(ERROR_LENGTH), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDelivery(Base):
    """One event for one endpoint: the body is fixed when the event happens, the `webhook-id`
    (`public_id`) is the same on every attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_order", "endpoint_id", "ticket_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(PUBLIC_ID_LENGTH), unique=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    type: Mapped[str] = mapped_column(String(TYPE_LENGTH))
    payload: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    # Attempts made in all; `step` is the place in the backoff (a redelivery starts it again).
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Which worker holds the delivery, and until when (`jobs.lease`).
    lease_owner: Mapped[str | None] = mapped_column(String(WORKER_LENGTH))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(ERROR_LENGTH), default="")
    # The latest attempts (JSON list of {at, statusCode, error, durationMs}), newest last.
    log: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
