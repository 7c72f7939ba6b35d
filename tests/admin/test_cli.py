"""`supportdesk staff | clients | departments | statuses`, and bootstrapping the first admin."""

from __future__ import annotations

import json

import httpx
import pytest

from supportdesk.keys import tokens
from tests.cli.conftest import Run, assert_one_line_error

pytestmark = pytest.mark.usefixtures("clean_state")


def _json(result: object) -> object:
    assert result.exit_code == 0, (result.output, result.exception)  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined]


async def test_bootstrapping_the_first_admin_on_a_fresh_install(
    run: Run, api: httpx.AsyncClient
) -> None:
    added = run(
        "staff",
        "add",
        "--username",
        "root",
        "--firstname",
        "Ada",
        "--lastname",
        "Admin",
        "--email",
        "ada@hostup.example",
        "--admin",
    )
    assert added.exit_code == 0, added.output
    staff_id = added.stdout.strip()
    assert added.stdout == f"{staff_id}\n", "only the new id: nothing secret"
    made = run("keys", "create", "--staff", staff_id, "--scope", "admin:support")
    assert made.exit_code == 0, made.output
    key = made.stdout.strip()
    assert tokens.is_well_formed(key)
    headers = {"X-API-Key": key}
    department = await api.post(
        "/api/v2/admin/departments", headers=headers, json={"slug": "support", "name": "Support"}
    )
    assert department.status_code == 201, department.text
    listed = await api.get("/api/v2/admin/staff", headers=headers)
    assert [s["username"] for s in listed.json()["data"]] == ["root"]
    assert listed.json()["data"][0]["admin"] is True


async def test_staff_add_edit_list_as_json(run: Run) -> None:
    record = _json(
        run(
            "staff",
            "add",
            "--username",
            "meg",
            "--firstname",
            "Meg",
            "--lastname",
            "White",
            "--email",
            "meg@hostup.example",
            "--json",
        )
    )
    assert isinstance(record, dict)
    assert record["username"] == "meg"
    assert record["status"] == "Active"
    edited = _json(run("staff", "edit", str(record["id"]), "--status", "Inactive", "--json"))
    assert isinstance(edited, dict)
    assert edited["status"] == "Inactive"
    listed = _json(run("staff", "list", "--status", "Inactive", "--json"))
    assert listed == [edited]
    table = run("staff", "list")
    assert table.exit_code == 0
    assert "meg" in table.stdout


async def test_clients_departments_statuses(run: Run) -> None:
    client = _json(
        run(
            "clients",
            "add",
            "--firstname",
            "Lin",
            "--lastname",
            "Chu",
            "--email",
            "lin@example.com",
            "--company",
            "Chu AB",
            "--json",
        )
    )
    assert isinstance(client, dict)
    found = _json(run("clients", "list", "--q", "chu ab", "--json"))
    assert found == [client]
    suspended = _json(run("clients", "edit", str(client["id"]), "--status", "Suspended", "--json"))
    assert isinstance(suspended, dict)
    assert suspended["status"] == "Suspended"
    hours = {"timezone": "Europe/Stockholm", "week": {"mon": [["09:00", "17:00"]]}}
    department = _json(
        run(
            "departments",
            "add",
            "--slug",
            "billing",
            "--name",
            "Billing",
            "--hidden",
            "--auto-close-hours",
            "0.5",
            "--business-hours",
            json.dumps(hours),
            "--json",
        )
    )
    assert isinstance(department, dict)
    assert department["visible"] is False
    assert department["autoCloseHours"] == 0.5
    assert department["businessHours"]["week"]["mon"] == [["09:00", "17:00"]]
    assert department["businessHours"]["week"]["tue"] == []
    cleared = _json(
        run("departments", "edit", str(department["id"]), "--business-hours", "null", "--json")
    )
    assert isinstance(cleared, dict)
    assert cleared["businessHours"] is None
    status = _json(
        run("statuses", "add", "--name", "Waiting on vendor", "--color", "ABCDEF", "--json")
    )
    assert isinstance(status, dict)
    assert status["color"] == "abcdef"
    assert status["v2Status"] == "unknown"
    listed = _json(run("statuses", "list", "--json"))
    assert isinstance(listed, list)
    assert [s["name"] for s in listed][-1] == "Waiting on vendor"


async def test_refusals_are_one_line(run: Run) -> None:
    args = ("--firstname", "A", "--lastname", "B", "--email", "dup@example.com")
    assert run("clients", "add", *args).exit_code == 0
    assert_one_line_error(run("clients", "add", *args), "dup@example.com")
    assert_one_line_error(run("statuses", "edit", "1", "--name", "Opened"), "built-in")
    assert_one_line_error(run("staff", "edit", "999999", "--firstname", "X"), "No staff")
    assert_one_line_error(
        run("departments", "add", "--slug", "x", "--name", "X", "--business-hours", "{"), "JSON"
    )
    assert_one_line_error(
        run(
            "departments",
            "add",
            "--slug",
            "x",
            "--name",
            "X",
            "--business-hours",
            '{"timezone": "Mars/Olympus", "week": {"mon": [["09:00", "17:00"]]}}',
        ),
        "timezone",
    )
    assert_one_line_error(run("staff", "edit", "1"), "nothing to change")
    long_name = "x" * 129
    assert_one_line_error(
        run("clients", "add", "--firstname", long_name, "--lastname", "B", "--email", "l@x.io"),
        "at most 128",
    )


async def test_stored_text_is_printed_safely(run: Run) -> None:
    args = ("--lastname", "B", "--email", "esc@example.com")
    assert run("clients", "add", "--firstname", "Evil\x1b]0;owned\x07", *args).exit_code == 0
    table = run("clients", "list")
    assert table.exit_code == 0
    assert "\x1b]" not in table.stdout
    assert "\x07" not in table.stdout
