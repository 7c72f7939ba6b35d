"""Fixtures for the operations tests: a real server process on the test's clean database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.server import ServerProcess, running_server


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "server.log"


@pytest.fixture
def server(server_env: dict[str, str], server_log: Path) -> Iterator[ServerProcess]:
    """One single-worker `supportdesk serve` process."""
    with running_server(server_env, server_log) as started:
        yield started
