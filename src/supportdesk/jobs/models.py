"""The record that an effect happened: one row per effect key, unique, written with it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from supportdesk.core.models import Base, UTCDateTime

EFFECT_KEY_LENGTH = 200
WORKER_LENGTH = 128


class JobEffect(Base):
    """`autoclose:{ticket}:{last message}`, `scheduled:{message}`, ...: a key written in the
    transaction of the effect it names, so that a second process's attempt is a no-op."""

    __tablename__ = "job_effects"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(EFFECT_KEY_LENGTH), unique=True)
    # The worker (host:pid:random) whose transaction made the effect.
    worker: Mapped[str] = mapped_column(String(WORKER_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
