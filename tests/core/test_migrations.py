"""The migrations and the models agree, on the backend under test."""

from __future__ import annotations

from sqlalchemy import select

from supportdesk.core.db import Database
from supportdesk.core.migrate import check, upgrade
from supportdesk.departments.models import Status
from tests.support import run_in_thread


def test_alembic_check_finds_the_models_and_migrations_in_agreement(database_url: str) -> None:
    run_in_thread(lambda: check(database_url))


def test_upgrading_an_up_to_date_database_changes_nothing(database_url: str) -> None:
    run_in_thread(lambda: upgrade(database_url))
    run_in_thread(lambda: check(database_url))


async def test_the_six_builtin_statuses_are_seeded(db: Database) -> None:
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Status.name, Status.color, Status.auto_close, Status.v2_status)
                .where(Status.builtin.is_(True))
                .order_by(Status.id)
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("Open", "8bc34a", False, "open"),
        ("Answered", "2196f3", True, "answered"),
        ("Client-Reply", "ff9800", False, "customer_reply"),
        ("In-Progress", "9c27b0", False, "in_progress"),
        ("On-Hold", "607d8b", False, "on_hold"),
        ("Closed", "000000", False, "closed"),
    ]
