"""The CLI, invoked on the test database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from click.testing import Result
from typer.testing import CliRunner

from supportdesk.cli.main import app as cli
from supportdesk.core.config import get_settings
from tests.support import run_in_thread

Run = Callable[..., Result]


@pytest.fixture
def run(database_url: str) -> Iterator[Run]:
    """Invoke the CLI on the test database (in a thread: it runs its own event loop)."""
    runner = CliRunner()
    get_settings.cache_clear()

    def invoke(*args: str) -> Result:
        return run_in_thread(
            lambda: runner.invoke(cli, list(args), env={"SUPPORTDESK_DATABASE_URL": database_url})
        )

    yield invoke
    get_settings.cache_clear()
