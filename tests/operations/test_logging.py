"""Structured logs from a real server process: one JSON line per request, and no key in them."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx

from supportdesk.core.db import Database
from tests import builders
from tests.operations.common import READ_WRITE, department_slug, http_client, log_tail
from tests.server import running_server


def _access_lines(log: Path) -> tuple[list[dict[str, Any]], str]:
    text = log.read_text(errors="replace")
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [line for line in lines if line.get("logger") == "supportdesk.access"], text


async def test_one_json_line_per_request_and_never_the_key(
    server_env: dict[str, str], tmp_path: Path, db: Database, world: builders.World
) -> None:
    key_id, key = await builders.api_key(db, client_id=world.client_id, scopes=READ_WRITE)
    ticket = await builders.ticket(
        db, number=700_001, dept_id=world.dept_id, client_id=world.client_id
    )
    slug = await department_slug(db, world.dept_id)
    mistyped = key[:-1] + ("a" if key[-1] != "a" else "b")
    log = tmp_path / "server.log"
    env = {**server_env, "SUPPORTDESK_LOG_LEVEL": "INFO"}
    v1_detail, v2_detail = "/api/support/tickets/{number}", "/api/v2/support/tickets/{ticket_id}"
    by_key, by_bearer = {"X-API-Key": key}, {"Authorization": f"Bearer {key}"}
    by_mistyped = {"X-API-Key": mistyped}
    new_ticket = {"departmentSlug": slug, "subject": "Logged", "message": "Hi"}
    # method, path, logged route, logged key id, headers, JSON body
    calls: list[tuple[str, str, str, int | None, dict[str, str], Any]] = [
        ("GET", f"/api/support/tickets/{ticket.number}", v1_detail, key_id, by_key, None),
        ("GET", "/api/support/tickets/999999", v1_detail, key_id, by_key, None),
        ("GET", f"/api/v2/support/tickets/{ticket.number}", v2_detail, key_id, by_bearer, None),
        ("POST", "/api/v2/support/tickets", "/api/v2/support/tickets", key_id, by_key, new_ticket),
        ("GET", f"/api/support/tickets/{ticket.number}", v1_detail, None, by_mistyped, None),
        ("GET", f"/api/support/tickets/{ticket.number}", v1_detail, None, {}, None),
        ("GET", "/api/support/nowhere", "(no route)", None, by_key, None),
    ]
    sent: list[tuple[httpx.Response, str, int | None]] = []  # response, route, key id
    with running_server(env, log) as server:
        async with http_client() as client:
            for method, path, route, owner, extra, body in calls:
                response = await client.request(
                    method, f"{server.base_url}{path}", headers=extra, json=body
                )
                sent.append((response, route, owner))
        # Every line is written as the response goes out; wait (bounded) until all are there.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            lines, _ = _access_lines(log)
            if len(lines) >= len(sent):
                break
            await asyncio.sleep(0.1)
    lines, text = _access_lines(log)

    assert [r.status_code for r, _, _ in sent] == [200, 404, 200, 201, 401, 401, 404]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for line in lines:
        by_id.setdefault(line["request_id"], []).append(line)
    assert len(lines) == len(sent), log_tail(log)
    for response, route, owner in sent:
        request_id = response.headers["x-request-id"]
        assert len(by_id.get(request_id, [])) == 1, (request_id, log_tail(log))
        line = by_id[request_id][0]
        assert line["route"] == route
        assert line["status"] == response.status_code
        assert isinstance(line["duration_ms"], int | float)
        assert line["duration_ms"] >= 0
        assert "key_id" in line
        assert line["key_id"] == owner
    # Neither the key nor a near miss of it is ever written, on any line.
    assert key not in text
    assert mistyped not in text
    assert key[8:] not in text  # not even without its prefix
