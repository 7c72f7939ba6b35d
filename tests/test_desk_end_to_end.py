"""Issue 9's walk-through, against the real `supportdesk serve` process, from an empty database.

A person at the server makes the first admin and its key with the CLI; everything else goes
over HTTP: the admin sets up a department, a staff member and a client with a service; the
client opens two tickets; the staff member finds, assigns, tags, notes, answers and merges; the
client sees the answer and the merged messages and nothing of the note; the timeline shows it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from tests.conftest import Run
from tests.server import running_server

TIMEOUT = httpx.Timeout(15.0)
CANARY = "CANARY-7f3a-internal-only"


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (response.request.method, response.url, response.text)
    return response.json()


def cli_ok(run: Run, *args: str) -> str:
    result = run(*args)
    assert result.exit_code == 0, result.output
    return str(result.stdout)


async def test_an_admin_sets_up_the_desk_and_staff_work_a_ticket_the_client_follows(
    run: Run, server_env: dict[str, str], tmp_path: Path
) -> None:
    # The first admin, bootstrapped at the server: nothing secret printed but the key itself.
    added = json.loads(
        cli_ok(
            run,
            "staff",
            "add",
            "--username",
            "root",
            "--firstname",
            "Ada",
            "--lastname",
            "Admin",
            "--email",
            "ada@example.net",
            "--admin",
            "--json",
        )
    )
    admin_key = cli_ok(
        run, "keys", "create", "--staff", str(added["id"]), "--scope", "admin:support"
    ).strip()
    admin = {"Authorization": f"Bearer {admin_key}"}

    with running_server(server_env, tmp_path / "server.log") as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as http:
            # The admin sets the organisation up through the API.
            department = json_of(
                await http.post(
                    "/api/v2/admin/departments",
                    headers=admin,
                    json={"slug": "hosting", "name": "Hosting", "email": "hosting@example.net"},
                ),
                201,
            )
            staff = json_of(
                await http.post(
                    "/api/v2/admin/staff",
                    headers=admin,
                    json={
                        "username": "sam",
                        "firstname": "Sam",
                        "lastname": "Support",
                        "email": "sam@example.net",
                        "departmentIds": [department["id"]],
                    },
                ),
                201,
            )
            client = json_of(
                await http.post(
                    "/api/v2/admin/clients",
                    headers=admin,
                    json={"firstname": "Cleo", "lastname": "Client", "email": "cleo@example.org"},
                ),
                201,
            )
            service = json_of(
                await http.post(
                    f"/api/v2/admin/clients/{client['id']}/services",
                    headers=admin,
                    json={
                        "type": "hosting",
                        "name": "Web Hosting Pro",
                        "status": "Active",
                        "nextDue": "2027-01-31",
                        "hostname": "web42.example.net",
                    },
                ),
                201,
            )
            staff_key = json_of(
                await http.post(
                    "/api/v2/admin/keys",
                    headers=admin,
                    json={
                        "staffId": staff["id"],
                        "scopes": ["read:support", "write:support", "manage:support"],
                    },
                ),
                201,
            )["key"]
            client_key = json_of(
                await http.post(
                    "/api/v2/admin/keys",
                    headers=admin,
                    json={"clientId": client["id"], "scopes": ["read:support", "write:support"]},
                ),
                201,
            )["key"]
            as_staff = {"Authorization": f"Bearer {staff_key}"}
            as_client = {"X-API-Key": client_key}

            # The client opens two tickets about the service.
            opened = json_of(
                await http.post(
                    "/api/v2/support/tickets",
                    headers=as_client,
                    json={
                        "departmentSlug": "hosting",
                        "subject": "Website returns 502 after migration",
                        "message": "Since the migration the nginx proxy answers 502.",
                        "context": {"serviceType": "hosting", "serviceId": str(service["id"])},
                    },
                ),
                201,
            )
            second = json_of(
                await http.post(
                    "/api/v2/support/tickets",
                    headers=as_client,
                    json={
                        "departmentSlug": "hosting",
                        "subject": "Still down",
                        "message": "The shop is still unreachable this morning.",
                    },
                ),
                201,
            )
            tkt, other = opened["id"], second["id"]

            # Staff find it by search, and the client's search finds it too.
            found = json_of(
                await http.get(
                    "/api/v2/support/tickets", headers=as_staff, params={"q": "nginx 502"}
                )
            )
            assert [t["id"] for t in found["data"]] == [tkt]

            # Assign to themself, tag, note, answer with On-Hold.
            patched = json_of(
                await http.patch(
                    f"/api/v2/support/tickets/{tkt}",
                    headers=as_staff,
                    json={"ownerId": staff["id"], "addTags": ["migration"]},
                )
            )
            assert patched["desk"]["ownerId"] == staff["id"]
            assert patched["desk"]["tags"] == ["migration"]
            note = json_of(
                await http.post(
                    f"/api/v2/support/tickets/{tkt}/notes",
                    headers=as_staff,
                    json={"body": f"Upstream is down on web42. {CANARY}"},
                ),
                201,
            )
            reply = json_of(
                await http.post(
                    f"/api/v2/support/tickets/{tkt}/messages",
                    headers=as_staff,
                    json={
                        "message": "We restarted the upstream; please check.",
                        "status": "On-Hold",
                    },
                ),
                201,
            )
            held = json_of(await http.get(f"/api/v2/support/tickets/{tkt}", headers=as_staff))
            assert (held["status"], held["desk"]["statusName"]) == ("on_hold", "On-Hold")

            # The second ticket of the same client merges into the first.
            merged = json_of(
                await http.post(
                    f"/api/v2/support/tickets/{other}/actions/merge",
                    headers=as_staff,
                    json={"intoTicketId": tkt},
                )
            )
            assert merged["id"] == tkt
            assert other in merged["desk"]["mergedFrom"]

            # The client sees the answer and the merged message, and no trace of the note.
            mine = await http.get(f"/api/v2/support/tickets/{tkt}", headers=as_client)
            shown = json_of(mine)
            bodies = [m["body"] for m in shown["messages"]]
            assert "We restarted the upstream; please check." in bodies
            assert "The shop is still unreachable this morning." in bodies
            assert reply["id"] in [m["id"] for m in shown["messages"]]
            assert "desk" not in shown
            v1 = await http.get(f"/api/support/tickets/{opened['number']}", headers=as_client)
            listed = await http.get("/api/v2/support/tickets", headers=as_client)
            searched = await http.get(
                "/api/v2/support/tickets", headers=as_client, params={"q": "CANARY"}
            )
            for response in (mine, v1, listed, searched):
                assert response.status_code == 200, response.text
                assert CANARY not in response.text
                assert note["id"] not in response.text
            assert json_of(searched)["data"] == []
            assert json_of(v1)["data"]["ticket"]["notes"] == []

            # The timeline shows every step, oldest first.
            events = json_of(
                await http.get(f"/api/v2/support/tickets/{tkt}/events", headers=as_staff)
            )
            kinds = [event["kind"] for event in events["data"]]
            assert kinds == ["opened", "updated", "note_added", "replied", "merged_in"], kinds
            _, updated, noted, replied, _ = events["data"]
            assert updated["changes"]["owner"]["to"] is not None
            assert updated["changes"]["tags"] == {"from": [], "to": ["migration"]}
            assert CANARY not in str(noted)
            assert replied["changes"]["status"]["to"] == "On-Hold"
            assert {e["via"] for e in events["data"]} == {"api_v2"}
            timestamps = [e["at"] for e in events["data"]]
            assert timestamps == sorted(timestamps)
            b_events = json_of(
                await http.get(f"/api/v2/support/tickets/{other}/events", headers=as_staff)
            )
            assert [e["kind"] for e in b_events["data"]] == ["opened", "merged"]
            actors = {(e["actor"]["type"], e["actor"]["name"]) for e in events["data"]}
            assert ("client", "Cleo Client") in actors
            assert ("staff", "Sam Support") in actors
            refused = await http.get(f"/api/v2/support/tickets/{tkt}/events", headers=as_client)
            assert refused.status_code == 403

    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-2000:]
    for secret in (admin_key, staff_key, client_key):
        assert secret not in log
