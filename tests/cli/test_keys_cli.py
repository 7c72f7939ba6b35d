"""`supportdesk keys create | list | revoke` against the test database."""

from __future__ import annotations

import httpx
import pytest

from supportdesk.core.db import Database
from supportdesk.keys import tokens
from tests import builders
from tests.builders import World
from tests.cli.conftest import Run


@pytest.fixture
async def ticket(db: Database, world: World) -> builders.BuiltTicket:
    return await builders.ticket(
        db, number=616828, dept_id=world.dept_id, client_id=world.client_id
    )


async def status_with(api: httpx.AsyncClient, key: str) -> int:
    response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
    return response.status_code


async def test_create_prints_only_the_key(
    run: Run, api: httpx.AsyncClient, world: World, ticket: builders.BuiltTicket
) -> None:
    result = run("keys", "create", "--client", str(world.client_id), "--scope", "read:support")
    assert result.exit_code == 0, result.output
    key = result.stdout.removesuffix("\n")
    assert result.stdout == key + "\n"
    assert tokens.is_well_formed(key)
    assert await status_with(api, key) == 200


async def test_create_for_staff_with_several_scopes_and_options(
    run: Run, api: httpx.AsyncClient, world: World, ticket: builders.BuiltTicket
) -> None:
    result = run(
        "keys",
        "create",
        "--staff",
        str(world.staff_id),
        "--scope",
        "read:support",
        "--scope",
        "write:support",
        "--expires-in-days",
        "7",
        "--rate-limit",
        "5",
    )
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert tokens.is_well_formed(key)
    response = await api.get("/api/support/tickets/616828", headers={"X-API-Key": key})
    assert response.status_code == 200
    assert response.headers["x-ratelimit-limit"] == "5"


@pytest.mark.parametrize(
    "args",
    [
        ["--client", "999999", "--scope", "read:support"],
        ["--client", "CLIENT", "--scope", "admin"],
        # The desk's scopes are for staff keys only (desk.md).
        ["--client", "CLIENT", "--scope", "manage:support"],
        ["--client", "CLIENT", "--scope", "read:support", "--scope", "admin:support"],
        ["--scope", "read:support"],
        # Past what the columns hold (clients.id, staff.id, the limit are 32-bit integers).
        ["--client", str(2**31), "--scope", "read:support"],
        ["--client", str(2**63), "--scope", "read:support"],
        ["--staff", str(2**63 - 1), "--scope", "read:support"],
        ["--client", "CLIENT", "--scope", "read:support", "--rate-limit", str(2**31)],
        ["--client", "CLIENT", "--scope", "read:support", "--rate-limit", str(2**63)],
        ["--client", "CLIENT", "--scope", "read:support", "--expires-in-days", str(10**9)],
    ],
)
async def test_create_refusals_print_no_key(run: Run, world: World, args: list[str]) -> None:
    args = [str(world.client_id) if arg == "CLIENT" else arg for arg in args]
    result = run("keys", "create", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error" in result.stderr


async def test_revoke_by_key(
    run: Run, api: httpx.AsyncClient, db: Database, world: World, ticket: builders.BuiltTicket
) -> None:
    _, key = await builders.api_key(db, client_id=world.client_id)
    assert await status_with(api, key) == 200
    result = run("keys", "revoke", key)
    assert result.exit_code == 0, result.output
    assert "revoked" in result.stdout
    assert await status_with(api, key) == 401
    again = run("keys", "revoke", key)
    assert again.exit_code == 1
    assert await status_with(api, world.client_key) == 200, "other keys are untouched"


async def test_revoke_by_id(
    run: Run, api: httpx.AsyncClient, db: Database, world: World, ticket: builders.BuiltTicket
) -> None:
    key_id, key = await builders.api_key(db, client_id=world.client_id)
    result = run("keys", "revoke", str(key_id))
    assert result.exit_code == 0, result.output
    assert await status_with(api, key) == 401
    assert run("keys", "revoke", "999999").exit_code == 1
    malformed = run("keys", "revoke", "not-a-key")
    assert malformed.exit_code == 1
    assert "error" in malformed.stderr


async def test_list_never_prints_a_key(run: Run, db: Database, world: World) -> None:
    revoked_id, revoked = await builders.api_key(db, client_id=world.client_id)
    await builders.update_key(db, revoked_id, revoked_at=builders.OPENED)
    result = run("keys", "list")
    assert result.exit_code == 0, result.output
    listed = [
        world.client_key,
        world.other_client_key,
        world.suspended_client_key,
        world.staff_key,
        world.account_only_key,
        revoked,
    ]
    for key in listed:
        assert key not in result.output
        assert key[14:] not in result.output
    assert "revoked" in result.stdout
    assert "active" in result.stdout


async def test_a_client_key_refusal_names_the_staff_only_scope(run: Run, world: World) -> None:
    result = run("keys", "create", "--client", str(world.client_id), "--scope", "admin:support")
    assert result.exit_code == 1
    assert "admin:support is for staff keys only" in result.stderr


async def test_a_staff_key_may_carry_the_desk_scopes(run: Run, world: World) -> None:
    result = run(
        "keys", "create", "--staff", str(world.staff_id),
        "--scope", "manage:support", "--scope", "admin:support",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert tokens.is_well_formed(result.stdout.strip())
