"""The README's first example (list, open, reply, close) runs as written against the server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.client.conftest import Desk

README = Path(__file__).resolve().parents[2] / "client" / "README.md"


def test_the_readme_example_lists_opens_replies_and_closes(desk: Desk) -> None:
    example = re.findall(r"```python\n(.*?)```", README.read_text(), re.DOTALL)[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env |= {"SUPPORTDESK_URL": desk.server.base_url, "SUPPORTDESK_API_KEY": desk.client_key}
    result = subprocess.run(
        [sys.executable, "-c", example], capture_output=True, text=True, env=env, timeout=60,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("opened ")
    assert lines[1:] == ["closed", "404 not_found " + lines[2].split()[-1]]
    assert lines[2].split()[-1].startswith("req_")
