"""queue indexes: the staff queue's common pages read an index, not every ticket

Revision ID: 0005_queue_indexes
Revises: 0004_search
Create Date: 2026-12-02

`ix_tickets_owner_queue` holds an owner's tickets with everything the `-priority` order needs
(the priority, then the activity and the id), so "mine, by priority" and its later pages sort
the owner's index entries alone; it serves unassigned (`owner_id` NULL) and the owner with
`-updatedAt` too. `ix_tickets_status_due` holds a status's tickets by due date for "open,
soonest due" (`resolveBy`).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_queue_indexes"
down_revision: str | None = "0004_search"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_owner_queue", "tickets", ["owner_id", "priority", "updated_at", "id"]
    )
    op.create_index("ix_tickets_status_due", "tickets", ["status_id", "resolve_date", "id"])


def downgrade() -> None:
    op.drop_index("ix_tickets_status_due", table_name="tickets")
    op.drop_index("ix_tickets_owner_queue", table_name="tickets")
