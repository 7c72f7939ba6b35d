"""desk: staff, notes, drafts, macros, SLA policies, ticket versions

Revision ID: 0003_desk
Revises: 0002_ticket_events
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import supportdesk.core.models
from supportdesk.core.ids import public_id

revision: str = "0003_desk"
down_revision: str | None = "0002_ticket_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = supportdesk.core.models.UTCDateTime(timezone=True)
_FALSE = sa.false()
_TRUE = sa.true()


def upgrade() -> None:
    op.create_table(
        "macros",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_macros")),
        sa.UniqueConstraint("name", name=op.f("uq_macros_name")),
    )
    op.create_table(
        "department_staff",
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_department_staff_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_department_staff_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("department_id", "staff_id", name=op.f("pk_department_staff")),
    )
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("business_hours", sa.Text(), nullable=False, server_default="")
        )
        batch_op.alter_column(
            "auto_close_hours",
            existing_type=sa.INTEGER(),
            type_=sa.Float(),
            existing_nullable=False,
        )

    # Notes gain a public id and an edit time; the notes already there get theirs here.
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("updated_at", _UTC, nullable=True))
    connection = op.get_bind()
    notes = sa.table(
        "notes",
        sa.column("id", sa.Integer()),
        sa.column("public_id", sa.String()),
        sa.column("created_at", _UTC),
        sa.column("updated_at", _UTC),
    )
    for (note_id,) in connection.execute(sa.select(notes.c.id)).all():
        connection.execute(
            notes.update().where(notes.c.id == note_id).values(public_id=public_id("tnote"))
        )
    connection.execute(notes.update().values(updated_at=notes.c.created_at))
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.alter_column("public_id", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("updated_at", existing_type=_UTC, nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_notes_public_id"), ["public_id"])

    with op.batch_alter_table("replies", schema=None) as batch_op:
        batch_op.add_column(sa.Column("send_at", _UTC, nullable=True))
        batch_op.add_column(
            sa.Column("keep_if_client_replies", sa.Boolean(), nullable=False, server_default=_FALSE)
        )
        batch_op.add_column(sa.Column("notify", sa.Boolean(), nullable=False, server_default=_TRUE))
        batch_op.add_column(
            sa.Column("status_after", sa.String(length=64), nullable=False, server_default="")
        )

    # SLA policies take automation.md's shape: the old `measure` becomes a `trigger`.
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("name", sa.String(length=128), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column(
                "trigger", sa.String(length=32), nullable=False, server_default="first_response"
            )
        )
        batch_op.add_column(
            sa.Column("business_hours", sa.Boolean(), nullable=False, server_default=_FALSE)
        )
        batch_op.add_column(sa.Column("raise_priority", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("assign_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=_TRUE))
        batch_op.alter_column(
            "hours", existing_type=sa.INTEGER(), type_=sa.Float(), existing_nullable=False
        )
    connection.execute(
        sa.text(
            "UPDATE sla_policies SET trigger = CASE measure WHEN 'since_client_message' "
            "THEN 'next_response' ELSE 'first_response' END"
        )
    )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sla_policies_measure"), type_="check")
        batch_op.drop_column("measure")
        batch_op.create_foreign_key(
            batch_op.f("fk_sla_policies_assign_to_id_staff"), "staff", ["assign_to_id"], ["id"]
        )
        batch_op.create_check_constraint(
            "trigger", "trigger IN ('first_response', 'next_response', 'resolution')"
        )

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signature", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("admin", sa.Boolean(), nullable=False, server_default=_FALSE))
        batch_op.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))

    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pauses_sla", sa.Boolean(), nullable=False, server_default=_FALSE)
        )
    connection.execute(sa.text("UPDATE statuses SET pauses_sla = TRUE WHERE name = 'On-Hold'"))

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("merged_at", _UTC, nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    generation = op.create_table(
        "render_generation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_render_generation")),
    )
    op.bulk_insert(generation, [{"id": 1, "value": 0}])


def downgrade() -> None:
    op.drop_table("render_generation")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("version")
        batch_op.drop_column("merged_at")
    with op.batch_alter_table("statuses", schema=None) as batch_op:
        batch_op.drop_column("pauses_sla")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("password_hash")
        batch_op.drop_column("admin")
        batch_op.drop_column("signature")
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("measure", sa.VARCHAR(length=32), nullable=False, server_default="since_open")
        )
    op.get_bind().execute(
        sa.text(
            "UPDATE sla_policies SET measure = CASE trigger WHEN 'next_response' "
            "THEN 'since_client_message' ELSE 'since_open' END"
        )
    )
    with op.batch_alter_table("sla_policies", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_sla_policies_trigger"), type_="check")
        batch_op.drop_constraint(op.f("fk_sla_policies_assign_to_id_staff"), type_="foreignkey")
        batch_op.alter_column(
            "hours", existing_type=sa.Float(), type_=sa.INTEGER(), existing_nullable=False
        )
        for column in ("active", "assign_to_id", "raise_priority", "business_hours", "trigger"):
            batch_op.drop_column(column)
        batch_op.drop_column("name")
        batch_op.create_check_constraint(
            "measure", "measure IN ('since_open', 'since_client_message')"
        )
    with op.batch_alter_table("replies", schema=None) as batch_op:
        for column in ("status_after", "notify", "keep_if_client_replies", "send_at"):
            batch_op.drop_column(column)
    with op.batch_alter_table("notes", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_notes_public_id"), type_="unique")
        batch_op.drop_column("updated_at")
        batch_op.drop_column("public_id")
    with op.batch_alter_table("departments", schema=None) as batch_op:
        batch_op.alter_column(
            "auto_close_hours",
            existing_type=sa.Float(),
            type_=sa.INTEGER(),
            existing_nullable=False,
        )
        batch_op.drop_column("business_hours")
    op.drop_table("department_staff")
    op.drop_table("macros")
