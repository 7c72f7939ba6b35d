"""sla: paused periods, due clocks and breaches (each once, by its effect key)

Revision ID: 0007_sla
Revises: 0005_queue_indexes
Create Date: 2026-12-04

`sla_pauses` holds the periods a ticket spent in a status that stops its SLA clocks;
`sla_clocks` the next due instant of each running clock, indexed by that instant, which the
breach job reads instead of every ticket; `sla_breaches` each breach once, under its unique
effect key `sla:{ticket}:{policy}:{occurrence}`; `sla_pending` the tickets the job evaluates
again (the open tickets already there are marked here).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.core.models

revision: str = "0007_sla"
down_revision: str | None = "0006_jobs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> supportdesk.core.models.UTCDateTime:
    return supportdesk.core.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sla_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("status_name", sa.String(length=64), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("ended_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_pauses_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_pauses")),
    )
    op.create_index("ix_sla_pauses_ticket_order", "sla_pauses", ["ticket_id", "started_at"])
    op.create_table(
        "sla_clocks",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("due_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["policy_id"], ["sla_policies.id"], name=op.f("fk_sla_clocks_policy_id_sla_policies")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_clocks_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", "policy_id", name=op.f("pk_sla_clocks")),
    )
    op.create_index("ix_sla_clocks_due", "sla_clocks", ["due_at"])
    op.create_table(
        "sla_breaches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("effect_key", sa.String(length=96), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("policy_id", sa.Integer(), nullable=False),
        sa.Column("occurrence", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("breached_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["policy_id"],
            ["sla_policies.id"],
            name=op.f("fk_sla_breaches_policy_id_sla_policies"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_breaches_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sla_breaches")),
        sa.UniqueConstraint("effect_key", name=op.f("uq_sla_breaches_effect_key")),
    )
    op.create_index(op.f("ix_sla_breaches_ticket_id"), "sla_breaches", ["ticket_id"])
    op.create_table(
        "sla_pending",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_sla_pending_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_sla_pending")),
    )
    # The tickets already there get their clocks from the breach job.
    op.execute(
        "INSERT INTO sla_pending (ticket_id) SELECT tickets.id FROM tickets"
        " JOIN statuses ON statuses.id = tickets.status_id WHERE statuses.name <> 'Closed'"
    )


def downgrade() -> None:
    op.drop_table("sla_pending")
    op.drop_index(op.f("ix_sla_breaches_ticket_id"), table_name="sla_breaches")
    op.drop_table("sla_breaches")
    op.drop_index("ix_sla_clocks_due", table_name="sla_clocks")
    op.drop_table("sla_clocks")
    op.drop_index("ix_sla_pauses_ticket_order", table_name="sla_pauses")
    op.drop_table("sla_pauses")
