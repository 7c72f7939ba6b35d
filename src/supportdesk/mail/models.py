"""The outbox: each mail a change asked for, rendered when the change committed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.models import Base, UTCDateTime

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
MAIL_STATUSES = (PENDING, SENT, FAILED)

MESSAGE_ID_LENGTH = 255
MAIL_KIND_LENGTH = 32
WORKER_LENGTH = 128


class MailOutbox(Base):
    """One mail, its recipients and its stable `Message-ID`: a resend is the same message."""

    __tablename__ = "mail_outbox"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        # The sender's claim: pending rows by due time.
        Index("ix_mail_outbox_due", "status", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The RFC 5322 Message-ID with its angle brackets, made once when the mail was queued.
    message_id: Mapped[str] = mapped_column(String(MESSAGE_ID_LENGTH), unique=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    # What it tells (client_opened, client_reply, staff_assigned, ...): its templates' name.
    kind: Mapped[str] = mapped_column(String(MAIL_KIND_LENGTH))
    # JSON list: the envelope's recipients (To, Cc and blind copies).
    recipients: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    # JSON object: From, To, Cc, In-Reply-To, References, ... as the message carries them.
    headers: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The lease: who is sending it, until when (a crashed sender's rows are taken again).
    locked_by: Mapped[str | None] = mapped_column(String(WORKER_LENGTH))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
