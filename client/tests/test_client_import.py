"""Importing the library loads none of the server (`supportdesk.*`) and only httpx beside it."""

from __future__ import annotations

import subprocess
import sys


def _imported(code: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=True,
    )
    # -X importtime writes "import time: self | cumulative | name" to stderr, one line a module.
    lines = [line for line in result.stderr.splitlines() if line.startswith("import time:")]
    return [line.rsplit("|", 1)[1].strip() for line in lines[1:]]


def test_importing_the_library_loads_no_server_code() -> None:
    modules = _imported("import supportdesk_client")
    assert "supportdesk_client" in modules
    assert "httpx" in modules
    server = [name for name in modules if name == "supportdesk" or name.startswith("supportdesk.")]
    assert server == []
    # Nor the heavy peers of the server: its web framework, models, database layer, CLI. (rich
    # may load: httpx's own command line imports it when it is installed, as it is here.)
    heavy = {"fastapi", "starlette", "pydantic", "sqlalchemy", "redis", "typer", "asyncio"}
    assert heavy.isdisjoint(modules)


def test_the_command_line_loads_no_server_code_either() -> None:
    modules = _imported("import supportdesk_client._cli")
    assert "supportdesk_client._cli" in modules
    assert [name for name in modules if name.startswith("supportdesk.")] == []
