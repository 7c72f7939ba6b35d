"""jobs: effect keys, and the indexes that find due auto-closes and scheduled replies

Revision ID: 0006_jobs
Revises: 0005_queue_indexes
Create Date: 2026-12-04

`job_effects` holds one row per effect a job made (`autoclose:{ticket}:{last message}`,
`scheduled:{message}`), unique, written in the effect's own transaction. `ix_tickets_auto_close`
finds a status's tickets of a department quiet since a time; `ix_replies_scheduled` finds the
scheduled messages whose time has come.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.core.models

revision: str = "0006_jobs"
down_revision: str | None = "0005_queue_indexes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = supportdesk.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "job_effects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("worker", sa.String(length=128), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_effects")),
        sa.UniqueConstraint("key", name=op.f("uq_job_effects_key")),
    )
    op.create_index("ix_tickets_auto_close", "tickets", ["status_id", "dept_id", "last_reply_at"])
    op.create_index("ix_replies_scheduled", "replies", ["status", "send_at"])


def downgrade() -> None:
    op.drop_index("ix_replies_scheduled", table_name="replies")
    op.drop_index("ix_tickets_auto_close", table_name="tickets")
    op.drop_table("job_effects")
