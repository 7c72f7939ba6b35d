"""Run Alembic from inside the package, for the CLI and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import text

from supportdesk.core.db import DbSession, async_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = async_url(database_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _scripts() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config)


async def schema_revision(session: DbSession) -> str | None:
    """The revision the database's schema is at; None where it has no supportdesk schema."""
    if session.dialect_name == "postgresql":
        table = "SELECT to_regclass('alembic_version') IS NOT NULL"
    else:
        table = "SELECT count(*) > 0 FROM sqlite_master WHERE name = 'alembic_version'"
    if not (await session.execute(text(table))).scalar():
        return None
    revision = (await session.execute(text("SELECT version_num FROM alembic_version"))).scalar()
    return str(revision) if revision is not None else None


def schema_problem(revision: str | None) -> str | None:
    """Why a database at `revision` cannot be used as it is; None when it is up to date."""
    heads = _scripts().get_heads()
    if revision is None:
        return "the database has no supportdesk schema: run `supportdesk init` to create it"
    if revision in heads:
        return None
    try:
        known = _scripts().get_revision(revision) is not None
    except CommandError:
        known = False
    if known:
        return (
            f"the database schema is at revision {revision}, this supportdesk needs "
            f"{', '.join(heads)}: run `supportdesk init` to migrate it"
        )
    return (
        f"the database schema is at revision {revision}, which this supportdesk does not know "
        "(a newer supportdesk migrated it)"
    )


def upgrade(database_url: str) -> None:
    """Create the schema, or bring it up to date."""
    command.upgrade(alembic_config(database_url), "head")


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree."""
    command.check(alembic_config(database_url))
