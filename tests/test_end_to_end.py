"""A whole conversation across both generations, against the real `supportdesk serve` process.

The data (clients, staff, departments, keys) is made through the builders on the database the
server uses; everything else goes over HTTP, as README's curl walk-through does it.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import httpx

from supportdesk.core.db import Database
from tests import conversation_builders
from tests.api.assertions import assert_rate_limit_headers
from tests.server import running_server

V2_REQUEST_ID = re.compile(r"^req_[0-9a-hjkmnp-tv-z]{26}$")
LOG = b"Nov 27 09:51:56 mx1 postfix/smtp[4242]: to=<a@gmail.com>, status=bounced (550 5.7.26)\n"
TIMEOUT = httpx.Timeout(10.0)


class Recorder:
    """Checks what every response must carry, and remembers the client key's remaining count."""

    def __init__(self) -> None:
        self.client_remaining: list[int] = []
        self.request_ids: set[str] = set()

    def check(self, response: httpx.Response, *, client_key: bool = False) -> httpx.Response:
        assert response.status_code < 500, response.text
        request_id = response.headers["x-request-id"]
        if response.request.url.path.startswith("/api/v2"):
            assert V2_REQUEST_ID.match(request_id), request_id
        else:
            assert str(uuid.UUID(request_id)) == request_id
        assert request_id not in self.request_ids, "a fresh id for every response"
        self.request_ids.add(request_id)
        assert_rate_limit_headers(response)
        if client_key:
            self.client_remaining.append(int(response.headers["x-ratelimit-remaining"]))
        return response


