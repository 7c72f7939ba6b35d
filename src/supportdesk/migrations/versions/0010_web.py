"""web: the desk's sessions, who has which ticket open, and the queue pages' indexes

Revision ID: 0010_web
Revises: 0005_queue_indexes
Create Date: 2026-12-04

The staff password hash itself is `staff.password_hash` (0003_desk).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.core.models

revision: str = "0010_web"
down_revision: str | None = "0009_webhooks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_owner_activity", "tickets", ["owner_id", "updated_at", "id"], unique=False
    )
    op.create_index(
        "ix_tickets_queue_counts",
        "tickets",
        ["status_id", "dept_id", "owner_id", "escalated", "admin_read", "resolve_date"],
        unique=False,
    )
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("created_at", supportdesk.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "last_seen_at", supportdesk.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.Column("expires_at", supportdesk.core.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_web_sessions_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_sessions_staff_id"), ["staff_id"], unique=False)
    op.create_table(
        "web_presence",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column(
            "last_seen_at", supportdesk.core.models.UTCDateTime(timezone=True), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["web_sessions.id"],
            name=op.f("fk_web_presence_session_id_web_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_web_presence_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_web_presence_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "session_id", name=op.f("pk_web_presence")),
    )
    with op.batch_alter_table("web_presence", schema=None) as batch_op:
        batch_op.create_index(
            "ix_web_presence_ticket_seen", ["ticket_id", "last_seen_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("web_presence", schema=None) as batch_op:
        batch_op.drop_index("ix_web_presence_ticket_seen")
    op.drop_table("web_presence")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_sessions_staff_id"))
    op.drop_table("web_sessions")
    op.drop_index("ix_tickets_queue_counts", table_name="tickets")
    op.drop_index("ix_tickets_owner_activity", table_name="tickets")
