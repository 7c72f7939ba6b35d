"""API keys, stored as SHA-256 digests only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.models import Base, UTCDateTime


class ApiKey(Base):
    __tablename__ = "api_keys"
    __table_args__ = (
        CheckConstraint("(client_id IS NULL) <> (staff_id IS NULL)", name="exactly_one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    # The first characters of the key, so that people can tell their keys apart in a list.
    hint: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), index=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), index=True)
    scopes: Mapped[str] = mapped_column(String(255))
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