def json_of(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


async def test_a_whole_conversation_across_both_generations(
    db: Database, server_env: dict[str, str], tmp_path: Path
) -> None:
    cast = await conversation_builders.cast(db)
    limited = await conversation_builders.write_key(
        db, cast.world.other_client_id, rate_limit_per_minute=2
    )
    client = {"X-API-Key": cast.client_key}
    staff = {"Authorization": f"Bearer {cast.staff_key}"}
    seen = Recorder()

    with running_server(server_env, tmp_path / "server.log") as server:
        async with httpx.AsyncClient(base_url=server.base_url, timeout=TIMEOUT) as http:

            async def as_client(method: str, path: str, **kwargs: Any) -> httpx.Response:
                headers = {**client, **kwargs.pop("headers", {})}
                response = await http.request(method, path, headers=headers, **kwargs)
                return seen.check(response, client_key=True)

            async def as_staff(method: str, path: str, **kwargs: Any) -> httpx.Response:
                return seen.check(await http.request(method, path, headers=staff, **kwargs))

            # v1: the departments, then a ticket opened with HostUp's create call.
            departments = json_of(await as_client("GET", "/api/support/departments"))
            dept_id = departments["data"]["departments"][0]["id"]
            assert departments["success"] is True
            created = await as_client(
                "POST",
                "/api/support/tickets",
                json={
                    "dept_id": dept_id,
                    "subject": "Mail bounces",
                    "body": "Since this morning.",
                    "priority": 1,
                },
            )
            assert b'"ticket":{"number":' in created.content, "number first"
            number = json_of(created)["data"]["ticket"]["number"]
            assert type(number) is int

            # v2 lists it, newest first, and shows it by number; the tkt_ id comes from there.
            listed = json_of(await as_client("GET", "/api/v2/support/tickets?limit=5"))
            assert [t["number"] for t in listed["data"]] == [str(number)]
            assert (listed["hasMore"], listed["nextCursor"]) == (False, None)
            tkt = listed["data"][0]["id"]
            shown = json_of(await as_client("GET", f"/api/v2/support/tickets/{number}"))
            assert (shown["id"], shown["status"], shown["priority"]) == (tkt, "open", "medium")

            # Upload a file, reply with it, download it through both generations.
            upload = json_of(
                await as_client(
                    "POST",
                    "/api/v2/support/attachments",
                    files={"file": ("bounce.log", LOG, "application/octet-stream")},
                    data={"ticketId": tkt},
                ),
                201,
            )
            assert (upload["ticketId"], upload["byteLength"]) == (tkt, len(LOG))
            message = json_of(
                await as_client(
                    "POST",
                    f"/api/v2/support/tickets/{tkt}/messages",
                    json={"message": "Here is the log.", "attachmentIds": [upload["attachmentId"]]},
                ),
                201,
            )
            (attachment,) = message["attachments"]
            assert attachment["downloadUrl"] == upload["url"]
            by_v2 = await as_client("GET", attachment["downloadUrl"])
            assert (by_v2.status_code, by_v2.content) == (200, LOG)
            v1 = json_of(await as_client("GET", f"/api/support/tickets/{number}"))["data"]["ticket"]
            (path,) = v1["attachments"]
            by_v1 = await as_client("GET", path)
            assert (by_v1.status_code, by_v1.content) == (200, LOG)
            assert v1["status"] == "Client-Reply"

            # Staff answers; the client closes; a client message is refused until it reopens.
            answer = json_of(
                await as_staff(
                    "POST",
                    f"/api/v2/support/tickets/{number}/messages",
                    json={"message": "The SPF record was fixed."},
                ),
                201,
            )
            assert answer["sender"] == "staff"
            answered = json_of(await as_client("GET", f"/api/v2/support/tickets/{tkt}"))
            assert answered["status"] == "answered"
            closed = json_of(
                await as_client("POST", f"/api/v2/support/tickets/{tkt}/actions/close")
            )
            assert closed["status"] == "closed"
            refused = await as_client(
                "POST", f"/api/v2/support/tickets/{tkt}/messages", json={"message": "Again?"}
            )
            assert refused.status_code == 409
            assert refused.headers["content-type"] == "application/problem+json"
            assert refused.json()["code"] == "ticket_closed"
            assert refused.json()["requestId"] == refused.headers["x-request-id"]
            reopened = json_of(
                await as_client("POST", f"/api/v2/support/tickets/{tkt}/actions/reopen")
            )
            assert reopened["status"] == "open"
            json_of(
                await as_client(
                    "POST",
                    f"/api/v2/support/tickets/{tkt}/messages",
                    json={"message": "It bounces again."},
                ),
                201,
            )

            # Back in v1: the v2 replies are there, oldest first, with the file.
            final = json_of(await as_client("GET", f"/api/support/tickets/{number}"))
            ticket = final["data"]["ticket"]
            assert ticket["status"] == "Client-Reply"
            assert [(r["type"], r["body"]) for r in ticket["replies"]] == [
                ("Client", "Here is the log."),
                ("Admin", "The SPF record was fixed."),
                ("Client", "It bounces again."),
            ]
            assert ticket["attachments"] == [path]
            assert ticket["lastreply"] == ticket["replies"][-1]["date"]

            # Request ids: a well-formed one of the route's generation is echoed.
            v1_id, v2_id = str(uuid.uuid4()), "req_01jdqv3m3b0d1k8g9xw4p2c7ha"
            echoed_v1 = await http.get("/api/support/departments", headers={"X-Request-Id": v1_id})
            echoed_v2 = await http.get("/api/v2/support/tickets", headers={"X-Request-Id": v2_id})
            assert echoed_v1.headers["x-request-id"] == echoed_v1.json()["requestId"] == v1_id
            assert echoed_v2.headers["x-request-id"] == echoed_v2.json()["requestId"] == v2_id

            # Rate limits: the client key counted down one by one; a small limit gets 429.
            remaining = seen.client_remaining
            assert remaining == list(range(remaining[0], remaining[0] - len(remaining), -1))
            assert remaining[0] == 119, "the default of 120 a minute"
            statuses = []
            for _ in range(3):
                response = seen.check(
                    await http.get("/api/v2/support/tickets", headers={"X-API-Key": limited})
                )
                statuses.append(response.status_code)
            assert statuses == [200, 200, 429]
            assert response.json()["code"] == "rate_limited"
            assert 1 <= int(response.headers["retry-after"]) <= 60

    log = (tmp_path / "server.log").read_text()
    assert "Traceback" not in log, log[-2000:]
