"""A desk set up through the library on a real `supportdesk serve`: the first admin and its key
from the CLI (as a person at the server makes them), the rest with `client.admin`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import supportdesk_client as sd
from tests.conftest import Run
from tests.server import ServerProcess, running_server


@dataclass(frozen=True)
class Desk:
    server: ServerProcess
    admin_key: str
    staff_key: str
    client_key: str
    client_id: int
    staff_id: int


def _cli(run: Run, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


def _bootstrap(run: Run, server: ServerProcess) -> Desk:
    added = json.loads(
        _cli(run, "staff", "add", "--username", "root", "--firstname", "Ada", "--lastname",
             "Admin", "--email", "ada@example.net", "--admin", "--json")
    )  # fmt: skip
    admin_key = _cli(
        run, "keys", "create", "--staff", str(added["id"]), "--scope", "admin:support"
    ).strip()
    with sd.Client(server.base_url, admin_key) as admin:
        department = admin.admin.departments.create(
            slug="hosting", name="Hosting", email="hosting@example.net"
        )
        staff = admin.admin.staff.create(
            username="sam",
            firstname="Sam",
            lastname="Support",
            email="sam@example.net",
            department_ids=[department["id"]],
        )
        client = admin.admin.clients.create(
            firstname="Cleo", lastname="Client", email="cleo@example.org"
        )
        staff_key = admin.admin.keys.create(
            staff_id=staff["id"], scopes=["read:support", "write:support", "manage:support"]
        )["key"]
        client_key = admin.admin.keys.create(
            client_id=client["id"], scopes=["read:support", "write:support", "read:account"]
        )["key"]
        assert [d["slug"] for d in admin.admin.departments.list()] == ["hosting"]
        assert "sam" in [s["username"] for s in admin.admin.staff.list()]
    return Desk(server, admin_key, staff_key, client_key, client["id"], staff["id"])


@pytest.fixture
def desk(run: Run, server_env: dict[str, str], tmp_path: Path) -> Iterator[Desk]:
    with running_server(server_env, tmp_path / "server.log") as server:
        yield _bootstrap(run, server)
