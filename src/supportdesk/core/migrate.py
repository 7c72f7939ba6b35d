"""Run Alembic from inside the package, for the CLI and the tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from supportdesk.core.db import async_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    url = async_url(database_url).render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(database_url: str) -> None:
    """Create the schema, or bring it up to date."""
    command.upgrade(alembic_config(database_url), "head")


def check(database_url: str) -> None:
    """Raise if the models and the migrations disagree."""
    command.check(alembic_config(database_url))
